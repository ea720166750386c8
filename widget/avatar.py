"""WID-4: the bot avatar an admin uploads. Validated by decoding it, re-encoded, stored per client.

Only raster images that Pillow decodes (PNG, JPEG, WebP, GIF) are accepted; SVG is refused because it
can carry script. The stored file is always a fresh 256×256 PNG written by us, never the upload's bytes.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from PIL import Image, ImageOps, UnidentifiedImageError

from controlplane.clients.models import Client
from tenants.bots.models import Bot, BotConfigVersion
from tenants.bots.selectors import bot_published_config
from tenants.bots.services import bot_config_draft_create

AVATAR_SIZE = 256
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})
AVATAR_NAME = r"[0-9a-f]{20}\.png"


class AvatarRejected(ValueError):
    """The upload is not an image we accept; the message is shown to the admin."""


def avatar_image_prepare(data: bytes) -> bytes:
    """The upload as a centred, cropped 256×256 PNG, or AvatarRejected with a sentence."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise AvatarRejected(f"The image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<svg" in head:
        raise AvatarRejected("SVG images are not accepted (they can contain scripts). Upload a PNG, JPEG or WebP.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise AvatarRejected("Upload a PNG, JPEG, WebP or GIF image.")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise AvatarRejected("The image has too many pixels.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            image = ImageOps.exif_transpose(image) or image
            image = image.convert("RGBA")
            image = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    except AvatarRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise AvatarRejected("This file is not an image we can read.") from error
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def avatar_path(client: Client, name: str) -> str:
    return f"{client.schema_name}/widget/avatars/{name}"


def bot_avatar_set(*, client: Client, bot: Bot, upload: bytes, actor: Any = None) -> BotConfigVersion:
    """Store the avatar and put it into a NEW DRAFT of the bot's configuration (BOT-4: it goes live
    only when an admin approves the draft). Call inside the client's schema."""
    assert connection.schema_name == client.schema_name, "bot_avatar_set runs inside the client's schema"
    png = avatar_image_prepare(upload)
    name = hashlib.sha256(png).hexdigest()[:20] + ".png"
    path = avatar_path(client, name)
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(png))
    url = reverse("widget_pages:avatar", kwargs={"slug": client.slug, "name": name}, urlconf="config.urls_public")
    config = bot_published_config(bot)
    changed = config.model_copy(update={"widget": config.widget.model_copy(update={"avatar_url": url})})
    return bot_config_draft_create(bot=bot, config=changed, actor=actor, note="Widget avatar changed")
