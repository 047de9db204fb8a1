"""Site photos: content-checked upload, EXIF shooting time and GPS position."""

import io
from datetime import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tuijin.utilities.uploads import check_upload

from .models import ReportPhoto

__all__ = ["exif_metadata", "report_photo_add"]

PHOTO_TYPES = {"image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}
_DATETIME_ORIGINAL, _GPS_IFD, _EXIF_IFD = 36867, 34853, 34665


def _to_degrees(value, ref) -> Decimal | None:
    try:
        degrees, minutes, seconds = (Decimal(str(float(v))) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if ref in ("S", "W"):
        result = -result
    return result.quantize(Decimal("0.000001"))


def exif_metadata(content: bytes) -> tuple[datetime | None, Decimal | None, Decimal | None]:
    """(taken_at in Asia/Shanghai, latitude, longitude) from EXIF, each None when absent or unreadable."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            exif = image.getexif()
            raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(306)
            gps = exif.get_ifd(_GPS_IFD)
    except Exception:  # a photo without readable EXIF is still a photo
        return None, None, None
    taken = None
    if raw:
        try:
            # EXIF times carry no zone: cameras here are set to Beijing time.
            naive = datetime.strptime(str(raw).strip(), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
            taken = timezone.make_aware(naive)
        except ValueError:
            taken = None
    lat = _to_degrees(gps.get(2), gps.get(1)) if gps and gps.get(2) else None
    lng = _to_degrees(gps.get(4), gps.get(3)) if gps and gps.get(4) else None
    return taken, lat, lng


@transaction.atomic
def report_photo_add(*, actor, report, uploaded) -> ReportPhoto:
    checked = check_upload(uploaded, PHOTO_TYPES)
    taken, lat, lng = exif_metadata(checked.content)
    photo = ReportPhoto(
        report=report,
        original_name=(getattr(uploaded, "name", "") or "photo")[-200:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        taken_at=taken,
        latitude=lat,
        longitude=lng,
        uploaded_by=actor,
    )
    photo.file.save(f"{checked.sha256}{checked.extension}", ContentFile(checked.content), save=False)
    photo.save()
    return photo
