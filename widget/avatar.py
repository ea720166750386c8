"""WID-4: the bot avatar an admin uploads. Validated by decoding it, re-encoded, stored per client.

Only raster images that Pillow decodes (PNG, JPEG, WebP, GIF) are accepted; SVG is refused because it
can carry script. The stored file is always a fresh 256×256 PNG written by us, never the upload's bytes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from PIL import Image, ImageOps

from controlplane.clients.models import Client
from controlplane.core.images import image_upload_png
from tenants.bots.models import Bot, BotConfigVersion
from tenants.bots.selectors import bot_published_config
from tenants.bots.services import bot_config_draft_create

AVATAR_SIZE = 256
AVATAR_NAME = r"[0-9a-f]{20}\.png"


class AvatarRejected(ValueError):
    """The upload is not an image we accept; the message is shown to the admin."""


def _avatar_fit(image: Image.Image) -> Image.Image:
    return ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)


def avatar_image_prepare(data: bytes) -> bytes:
    """The upload as a centred, cropped 256×256 PNG, or AvatarRejected with a sentence."""
    return image_upload_png(data, rejected=AvatarRejected, resize=_avatar_fit)


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
