"""Excel imports as background jobs (django-tasks): create a job from an upload, validate it, run it.

`import_job_create` checks the upload during the request — content-sniffed .xlsx, size limit, zip bomb, and the
bounded cell count of `utilities.excel.check_xlsx` (so an absurd sheet is refused at once with a Chinese message) —
and stores it as 校验中. `validate_import_job` validates every row and, when rows have errors, builds the annotated
error copy, both within `TUIJIN_IMPORT_TIME_LIMIT` seconds (`excel.ImportTimeout`); the job becomes 已校验 (or 失败
with the reason). A small workbook (at most `TUIJIN_IMPORT_INLINE_CELLS` cells, a few hundred rows) is validated in
the request; anything larger by the worker, so no request does unbounded work. `import_job_start` queues a
validated job; `run_import_job` re-validates the stored file against the current data and applies it in one
transaction.

A job never stays "running" after an exception: any failure is written as status "failed" with a Chinese message
(and nothing imported, since the import transaction rolled back). A worker killed mid-job (kill -9, OOM, power)
cannot write anything, so each job carries a lease: the worker's identity ("host:pid:process start") and a
`heartbeat` renewed every `TUIJIN_IMPORT_HEARTBEAT_SECONDS` by a thread with its own connection (not on SQLite,
whose single write lock the import holds; SQLite runs on one machine, where the process check decides).
`import_jobs_fail_stale` — `tuijin fail_stale_imports`, from cron every 5 minutes — fails a job whose worker
process is gone (same machine) or whose heartbeat is older than `TUIJIN_IMPORT_LEASE_SECONDS` (another machine),
with a Chinese reason; the user can then run it again (`import_job_retry`).

Progress: the job row is not written inside the import transaction (other connections would only see it at commit,
and the write would lock the row the heartbeat renews): the status page shows 导入中 until the end, then the counts.
"""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tuijin.core.exceptions import ApplicationError
from tuijin.utilities.excel import XLSX_TYPES, check_xlsx
from tuijin.utilities.uploads import check_upload

from .excel import ImportTimeout, annotated_copy, apply_import, deadline_after, parse_workbook
from .models import ImportJob

__all__ = [
    "MAX_STORED_ERRORS",
    "import_job_create",
    "import_job_retry",
    "import_job_start",
    "import_jobs_fail_stale",
    "run_import_job",
    "validate_import_job",
    "worker_alive",
    "worker_id",
]

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 20000
ACTIVE = ("validating", "running")  # statuses a worker holds; "queued" and unclaimed "validating" wait for one
LEGACY_STALE_AFTER = timedelta(hours=2)  # a job claimed before leases existed (no worker recorded)


def _stored(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(errors) <= MAX_STORED_ERRORS:
        return errors
    more = len(errors) - MAX_STORED_ERRORS
    return errors[:MAX_STORED_ERRORS] + [
        {"row": 0, "column": "", "message": _("另有 %(n)d 处错误未列出。") % {"n": more}}
    ]


def import_job_create(*, actor, uploaded, only_valid: bool = False) -> ImportJob:
    """Check and store an uploaded .xlsx (a refused file raises ValidationError, nothing kept) and validate it
    (`validate_import_job`): during the request when the workbook is small (`TUIJIN_IMPORT_INLINE_CELLS`),
    otherwise by the worker — the job is 校验中 until then."""
    checked = check_upload(uploaded, XLSX_TYPES)
    cells = check_xlsx(checked.content)  # bounded: refuses absurd sheets (cells, rows) before anything is stored
    name = (getattr(uploaded, "name", "") or "import.xlsx").replace("\\", "/").rsplit("/", 1)[-1][-200:]
    job = ImportJob(
        original_name=name,
        sha256=checked.sha256,
        created_by=actor,
        status="validating",
        only_valid=only_valid,
        message=_("正在校验…"),
    )
    job.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(checked.content), save=False)
    job.save()
    if cells <= settings.TUIJIN_IMPORT_INLINE_CELLS:  # a few hundred rows: validated now, bounded and quick
        validate_import_job.call(job.pk)
    else:
        validate_import_job.enqueue(job.pk)
    job.refresh_from_db()
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


def import_job_retry(job: ImportJob) -> ImportJob:
    """Run a job again that failed without a verdict on the file (its worker died, or a system error): validation
    again when it never finished, else the import (which re-validates against the current data)."""
    validated = job.total_rows > 0
    status, message = ("queued", _("排队等待导入…")) if validated else ("validating", _("正在校验…"))
    fresh: dict[str, Any] = {} if validated else {"annotated": "", "errors": [], "error_rows": 0}
    updated = ImportJob.objects.filter(pk=job.pk, status="failed", retryable=True).update(
        status=status,
        message=message,
        retryable=False,
        finished=None,
        worker="",
        heartbeat=None,
        processed_rows=0,
        **fresh,
    )
    if not updated:
        raise ApplicationError(_("该导入任务不能重新执行。"), code="job_not_retryable")
    (run_import_job if validated else validate_import_job).enqueue(job.pk)
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------------------------------------------------------
# The worker's lease
# ---------------------------------------------------------------------------------------------------------------


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux /proc; "" elsewhere): a reused pid differs."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return ""
    fields = stat[stat.rfind(b")") + 2 :].split()  # the command name may contain spaces and parentheses
    return fields[19].decode() if len(fields) > 19 else ""


def worker_id() -> str:
    """This process as a lease holder: "host:pid:start"."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def worker_alive(worker: str) -> bool | None:
    """Whether the process named by `worker_id()` still runs: True/False on its own machine, None elsewhere."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    host, pid_text, start = parts
    if host != socket.gethostname():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    return not (start and _process_start(pid) != start)  # the pid now belongs to another process


@contextmanager
def _lease(job_id: int) -> Iterator[None]:
    """Renew the job's heartbeat from a thread (its own database connection) while the work runs."""
    if connection.vendor == "sqlite":  # one machine: `worker_alive` decides; the import holds the write lock anyway
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.TUIJIN_IMPORT_HEARTBEAT_SECONDS):
                try:
                    ImportJob.objects.filter(pk=job_id, status__in=ACTIVE).update(heartbeat=timezone.now())
                except DatabaseError:
                    logger.warning("import job %s: heartbeat failed", job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"import-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _claim(job_id: int, statuses: tuple[str, ...], **values: Any) -> bool:
    now = timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job_id, status__in=statuses, worker="").update(
            worker=worker_id(), heartbeat=now, **values
        )
    )


def _read_file(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


# ---------------------------------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------------------------------


def _finish(job_id: int, *, notify_user: bool = True, **values: Any) -> None:
    """Write the job's outcome (releasing the lease) and tell the person who started it (in-app and the channel):
    a long import runs in the background, so the user may have left the status page."""
    from django.urls import reverse

    from tuijin.notifications.services import notify

    ImportJob.objects.filter(pk=job_id).update(finished=timezone.now(), worker="", heartbeat=None, **values)
    if not notify_user:
        return
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
def validate_import_job(job_id: int) -> dict[str, Any]:
    """Validate the stored file and, when rows have errors, build the annotated copy — both within
    `TUIJIN_IMPORT_TIME_LIMIT` seconds; the job ends 已校验, or 失败 with the reason."""
    if not _claim(job_id, ("validating",)):
        return {"status": "skipped"}
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    deadline = deadline_after(settings.TUIJIN_IMPORT_TIME_LIMIT)
    try:
        with _lease(job_id):
            data = _read_file(job)
            report = parse_workbook(data, actor=job.created_by, deadline=deadline)
            if report.fatal:
                details = [e["message"] for e in report.errors if e["message"] != report.fatal]
                _finish(job_id, notify_user=False, status="failed", message=" ".join([report.fatal, *details])[:300])
                return {"status": "failed"}
            annotated = annotated_copy(data, report.errors, deadline=deadline) if report.errors else b""
    except ImportTimeout as exc:
        _finish(job_id, notify_user=False, status="failed", message=exc.message[:300])
        return {"status": "failed"}
    except ApplicationError as exc:
        _finish(job_id, notify_user=False, status="failed", message=exc.message[:300])
        return {"status": "failed"}
    except Exception:
        logger.exception("import job %s: validation failed", job_id)
        _finish(
            job_id, notify_user=False, status="failed", retryable=True, message=_("校验失败：系统错误（已记录日志）。")
        )
        raise
    if annotated:
        job.annotated.save(f"{uuid.uuid4().hex}-errors.xlsx", ContentFile(annotated), save=False)
    ImportJob.objects.filter(pk=job_id, status="validating").update(
        status="validated",
        total_rows=report.total_rows,
        error_rows=report.error_rows,
        errors=_stored(report.errors),
        annotated=job.annotated.name or "",
        message=report.summary()[:300],
        worker="",
        heartbeat=None,
    )
    return {"status": "validated", "rows": report.total_rows, "errors": len(report.errors)}


@task()
def run_import_job(job_id: int) -> dict[str, Any]:
    """Re-validate the stored file and import it in one transaction; the job ends "done" or "failed", never running."""
    if not _claim(job_id, ("queued", "validated"), status="running", processed_rows=0, message=_("正在导入…")):
        return {"status": "skipped"}
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with _lease(job_id):
            data = _read_file(job)
            report = parse_workbook(
                data, actor=job.created_by, deadline=deadline_after(settings.TUIJIN_IMPORT_TIME_LIMIT)
            )
            ImportJob.objects.filter(pk=job_id).update(
                total_rows=report.total_rows, error_rows=report.error_rows, errors=_stored(report.errors)
            )
            created, updated = apply_import(report, actor=job.created_by, only_valid=job.only_valid)
    except ImportTimeout as exc:
        _finish(job_id, status="failed", message=(_("导入失败：%(m)s") % {"m": exc.message})[:300])
        return {"status": "failed"}
    except ApplicationError as exc:  # changed meanwhile, refused …: running it again re-validates against the data
        _finish(job_id, status="failed", retryable=True, message=(_("导入失败：%(m)s") % {"m": exc.message})[:300])
        return {"status": "failed"}
    except Exception:
        logger.exception("import job %s failed", job_id)
        _finish(
            job_id, status="failed", retryable=True, message=_("导入失败：系统错误（已记录日志），未导入任何数据。")
        )
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


def import_jobs_fail_stale(*, lease: timedelta | None = None) -> int:
    """Fail the jobs a worker holds but no longer works on — its process is gone (same machine) or its heartbeat
    is older than the lease (another machine) — with a Chinese reason, retryable; the count. Their import
    transaction, if any, was rolled back by the database when the process died."""
    lease = lease or timedelta(seconds=settings.TUIJIN_IMPORT_LEASE_SECONDS)
    now = timezone.now()
    count = 0
    held = ImportJob.objects.filter(status__in=ACTIVE, historical=False).exclude(status="validating", worker="")
    for job in held.only("pk", "status", "worker", "heartbeat", "created"):
        if job.worker:
            alive = worker_alive(job.worker)
            if alive is None:
                alive = job.heartbeat is not None and job.heartbeat > now - lease
        else:  # "running" from before leases existed
            alive = job.created > now - LEGACY_STALE_AFTER
        if alive:
            continue
        phase = _("校验") if job.status == "validating" else _("导入")
        reason = _(
            "%(p)s中断：执行任务的后台进程已停止（可能被重启或内存不足），未导入任何数据。请点击“重新执行”。"
        ) % {"p": phase}
        if ImportJob.objects.filter(pk=job.pk, status=job.status, worker=job.worker).update(
            status="failed", retryable=True, finished=now, worker="", heartbeat=None, message=reason[:300]
        ):
            logger.warning("import job %s: worker %s gone, marked failed", job.pk, job.worker or "?")
            _finish(job.pk, status="failed")  # tell the user (finished stamped again, same instant)
            count += 1
    return count
