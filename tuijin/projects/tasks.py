"""Excel imports as background jobs (django-tasks): create a validated job from an upload, enqueue it, run it.

`import_job_create` checks the upload (content-sniffed .xlsx, size limit, zip bomb …), stores it and validates it
synchronously, so the user sees every error before anything runs. `import_job_start` queues the job;
`run_import_job` re-validates the stored file against the current data and applies it in one transaction.

A job never stays "running" after an exception: any failure is written as status "failed" with a Chinese message
(and nothing imported, since the import transaction rolled back). A worker killed mid-import leaves the row
"running"; `import_jobs_fail_stale` marks such orphans failed (call it from a periodic job or at worker start).

Progress: `processed_rows` is updated every 200 rows with `ImportJob.objects.filter(pk=…).update(…)`. Those
updates run inside the import transaction (ONE transaction is the all-or-nothing guarantee), so other connections
see them only when it commits — on SQLite the transaction also holds the write lock. The status page therefore
shows 导入中 until the end and then the final counts; a separate database connection for live progress is
deliberately not used.
"""

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tuijin.core.exceptions import ApplicationError
from tuijin.utilities.excel import XLSX_TYPES
from tuijin.utilities.uploads import check_upload

from .excel import apply_import, parse_workbook
from .models import ImportJob

__all__ = ["MAX_STORED_ERRORS", "import_job_create", "import_job_start", "import_jobs_fail_stale", "run_import_job"]

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 20000


def _stored(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(errors) <= MAX_STORED_ERRORS:
        return errors
    more = len(errors) - MAX_STORED_ERRORS
    return errors[:MAX_STORED_ERRORS] + [
        {"row": 0, "column": "", "message": _("另有 %(n)d 处错误未列出。") % {"n": more}}
    ]


def import_job_create(*, actor, uploaded, only_valid: bool = False) -> ImportJob:
    """Check and store an uploaded .xlsx and validate it now; a refused file raises ValidationError (nothing kept)."""
    checked = check_upload(uploaded, XLSX_TYPES)
    report = parse_workbook(checked.content, actor=actor)
    if report.fatal:
        details = [e["message"] for e in report.errors if e["message"] != report.fatal]
        raise ValidationError(" ".join([report.fatal, *details]), code="import_file")
    name = (getattr(uploaded, "name", "") or "import.xlsx").replace("\\", "/").rsplit("/", 1)[-1][-200:]
    job = ImportJob(
        original_name=name,
        sha256=checked.sha256,
        created_by=actor,
        status="validated",
        only_valid=only_valid,
        total_rows=report.total_rows,
        error_rows=report.error_rows,
        errors=_stored(report.errors),
        message=report.summary()[:300],
    )
    job.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(checked.content), save=False)
    job.save()
    return job


def import_job_start(job: ImportJob) -> ImportJob:
    """Queue a validated job (status "queued"); the worker runs `run_import_job`."""
    updated = ImportJob.objects.filter(pk=job.pk, status="validated").update(
        status="queued", only_valid=job.only_valid, message=_("排队等待导入…")
    )
    if not updated:
        raise ApplicationError(_("该导入任务已执行或正在执行。"), code="job_started")
    job.status = "queued"
    run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _finish(job_id: int, **values: Any) -> None:
    """Write the job's outcome and tell the person who started it (in-app and the channel): a long import runs in
    the background, so the user may have left the status page."""
    from django.urls import reverse

    from tuijin.notifications.services import notify

    ImportJob.objects.filter(pk=job_id).update(finished=timezone.now(), **values)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    done = job.status == "done"
    title = (_("项目导入完成：%(f)s") if done else _("项目导入失败：%(f)s")) % {"f": job.original_name}
    notify(
        users=[job.created_by],
        title=title,
        body=job.message,
        url=reverse("projects:import_job", args=[job.pk]),
        level="success" if done else "danger",
        kind="import_finished",
        dedup_key=f"import:{job.pk}",
    )


@task()
def run_import_job(job_id: int) -> dict[str, Any]:
    """Re-validate the stored file and import it in one transaction; the job ends "done" or "failed", never running."""
    claimed = ImportJob.objects.filter(pk=job_id, status__in=["queued", "validated"]).update(
        status="running", processed_rows=0, message=_("正在导入…")
    )
    if not claimed:
        return {"status": "skipped"}
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        report = parse_workbook(data, actor=job.created_by)
        ImportJob.objects.filter(pk=job_id).update(
            total_rows=report.total_rows, error_rows=report.error_rows, errors=_stored(report.errors)
        )

        def progress(done: int, total: int) -> None:  # rows identical to the database count as processed
            ImportJob.objects.filter(pk=job_id).update(processed_rows=report.unchanged + done)

        created, updated = apply_import(report, actor=job.created_by, only_valid=job.only_valid, progress=progress)
    except ApplicationError as exc:
        _finish(job_id, status="failed", message=(_("导入失败：%(m)s") % {"m": exc.message})[:300])
        return {"status": "failed"}
    except Exception:
        logger.exception("import job %s failed", job_id)
        _finish(job_id, status="failed", message=_("导入失败：系统错误（已记录日志），未导入任何数据。"))
        raise
    message = _("导入完成：新增 %(c)d 个项目，更新 %(u)d 个，与现有数据一致 %(n)d 个") % {
        "c": created,
        "u": updated,
        "n": report.unchanged,
    }
    if report.errors:
        message += _("；跳过有错误的 %(e)d 行") % {"e": report.error_rows}
    _finish(
        job_id,
        status="done",
        processed_rows=report.total_rows,
        created_count=created,
        updated_count=updated,
        message=(message + "。")[:300],
    )
    return {"status": "done", "created": created, "updated": updated}


def import_jobs_fail_stale(*, older_than: timedelta = timedelta(hours=2)) -> int:
    """Mark jobs left "running" by a killed worker as failed (their transaction was rolled back); the count."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        return ImportJob.objects.filter(status="running", created__lt=cutoff).update(
            status="failed",
            finished=timezone.now(),
            message=_("导入中断（进程异常退出），未导入任何数据。请重新导入。"),
        )
