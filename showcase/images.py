"""Case images: checked by what they contain (never by their name), re-encoded so that no
metadata (GPS position, camera, author) leaves the uploader's device with them."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
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
        # Translators: name is the file name of an uploaded image.
        raise ValidationError(gettext("%(name)s is larger than 5 MB.") % {"name": name})
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    gettext("%(name)s has too many pixels (%(width)s x %(height)s).")
                    % {"name": name, "width": width, "height": height}
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the orientation, drop the EXIF
            if kind not in FORMATS:
                raise ValidationError(
                    # Translators: kind is an image format such as GIF or TIFF.
                    gettext("%(name)s is a %(kind)s image: use JPEG, PNG or WebP.")
                    % {"name": name, "kind": kind}
                )
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
            gettext("%(name)s is not an image we can read: use JPEG, PNG or WebP.") % {"name": name}
        ) from None
    return CleanImage(out.getvalue(), FORMATS[kind], image.width, image.height)
