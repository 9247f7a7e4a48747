"""Cover images: decoded and re-encoded by Pillow, never served as uploaded.

A file passes only if Pillow recognises it as JPEG, PNG or WebP from its bytes
(the name is ignored), it is under the size and pixel limits, and it decodes
fully. It is then re-encoded as two JPEG variants (EXIF and any trailing
payload dropped) under random names.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 8000 × 5000
MIN_SIDE = 200
MAX_RATIO = 3  # a cover is a picture, not a banner or a strip: between 1:3 and 3:1
VARIANTS = {"large": 1200, "small": 480}
FORMATS = {"JPEG", "PNG", "WEBP"}


def _open(upload: UploadedFile) -> Image.Image:
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            _("Ảnh quá lớn (tối đa %(mb)s MB).") % {"mb": MAX_BYTES // (1024 * 1024)}, code="too_large"
        )
    data = upload.read()
    try:
        # Read the header only first: the size check must come before decoding pixels.
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise ValidationError(_("Chỉ nhận ảnh JPEG, PNG hoặc WebP."), code="format")
            width, height = probe.size
        if width * height > MAX_PIXELS:
            raise ValidationError(_("Ảnh có quá nhiều điểm ảnh (tối đa 40 megapixel)."), code="pixels")
        if max(width, height) > MAX_RATIO * min(width, height):
            raise ValidationError(_("Ảnh bìa phải có tỉ lệ khung từ 1:3 đến 3:1."), code="ratio")
        if min(width, height) < MIN_SIDE:
            raise ValidationError(
                _("Ảnh quá nhỏ (cạnh ngắn nhất phải từ %(px)s điểm ảnh).") % {"px": MIN_SIDE}, code="small"
            )
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(_("Ảnh có quá nhiều điểm ảnh (tối đa 40 megapixel)."), code="pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("Tệp không phải là ảnh hợp lệ."), code="invalid") from None
    return image


def validate_cover(upload: UploadedFile) -> Image.Image:
    """The decoded image, or a ValidationError that says what is wrong."""
    return _open(upload)


def save_cover(image: Image.Image) -> dict[str, str]:
    """Write the variants under MEDIA_ROOT/portal; return their file names by variant name."""
    image = ImageOps.exif_transpose(image).convert("RGB")
    folder = Path(settings.MEDIA_ROOT) / "portal"
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(12)
    paths: dict[str, str] = {}
    for name, width in VARIANTS.items():
        variant = image.copy()
        variant.thumbnail((width, width * 3))
        filename = f"{token}-{width}.jpg"
        variant.save(folder / filename, "JPEG", quality=82, optimize=True, progressive=True)
        paths[name] = filename
    return paths


def delete_cover_files(names: list[str]) -> None:
    """Remove replaced or removed cover files (names are ours: no path can escape the folder)."""
    folder = Path(settings.MEDIA_ROOT) / "portal"
    for name in names:
        path = folder / Path(name).name
        path.unlink(missing_ok=True)
