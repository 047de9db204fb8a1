"""Issue 19 item 3, for real: a `tuijin db_worker` process is killed with SIGKILL in the middle of an import; the job
stays 导入中 (nothing can write its end), `tuijin fail_stale_imports` marks it failed with a Chinese reason and
nothing imported, and running it again imports the file.

The worker, the command and the set-up run as separate processes on a SQLite file copied from this test's migrated
database (so no migration is run again)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[3]
ROWS = 1500  # enough for the worker to be busy for seconds after it claims the job

SET_UP = f"""
from django.core.files.uploadedfile import SimpleUploadedFile
from tuijin.projects.models import IndustryChain
from tuijin.projects.tasks import import_job_create, import_job_start, validate_import_job
from tuijin.projects.tests.test_excel import row, workbook_bytes
from tuijin.utilities.testing.world import build_world

world = build_world()
IndustryChain.objects.create(name="光电信息")
rows = [
    row(项目代码="", 项目名称=f"中断测试项目{{i}}", 项目业主=f"中断测试业主{{i}}", 业主统一社会信用代码=None)
    for i in range({ROWS})
]
job = import_job_create(actor=world.office, uploaded=SimpleUploadedFile("big.xlsx", workbook_bytes(rows)))
if job.status == "validating":
    validate_import_job.call(job.pk)
    job.refresh_from_db()
assert job.status == "validated" and not job.error_rows, (job.status, job.message, job.errors[:3])
import_job_start(job)
print("JOB", job.pk)
"""

RETRY = """
from tuijin.projects.models import ImportJob
from tuijin.projects.tasks import import_job_retry
import_job_retry(ImportJob.objects.get(pk={pk}))
"""


def _env(tmp_path: Path, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUIJIN_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tuijin.settings.base",
        DATABASE_URL=f"sqlite:///{database}",
        TUIJIN_VAR_DIR=str(tmp_path / "var"),
        TUIJIN_CACHE_URL="locmem",  # the copied test database has no cache table
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env, *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _worker(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(REPO / "manage.py"),
            "db_worker",
            "--interval",
            "0.1",
            "--no-reload",
            "--no-startup-delay",
        ],
        env=env,
        cwd=REPO,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _job(database: Path, pk: int) -> dict:
    with sqlite3.connect(database, timeout=30) as db:
        db.row_factory = sqlite3.Row
        found = db.execute(
            "SELECT status, worker, message, retryable, created_count FROM projects_importjob WHERE id = ?", (pk,)
        ).fetchone()
        return dict(found)


def _projects(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute("SELECT count(*) FROM projects_project WHERE name LIKE '中断测试项目%'").fetchone()[0]


def _wait_for(database: Path, pk: int, status: str, worker: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(database, pk)
        if job["status"] == status:
            return job
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.05)
    raise AssertionError(f"job {pk} never became {status}: {_job(database, pk)}")


# Decided before any fixture runs: a transactional test on PostgreSQL ends in a flush, which the audit tables'
# append-only triggers refuse (TRUNCATE), so it must not even start there.
ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]


@pytest.mark.skipif(not ON_SQLITE, reason="copies the SQLite test database for the worker process")
@pytest.mark.django_db(transaction=True)  # no open test transaction: it would lock the database being copied
def test_a_killed_worker_leaves_a_job_that_the_stale_check_fails_and_a_retry_imports(tmp_path):
    database = tmp_path / "tuijin.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(database)
    connection.connection.backup(target, sleep=0.05)  # the migrated schema, no rows of this test
    target.close()
    assert database.stat().st_size > 0
    env = _env(tmp_path, database)
    log = tmp_path / "worker.log"

    pk = int(_manage(env, "shell", "-c", SET_UP).split("JOB", 1)[1].split()[0])
    assert _job(database, pk)["status"] == "queued"

    worker = _worker(env, log)
    try:
        running = _wait_for(database, pk, "running", worker, timeout=180)
        assert f":{worker.pid}:" in running["worker"]  # the lease names the worker process
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
    time.sleep(0.5)
    assert _job(database, pk)["status"] == "running"  # stuck: nobody is left to finish it

    out = _manage(env, "fail_stale_imports")
    assert "1 个已标记为失败" in out
    failed = _job(database, pk)
    assert failed["status"] == "failed" and failed["retryable"] and failed["worker"] == ""
    assert "导入中断" in failed["message"] and "未导入任何数据" in failed["message"]
    assert _projects(database) == 0  # the killed transaction was rolled back
    assert "0 个" in _manage(env, "fail_stale_imports", "-v", "2")  # nothing else to do

    _manage(env, "shell", "-c", RETRY.format(pk=pk))
    assert _job(database, pk)["status"] == "queued"
    worker = _worker(env, log)
    try:
        done = _wait_for(database, pk, "done", worker, timeout=300)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert done["created_count"] == ROWS, log.read_text(errors="replace")[-2000:]
    assert _projects(database) == ROWS
