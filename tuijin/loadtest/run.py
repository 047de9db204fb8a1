"""`make loadtest`: the reporting-day peak against the production setup, on this machine only (127.0.0.1).

1. a scratch PostgreSQL database (TUIJIN_LOADTEST_DATABASE_URL, default tuijin_loadtest on 127.0.0.1), migrated,
   with the demo data plus 200 reporter accounts (one project each) and 20 leader accounts;
2. gunicorn with TUIJIN_LOADTEST_WORKERS workers (default 2×cores+1) and the django-tasks database worker;
3. locust, headless, for TUIJIN_LOADTEST_DURATION (default 3m): 200 reporters log in, open and submit their report
   while 20 leaders refresh the dashboard, arriving at TUIJIN_LOADTEST_SPAWN_RATE users a second (default 2: the
   whole district within two minutes; each login costs one Argon2 hash, ~0.14 s of CPU here); then throughput,
   p50/p95/p99 and errors are printed and saved under var/loadtest/, and everything started is stopped and the
   database dropped.
"""

import csv
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "Load-Test-2026!"


def _env(db_url: str, var_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUIJIN_", "DJANGO_"))}
    env.update(
        DATABASE_URL=db_url,
        TUIJIN_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="tuijin.settings.base",
        TUIJIN_DEMO_PASSWORD=PASSWORD,
        TUIJIN_ALLOWED_HOSTS="127.0.0.1,localhost",
        TUIJIN_LOG_LEVEL="WARNING",
        TUIJIN_LOCKOUT_FAILURES="1000",
        TUIJIN_2FA_REQUIRED_ROLES="",  # the synthetic leaders and office have no phones (the check itself still runs)
        TUIJIN_DB_CONN_MAX_AGE="60",
    )
    return env


def _database(db_url: str, *, create: bool) -> None:
    import psycopg

    parsed = urlparse(db_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


SETUP = """
from datetime import date, timedelta
from decimal import Decimal
from django.utils import timezone
from tuijin.org.choices import Role
from tuijin.org.models import Membership, OrgUnit
from tuijin.projects.services import FundingRow, ProjectInput, projects_bulk_create
from tuijin.users.models import User
office = User.objects.get(username="xmb")
units = list(OrgUnit.objects.filter(unit_type__in=["subdistrict", "town", "dev_zone"]).order_by("pk"))
gov = OrgUnit.objects.get(short_name="区委区政府")
start = timezone.localdate() - timedelta(days=200)
inputs = [ProjectInput(fields={"name": f"压测项目{i:03d}", "owner_name": f"压测业主{i:03d}",
                               "responsible_unit": units[i % len(units)], "total_investment": Decimal("50000"),
                               "actual_start": start}, funding=[FundingRow("self", Decimal("50000"))],
                       stage="construction") for i in range(200)]
projects = projects_bulk_create(actor=office, inputs=inputs, message="loadtest")
for i, project in enumerate(projects):
    user = User(username=f"lt_rep_{i + 1:03d}", display_name=f"压测填报{i + 1}", must_change_password=False)
    user.set_password("{password}")
    user.save()
    Membership.objects.create(user=user, unit=project.responsible_unit, role=Role.UNIT_REPORTER)
for i in range(20):
    user = User(username=f"lt_lead_{i + 1:02d}", display_name=f"压测领导{i + 1}", must_change_password=False)
    user.set_password("{password}")
    user.save()
    Membership.objects.create(user=user, unit=gov, role=Role.DISTRICT_LEADER)
print(",".join(str(p.pk) for p in projects))
"""


def _wait(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def main() -> int:
    db_url = os.environ.get("TUIJIN_LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tuijin_loadtest")
    workers = int(os.environ.get("TUIJIN_LOADTEST_WORKERS", str(2 * (os.cpu_count() or 2) + 1)))
    duration = os.environ.get("TUIJIN_LOADTEST_DURATION", "3m")
    port = int(os.environ.get("TUIJIN_LOADTEST_PORT", "8077"))
    out_dir = REPO / "var" / "loadtest"
    out_dir.mkdir(parents=True, exist_ok=True)
    var_dir = tempfile.mkdtemp(prefix="tuijin-loadtest-")
    env = _env(db_url, var_dir)
    manage = [str(BIN / "tuijin")]
    processes: list[subprocess.Popen] = []
    _database(db_url, create=True)
    try:
        print("• migrate, collectstatic, demo data, 200 reporters + 20 leaders …", file=sys.stderr)
        for args in (["migrate", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"], ["load_demo"]):
            subprocess.run(manage + args, env=env, check=True, capture_output=True, cwd=REPO)
        setup = subprocess.run(
            manage + ["shell", "-c", SETUP.replace("{password}", PASSWORD)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        project_ids = setup.stdout.strip().splitlines()[-1]
        today = time.localtime()
        month = today.tm_mon - 1 or 12
        year = today.tm_year if today.tm_mon > 1 else today.tm_year - 1
        log = open(out_dir / "server.log", "w")  # noqa: SIM115
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "tuijin.wsgi",
                    "-w",
                    str(workers),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                    "--access-logfile",
                    "-",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
        )
        processes.append(
            subprocess.Popen(manage + ["db_worker"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        )
        _wait(f"http://127.0.0.1:{port}/healthz/")
        print(f"• gunicorn ({workers} workers) and the task worker are up; locust for {duration} …", file=sys.stderr)
        locust_env = dict(
            env,
            TUIJIN_LOADTEST_PASSWORD=PASSWORD,
            TUIJIN_LOADTEST_PERIOD=f"{year}-{month:02d}",
            TUIJIN_LOADTEST_PROJECTS=project_ids,
        )
        prefix = out_dir / "run"
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "-u",
                "220",
                "-r",
                os.environ.get("TUIJIN_LOADTEST_SPAWN_RATE", "2"),
                "-t",
                duration,
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
            ],
            env=locust_env,
            check=False,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=3600,
        )
        return _report(prefix)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        _database(db_url, create=False)


def _report(prefix: Path) -> int:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    header = (
        f"{'request':<16} {'count':>7} {'fails':>6} {'rps':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>8}"
    )
    print(header)
    print("-" * len(header))
    failures = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        failures += int(row["Failure Count"]) if row["Name"] == "Aggregated" else 0
        print(
            f"{name:<16} {row['Request Count']:>7} {row['Failure Count']:>6} {float(row['Requests/s']):>7.1f} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Max Response Time']):>8.0f}"
        )
    print(f"\nerrors: {failures}   (details: {prefix}_failures.csv; server log: {prefix.parent / 'server.log'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
