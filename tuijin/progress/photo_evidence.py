"""Site photos as evidence (issue 19, mission row M18): what a photo says about itself and what it is checked against.

For every report photo, at upload (`photo_evidence_apply`, called by `photos._photo_create`) and by the command
`tuijin photo_evidence` for photos stored before:

- **EXIF**: the shooting time (as Asia/Shanghai; a zone offset in the EXIF is honoured, else the camera is taken to
  be on Beijing time), the GPS position, the device's make and model. A photo without EXIF is only noted, not
  flagged: many phones and chat apps strip it.
- **Renditions**: the original is kept untouched as evidence and downloadable; pages show a JPEG rendition (long
  side ≤ 1600 px) and a thumbnail (≤ 320 px), both with the EXIF orientation applied and every metadata block
  (EXIF, GPS, ICC, XMP) left out, so the page never serves the original's location data or its full pixel count.
- **Perceptual hash**: a 64-bit difference hash (dHash) of the oriented picture — greyscale, shrunk to 9×8 with a box
  filter, one bit per horizontally adjacent pair (left brighter than right). Re-compression, resizing and small
  colour changes leave it within a few bits; a different picture differs in about half of them. It is 20 lines on
  Pillow, which is already a dependency, so no hashing library is added (imagehash would also pull numpy and
  scipy). An almost uniform picture (a covered lens, a black test image) gets no hash: it would match every other.
- **Flags** (booleans for counting, `flag_details` for the wording), each a warning shown to the reporter and the
  reviewers, never a refusal:
  - `far`: the GPS position lies more than `TUIJIN_PHOTO_FAR_KM` from the project's coordinates (only when both
    exist; great-circle distance);
  - `early`: taken more than `TUIJIN_PHOTO_EARLY_DAYS` days before the reporting month starts;
  - `reused`: the same file (SHA-256) or a picture within `TUIJIN_PHOTO_HASH_DISTANCE` bits of a photo uploaded
    earlier to another project or another month. The other photo is named by its project and month; the page
    shows the project's name only to a viewer who may see that project.

`photo_flag_counts(user, period)` counts photos and flags per responsible unit for a month.
"""

import io
import math
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.periods import month_start
from tuijin.utilities.uploads import image_max_pixels, image_size

from .models import ReportPhoto

__all__ = [
    "PhotoEvidence",
    "PhotoFlagCounts",
    "dhash",
    "distance_km",
    "hamming",
    "photo_evidence_apply",
    "photo_flag_counts",
    "photo_flag_messages",
    "photo_flags_evaluate",
    "read_evidence",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
RENDITION_SIDE = 1600
THUMBNAIL_SIDE = 320
FLAT_STDDEV = 2.0  # greyscale standard deviation below which a picture carries no usable hash
MAX_MATCHES = 3  # earlier photos named in a `reused` flag

# EXIF tags: IFD0, the Exif IFD and the GPS IFD
_MAKE, _MODEL, _DATETIME, _EXIF_IFD, _GPS_IFD = 271, 272, 306, 34665, 34853
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 36867, 36881


@dataclass
class PhotoEvidence:
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    camera_make: str = ""
    camera_model: str = ""
    phash: str = ""
    rendition: bytes | None = None
    thumbnail: bytes | None = None
    problems: list[str] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------------------------------------


def _degrees(value, ref) -> Decimal | None:
    try:
        degrees, minutes, seconds = (Decimal(str(float(v))) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip().upper() in ("S", "W"):
        result = -result
    return result.quantize(Decimal("0.000001"))


def _taken_at(raw, offset) -> datetime | None:
    if not raw:
        return None
    try:
        naive = datetime.strptime(str(raw).strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    if offset:
        try:
            zoned = datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S}{str(offset).strip()}", "%Y-%m-%d %H:%M:%S%z")
            return zoned.astimezone(SHANGHAI)
        except ValueError:
            pass
    # EXIF times usually carry no zone: cameras here are set to Beijing time.
    return naive.replace(tzinfo=SHANGHAI)


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "ignore")
    return str(value or "").replace("\x00", "").strip()[:100]


def _read_exif(image, evidence: PhotoEvidence) -> None:
    try:
        exif = image.getexif()
        sub = exif.get_ifd(_EXIF_IFD)
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:  # a photo without readable EXIF is still a photo
        return
    evidence.taken_at = _taken_at(sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME), sub.get(_OFFSET_TIME_ORIGINAL))
    if gps and gps.get(2) and gps.get(4):
        lat, lng = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
        # (0, 0) is what a phone without a fix writes
        if lat is not None and lng is not None and (lat, lng) != (0, 0) and abs(lat) <= 90 and abs(lng) <= 180:
            evidence.latitude, evidence.longitude = lat, lng
    evidence.camera_make, evidence.camera_model = _text(exif.get(_MAKE)), _text(exif.get(_MODEL))


def _rgb(image):
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image, side: int, quality: int) -> bytes:
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)  # no exif=: none is written
    return buffer.getvalue()


def dhash(image) -> str:
    """The 64-bit difference hash of a (decoded) picture as 16 hex digits, or "" when it is almost uniform."""
    from PIL import Image, ImageStat

    grey = image.convert("L")
    if ImageStat.Stat(grey).stddev[0] < FLAT_STDDEV:
        return ""
    small = grey.resize((9, 8), Image.Resampling.BOX)
    pixels = list(small.get_flattened_data())
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def read_evidence(content: bytes) -> PhotoEvidence:
    """Everything a photo's bytes say: size, EXIF, hash, rendition and thumbnail. Never raises: what cannot be read is
    left empty (and named in `problems`). Images above the pixel limit (stored before the limit existed) get their
    metadata only; nothing is decoded."""
    from PIL import Image, ImageOps

    evidence = PhotoEvidence()
    limit = image_max_pixels()
    declared = image_size(content)
    if declared is not None and declared[0] * declared[1] > limit:
        evidence.width, evidence.height = declared
        evidence.problems.append("too_large")
        return evidence
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                evidence.width, evidence.height = image.size
                _read_exif(image, evidence)
                if image.size[0] * image.size[1] > limit:
                    evidence.problems.append("too_large")
                    return evidence
                if image.format == "JPEG":
                    # decode at the smallest DCT scale that still covers the rendition: a quarter of the memory
                    image.draft("RGB", (RENDITION_SIDE, RENDITION_SIDE))
                oriented = ImageOps.exif_transpose(image)
                picture = _rgb(oriented)
    except Image.DecompressionBombError:
        evidence.problems.append("too_large")
        return evidence
    except Exception:  # a damaged legacy file: keep what was read
        evidence.problems.append("unreadable")
        return evidence
    evidence.phash = dhash(picture)
    evidence.rendition = _jpeg(picture, RENDITION_SIDE, 82)
    evidence.thumbnail = _jpeg(picture, THUMBNAIL_SIDE, 75)
    return evidence


# --- checking -----------------------------------------------------------------------------------------------------


def distance_km(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _earlier_elsewhere(photo: ReportPhoto):
    """Photos uploaded before `photo` to another project or another month (the same report's month and project
    may hold the same picture twice without it being a reuse)."""
    report = photo.report
    return (
        ReportPhoto.objects.filter(pk__lt=photo.pk)
        .exclude(report__project_id=report.project_id, report__period=report.period)
        .order_by("pk")
    )


def _reuse_matches(photo: ReportPhoto) -> list[dict]:
    earlier = _earlier_elsewhere(photo)
    matches: list[dict] = []
    seen: set[int] = set()
    for pk, report_id, project_id, period in earlier.filter(sha256=photo.sha256).values_list(
        "pk", "report_id", "report__project_id", "report__period"
    )[:MAX_MATCHES]:
        matches.append(
            {
                "code": "duplicate",
                "photo": pk,
                "report": report_id,
                "project": project_id,
                "period": period.isoformat(),
                "distance": 0,
            }
        )
        seen.add(pk)
    limit = settings.TUIJIN_PHOTO_HASH_DISTANCE
    if photo.phash and len(matches) < MAX_MATCHES:
        # Every earlier hash is compared in Python, reading two columns without a join (measured: 0.66 s for
        # 100,000 photos on SQLite, on a busy 2-core machine); only the close ones are then read with their report.
        value, close = int(photo.phash, 16), {}
        rows = ReportPhoto.objects.filter(pk__lt=photo.pk).exclude(phash="").exclude(sha256=photo.sha256)
        for pk, phash in rows.values_list("pk", "phash").iterator(chunk_size=10000):
            bits = (value ^ int(phash, 16)).bit_count()
            if bits <= limit:
                close[pk] = bits
                if len(close) >= 500:  # the earliest 500 close ones are plenty to name three
                    break
        if close:
            for pk, report_id, project_id, period in (
                earlier.filter(pk__in=list(close))
                .exclude(pk__in=seen)
                .values_list("pk", "report_id", "report__project_id", "report__period")[: MAX_MATCHES - len(matches)]
            ):
                matches.append(
                    {
                        "code": "similar",
                        "photo": pk,
                        "report": report_id,
                        "project": project_id,
                        "period": period.isoformat(),
                        "distance": close[pk],
                    }
                )
    return matches


def photo_flags_evaluate(photo: ReportPhoto) -> None:
    """Set `photo`'s flags and their details from its stored evidence (not saved)."""
    report, project = photo.report, photo.report.project
    details: list[dict] = []
    photo.flag_far = photo.flag_early = photo.flag_reused = False
    if None not in (photo.latitude, photo.longitude, project.latitude, project.longitude):
        km = distance_km(photo.latitude, photo.longitude, project.latitude, project.longitude)
        if km > settings.TUIJIN_PHOTO_FAR_KM:
            photo.flag_far = True
            details.append({"code": "far", "km": round(km, 1)})
    if photo.taken_at is not None:
        start = month_start(report.period)
        taken = timezone.localtime(photo.taken_at, SHANGHAI).date()
        if taken < start - timedelta(days=settings.TUIJIN_PHOTO_EARLY_DAYS):
            photo.flag_early = True
            details.append({"code": "early", "taken": taken.isoformat(), "period": start.isoformat()})
    matches = _reuse_matches(photo)
    if matches:
        photo.flag_reused = True
        details.extend(matches)
    photo.flag_details = details


def _store(field_file, name: str, content: bytes | None) -> None:
    old = field_file.name
    if content is None:
        field_file.name = ""
    else:
        field_file.save(name, ContentFile(content), save=False)
    if old and old != field_file.name:
        field_file.storage.delete(old)


def photo_evidence_apply(photo: ReportPhoto, content: bytes, *, save: bool = True) -> PhotoEvidence:
    """Read `content` (the photo's original bytes), store the rendition and thumbnail, set the EXIF fields, the hash
    and the flags. `photo` must already have a primary key (the reuse check compares with earlier photos)."""
    evidence = read_evidence(content)
    photo.width, photo.height = evidence.width, evidence.height
    photo.taken_at, photo.latitude, photo.longitude = evidence.taken_at, evidence.latitude, evidence.longitude
    photo.camera_make, photo.camera_model, photo.phash = evidence.camera_make, evidence.camera_model, evidence.phash
    _store(photo.rendition, f"{photo.sha256}.jpg", evidence.rendition)
    _store(photo.thumbnail, f"{photo.sha256}.jpg", evidence.thumbnail)
    photo_flags_evaluate(photo)
    photo.evidence_checked_at = timezone.now()
    if save:
        photo.save()
    return evidence


# --- showing and counting -----------------------------------------------------------------------------------------


def _month(value: str) -> str:
    day = date.fromisoformat(value)
    return _("%(y)d年%(m)d月") % {"y": day.year, "m": day.month}


def photo_flag_messages(photo: ReportPhoto, user) -> list[dict]:
    """The photo's flags as badges for `user`: [{"text", "kind" ("warning"/"info"), "url"}]. Another project is
    named (and linked) only when `user` may see it."""
    from tuijin.projects.models import Project

    from .models import ProgressReport

    details = photo.flag_details or []
    others = {d["project"] for d in details if "project" in d}
    visible = (
        dict(Project.objects.restrict(user, "view").filter(pk__in=others).values_list("pk", "name")) if others else {}
    )
    reports = {d["report"] for d in details if d.get("project") in visible}
    readable = (
        set(ProgressReport.objects.restrict(user, "view").filter(pk__in=reports).values_list("pk", flat=True))
        if reports
        else set()
    )
    own_project = photo.report.project_id
    badges: list[dict] = []
    for detail in details:
        code, url = detail.get("code"), ""
        if code == "far":
            text = _("拍摄地点距项目 %(km)s 公里") % {"km": detail["km"]}
        elif code == "early":
            text = _("拍摄于 %(d)s，早于填报月份（%(m)s）") % {"d": detail["taken"], "m": _month(detail["period"])}
        elif code in ("duplicate", "similar"):
            if detail["project"] == own_project:
                where = _("本项目")
            elif detail["project"] in visible:
                where = visible[detail["project"]]
            else:
                where = _("其他单位的项目")
            values = {"p": where, "m": _month(detail["period"])}
            if code == "duplicate":
                text = _("与 %(p)s %(m)s 的照片相同") % values
            else:
                text = _("与 %(p)s %(m)s 的照片近似重复") % values
            if detail.get("report") in readable:
                from django.urls import reverse

                url = reverse("progress:report", args=[detail["report"]])
        else:
            continue
        badges.append({"text": text, "kind": "warning", "url": url})
    if photo.evidence_checked_at and photo.taken_at is None and photo.latitude is None and not photo.camera_model:
        badges.append({"text": _("无拍摄信息（EXIF）"), "kind": "info", "url": ""})
    return badges


@dataclass
class PhotoFlagCounts:
    photos: int = 0
    flagged: int = 0
    far: int = 0
    early: int = 0
    reused: int = 0


def photo_flag_counts(user, period) -> dict[int, PhotoFlagCounts]:
    """Per responsible unit (its pk), the month's photos in `user`'s view scope and how many carry each flag."""
    flagged = Q(flag_far=True) | Q(flag_early=True) | Q(flag_reused=True)
    rows = (
        ReportPhoto.objects.restrict(user, "view")
        .filter(report__period=month_start(period))
        .values("report__project__responsible_unit")
        .annotate(
            photos=Count("pk"),
            flagged=Count("pk", filter=flagged),
            far=Count("pk", filter=Q(flag_far=True)),
            early=Count("pk", filter=Q(flag_early=True)),
            reused=Count("pk", filter=Q(flag_reused=True)),
        )
        .order_by()
    )
    return {
        row["report__project__responsible_unit"]: PhotoFlagCounts(
            photos=row["photos"], flagged=row["flagged"], far=row["far"], early=row["early"], reused=row["reused"]
        )
        for row in rows
    }
