"""Case images: checked by what they contain (never by their name), re-encoded so that no
metadata (GPS position, camera, author) leaves the uploader's device with them."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_IMAGES = 5
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass
class CleanImage:
    content: bytes
    content_type: str
    width: int
    height: int


def image_clean(upload: object) -> CleanImage:
    name = getattr(upload, "name", "image")
    if upload.size > MAX_BYTES:
        raise ValidationError(f"{name} is larger than 5 MB.")
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(f"{name} has too many pixels ({width} x {height}).")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the orientation, drop the EXIF
            if kind not in FORMATS:
                raise ValidationError(f"{name} is a {kind} image: use JPEG, PNG or WebP.")
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            elif kind == "PNG":
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=88)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            f"{name} is not an image we can read: use JPEG, PNG or WebP."
        ) from None
    return CleanImage(out.getvalue(), FORMATS[kind], image.width, image.height)
