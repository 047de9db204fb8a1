"""Checking uploaded files by content, not by name: size limit, sniffed type, zip bombs, image bombs."""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = [
    "UPLOAD_INVALID",
    "CheckedUpload",
    "check_upload",
    "is_upload_error",
    "sniff_type",
    "store_checked_upload",
]

# The code of every ValidationError raised here: a page shows it on its file field (see is_upload_error).
UPLOAD_INVALID = "upload_invalid"
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 100


@dataclass
class CheckedUpload:
    content: bytes
    content_type: str
    extension: str
    sha256: str
    size: int


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    # a crafted header fails in many ways: BadZipFile, NotImplementedError (an impossible "version needed"), ValueError,
    # EOFError, OSError …; every one is the same clean refusal
    except Exception as exc:
        raise ValidationError(_("文件已损坏，无法打开。"), code=UPLOAD_INVALID) from exc
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 * 1024 * 1024:
            raise ValidationError(_("文件压缩比异常（疑似压缩炸弹），已拒绝。"), code=UPLOAD_INVALID)
    if total > MAX_UNZIPPED:
        raise ValidationError(_("文件解压后过大（疑似压缩炸弹），已拒绝。"), code=UPLOAD_INVALID)
    return archive


def is_upload_error(exc: ValidationError) -> bool:
    """Whether a ValidationError (without field keys) was raised by the upload checks (by its code)."""
    return not hasattr(exc, "error_dict") and any(e.code == UPLOAD_INVALID for e in exc.error_list)


def sniff_type(data: bytes) -> str | None:
    """The real type from the first bytes (and, for Office files, the zip's contents)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"PK\x03\x04"):
        names = set(_check_zip(data).namelist())
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if any(n.startswith("xl/") for n in names):
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def check_upload(uploaded, allowed: dict[str, tuple[str, ...]], *, max_mb: int | None = None) -> CheckedUpload:
    """Read the upload (bounded), check size, sniffed type against `allowed` and the file-name extension."""
    limit = (max_mb or settings.TUIJIN_UPLOAD_MAX_MB) * 1024 * 1024
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(_("文件超过 %(mb)d MB 的上限。") % {"mb": limit // (1024 * 1024)}, code=UPLOAD_INVALID)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("文件超过 %(mb)d MB 的上限。") % {"mb": limit // (1024 * 1024)}, code=UPLOAD_INVALID)
    if not data:
        raise ValidationError(_("文件为空。"), code=UPLOAD_INVALID)
    content_type = sniff_type(data)
    if content_type is None or content_type not in allowed:
        raise ValidationError(
            _("不支持的文件类型（按文件内容识别）。允许：%(types)s。")
            % {"types": "、".join(ext for exts in allowed.values() for ext in exts)},
            code=UPLOAD_INVALID,
        )
    name = (getattr(uploaded, "name", "") or "").lower()
    extension = next((ext for ext in allowed[content_type] if name.endswith(ext)), None)
    if extension is None:
        raise ValidationError(
            _("文件扩展名与文件内容不符（内容为 %(ext)s）。") % {"ext": allowed[content_type][0]}, code=UPLOAD_INVALID
        )
    if content_type.startswith("image/"):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Exception as exc:  # Pillow raises many types, DecompressionBombError included
            raise ValidationError(_("图片文件已损坏或尺寸异常。"), code=UPLOAD_INVALID) from exc
    return CheckedUpload(data, content_type, extension, hashlib.sha256(data).hexdigest(), len(data))


def store_checked_upload(stored, uploaded, allowed: dict[str, tuple[str, ...]]) -> CheckedUpload:
    """Check `uploaded` (`check_upload`) and save it as `stored`, an unsaved attachment row of any app with the fields
    `file`, `original_name`, `content_type`, `extension`, `size` and `sha256` (the file named by its hash). The row is
    validated (`full_clean`) and saved; the caller sets its own fields (owner, kind, uploader) before."""
    from django.core.files.base import ContentFile

    checked = check_upload(uploaded, allowed)
    stored.original_name = (getattr(uploaded, "name", "") or "file")[-200:]
    stored.content_type, stored.extension = checked.content_type, checked.extension
    stored.size, stored.sha256 = checked.size, checked.sha256
    stored.file.save(f"{checked.sha256}{checked.extension}", ContentFile(checked.content), save=False)
    stored.full_clean()
    stored.save()
    return checked
