"""Files people upload (plan attachments, report evidence): recognised by their bytes, not their name.

``check_upload`` refuses a file whose first bytes do not match its extension (a renamed
.exe), one over the size limit, and an Office file (a zip) that would inflate beyond
``MAX_INFLATED_BYTES`` or holds more than ``MAX_ZIP_MEMBERS`` parts (a zip bomb). It reads
only the zip's central directory, never the inflated content.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

from thidua.core.text import clean_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
KINDS = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".docx": (ZIP_MAGIC, DOCX),
    ".xlsx": (ZIP_MAGIC, XLSX),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
}
# The part that makes a zip a Word or Excel file (a renamed .zip of anything else is refused).
OFFICE_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000


def check_upload(upload: Any, *, max_bytes: int) -> tuple[str, str]:
    """(clean file name, content type) of an acceptable upload; ``ValidationError`` otherwise."""
    name = clean_text(PurePath(upload.name or "").name)[:200]
    suffix = PurePath(name).suffix.lower()
    if suffix not in KINDS:
        raise ValidationError(_("Chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx), JPG hoặc PNG."))
    if upload.size > max_bytes:
        raise ValidationError(_("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": max_bytes // (1024 * 1024)})
    if upload.size == 0:
        raise ValidationError(_("Tệp rỗng."))
    magic, content_type = KINDS[suffix]
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(magic):
        raise ValidationError(_("Nội dung tệp không khớp với đuôi %(suffix)s.") % {"suffix": suffix})
    if magic == ZIP_MAGIC:
        _check_office_zip(upload, suffix)
    return name, content_type


def _check_office_zip(upload: Any, suffix: str) -> None:
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_INFLATED_BYTES:
                raise ValidationError(_("Tệp nén bên trong quá lớn; không nhận."))
            if OFFICE_PART[suffix] not in {i.filename for i in infos}:
                raise ValidationError(_("Nội dung tệp không khớp với đuôi %(suffix)s.") % {"suffix": suffix})
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("Tệp hỏng hoặc không đúng định dạng %(suffix)s.") % {"suffix": suffix}) from exc
    finally:
        upload.seek(0)


def download(file: Any, *, name: str, content_type: str) -> FileResponse:
    """A stored upload sent back as an attachment, with the type recorded when it was checked
    (never guessed again by the browser: ``nosniff``)."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
