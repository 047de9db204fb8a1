"""Checking uploaded files by content, not by name: size limit, sniffed type, zip bombs, image bombs."""

import contextlib
import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = [
    "UPLOAD_INVALID",
    "CheckedUpload",
    "check_image",
    "check_upload",
    "image_max_pixels",
    "image_size",
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
    try:
        # every member decompresses with its CRC (the sizes are bounded above): a member with an impossible
        # compression method, an encryption flag or damaged bytes makes an Office file nobody can open (#19)
        damaged = archive.testzip()
    except Exception as exc:
        raise ValidationError(_("文件已损坏，无法打开。"), code=UPLOAD_INVALID) from exc
    if damaged is not None:
        raise ValidationError(_("文件已损坏，无法打开。"), code=UPLOAD_INVALID)
    return archive


def image_max_pixels() -> int:
    """The largest accepted image, in pixels (`TUIJIN_IMAGE_MAX_MEGAPIXELS`). Also set as Pillow's own guard, which
    warns above it and refuses at twice it, wherever an image is opened in this process."""
    from PIL import Image

    limit = settings.TUIJIN_IMAGE_MAX_MEGAPIXELS * 1_000_000
    Image.MAX_IMAGE_PIXELS = limit
    return limit


def _too_many_pixels(limit: int, size: tuple[int, int] | None = None, pixels: int | None = None) -> ValidationError:
    if size is None:
        message = _(
            "图片约 %(mp)d 百万像素，超过 %(limit)d 百万像素的上限（疑似图片炸弹），已拒绝。"
            "请缩小图片或在相机中选用标准画质后重新上传。"
        ) % {"mp": round((pixels or 2 * limit) / 1_000_000), "limit": limit // 1_000_000}
    else:
        message = _(
            "图片尺寸 %(w)d×%(h)d 像素（约 %(mp)d 百万像素），超过 %(limit)d 百万像素的上限，已拒绝。"
            "请缩小图片或在相机中选用标准画质后重新上传。"
        ) % {"w": size[0], "h": size[1], "mp": round(size[0] * size[1] / 1_000_000), "limit": limit // 1_000_000}
    return ValidationError(message, code=UPLOAD_INVALID)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) declared by a PNG's or JPEG's header, read by the format's own parser without `Image.open`'s
    bomb guard and without decoding a pixel; None when neither parser accepts the header."""
    from PIL import JpegImagePlugin, PngImagePlugin

    for factory in (PngImagePlugin.PngImageFile, JpegImagePlugin.JpegImageFile):
        # any exception: not this format, or a damaged header (check_image's Image.open then refuses it)
        with contextlib.suppress(Exception), factory(io.BytesIO(data)) as image:
            return image.size
    return None


def check_image(data: bytes) -> tuple[int, int]:
    """(width, height) of a JPEG or PNG that Pillow can read, refused (ValidationError) when it is damaged or declares
    more than `image_max_pixels()`. The size comes from the header: no pixel is decoded before the check, so a 17 KB
    PNG declaring 144 megapixels costs nothing."""
    from PIL import Image

    limit = image_max_pixels()
    declared = image_size(data)
    if declared is not None and declared[0] * declared[1] > limit:
        raise _too_many_pixels(limit, declared)
    try:
        with warnings.catch_warnings():
            # between the limit and twice it Pillow only warns; the explicit check below refuses with the size
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > limit:
                    raise _too_many_pixels(limit, (width, height))
                image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:  # raised by Image.open itself above twice the limit
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(limit, pixels=int(found.group(1)) if found else None) from exc
    except Exception as exc:  # Pillow raises many types for a damaged file
        raise ValidationError(_("图片文件已损坏或尺寸异常。"), code=UPLOAD_INVALID) from exc
    return width, height


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
        check_image(data)
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
