"""Site photos: content-checked upload (the pixel cap included), then the evidence of photo_evidence.py (EXIF,
rendition, thumbnail, perceptual hash, flags); deleting one from a draft; keeping a photo chosen on a form whose save
failed (PendingPhoto) so the retried save attaches it."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError
from tuijin.core.periods import month_start
from tuijin.core.permissions import check_scope
from tuijin.utilities.uploads import check_upload

from .choices import ReportEventType, ReportStatus
from .models import PendingPhoto, ReportEvent, ReportPhoto
from .photo_evidence import photo_evidence_apply

__all__ = [
    "pending_photo_attach",
    "pending_photo_store",
    "pending_photos_for",
    "report_photo_add",
    "report_photo_delete",
]

PENDING_MAX_AGE = timedelta(days=1)

PHOTO_TYPES = {"image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


def _photo_create(*, actor, report, name, content_type, size, sha256, extension, content) -> ReportPhoto:
    photo = ReportPhoto(
        report=report,
        original_name=(name or "photo")[-200:],
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor,
    )
    photo.file.save(f"{sha256}{extension}", ContentFile(content), save=False)
    photo.save()
    # EXIF, rendition, thumbnail, perceptual hash and the evidence flags (warnings, never a refusal)
    photo_evidence_apply(photo, content)
    ReportEvent.objects.create(
        report=report, actor=actor, type=ReportEventType.PHOTO_ADDED, data={"name": photo.original_name}
    )
    return photo


@transaction.atomic
def report_photo_add(*, actor, report, uploaded) -> ReportPhoto:
    checked = check_upload(uploaded, PHOTO_TYPES)
    return _photo_create(
        actor=actor,
        report=report,
        name=getattr(uploaded, "name", ""),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        extension=checked.extension,
        content=checked.content,
    )


@transaction.atomic
def report_photo_delete(*, actor, photo: ReportPhoto) -> None:
    """Delete a photo of a draft report (the report's editors, in scope); the report's timeline records it and
    the file is removed once the transaction commits."""
    report = photo.report
    if actor is not None and not actor.has_perm("progress.change_progressreport"):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    check_scope(actor, report, "change", message=_("该月报不在您的管理范围内。"))
    if report.status != ReportStatus.DRAFT:
        raise ApplicationError(_("月报已提交，照片不能删除；如需修改请联系审核人退回。"), code="not_draft")
    name, storage = photo.original_name, photo.file.storage
    paths = [f.name for f in (photo.file, photo.rendition, photo.thumbnail) if f and f.name]
    photo.delete()
    ReportEvent.objects.create(report=report, actor=actor, type=ReportEventType.PHOTO_DELETED, data={"name": name})
    transaction.on_commit(lambda: [storage.delete(path) for path in paths])


@transaction.atomic
def pending_photo_store(*, actor, project, period, uploaded) -> PendingPhoto:
    """Check a chosen photo and keep it for `actor`'s next save of this project's month (ValidationError on the
    photo field when it is not an acceptable photo). Clears the user's leftovers older than a day."""
    checked = check_upload(uploaded, PHOTO_TYPES)
    stale = PendingPhoto.objects.filter(user=actor, created__lt=timezone.now() - PENDING_MAX_AGE)
    for old in stale:
        _pending_discard(old)
    pending = PendingPhoto(
        user=actor,
        project=project,
        period=month_start(period),
        original_name=(getattr(uploaded, "name", "") or "photo")[-200:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    pending.file.save(f"{checked.sha256}{checked.extension}", ContentFile(checked.content), save=False)
    pending.save()
    return pending


def _pending_discard(pending: PendingPhoto) -> None:
    storage, path = pending.file.storage, pending.file.name
    pending.delete()
    transaction.on_commit(lambda: storage.delete(path) if path else None)


def pending_photos_for(actor, project, period, pks) -> list[PendingPhoto]:
    """The kept photos named by `pks` that belong to `actor` and this project's month (others are ignored)."""
    ids = []
    for pk in pks or []:
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            continue
    if not ids or actor is None:
        return []
    return list(PendingPhoto.objects.filter(pk__in=ids, user=actor, project=project, period=month_start(period)))


@transaction.atomic
def pending_photo_attach(*, actor, report, pending: PendingPhoto) -> ReportPhoto:
    """Attach a kept photo to the saved report (within the save's transaction) and drop the pending row."""
    if pending.user_id != getattr(actor, "pk", None) or pending.project_id != report.project_id:
        raise PermissionDenied(_("该照片不属于本月报。"))
    with pending.file.open("rb") as handle:
        content = handle.read()
    extension = "." + pending.file.name.rsplit(".", 1)[-1] if "." in pending.file.name else ""
    photo = _photo_create(
        actor=actor,
        report=report,
        name=pending.original_name,
        content_type=pending.content_type,
        size=pending.size,
        sha256=pending.sha256,
        extension=extension,
        content=content,
    )
    _pending_discard(pending)
    return photo
