"""Uploaded raster images (widget avatars, client logos): checked before decoding, re-encoded as PNG.

SVG is refused (it can carry scripts); so are other formats, decompression bombs and unreadable files.
Each caller passes its own exception class, so its pages keep their own wording and types.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})


def image_upload_png(data: bytes, *, rejected: type[ValueError],
                     resize: Callable[[Image.Image], Image.Image]) -> bytes:
    """The upload, upright, as RGBA, passed through `resize`, as PNG bytes; or `rejected` with a sentence."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise rejected(f"The image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<svg" in head:
        raise rejected("SVG images are not accepted (they can contain scripts). Upload a PNG, JPEG or WebP.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise rejected("Upload a PNG, JPEG, WebP or GIF image.")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise rejected("The image has too many pixels.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.seek(0)
            image: Image.Image = ImageOps.exif_transpose(opened) or opened
            image = resize(image.convert("RGBA"))
    except rejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise rejected("This file is not an image we can read.") from error
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
