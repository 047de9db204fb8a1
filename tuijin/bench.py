"""`make bench`: measured figures (not timed tests), printed as one table and saved to var/bench/<stamp>.json.

For each database size (SQLite 1,000 and 10,000 projects × 12 months; PostgreSQL 1,000, 10,000 and 100,000 projects
× 24 months) a worker subprocess builds a fresh database through `tuijin.settings.base` (DATABASE_URL: a SQLite file
in a temporary folder, or the scratch PostgreSQL database tuijin_bench_<N>, dropped afterwards), runs `migrate` and
`generate_synthetic`, then measures as the synthetic project office `syn_office` (region scope over every project):

- pages, through Django's test client (the whole middleware stack): one warm-up request, one request counted with
  CaptureQueriesContext (the SQL query count), then N timed requests (30; 10 at 100,000 projects); p50 and p95
  (nearest rank) of the time around `client.get`: the project list (a filtered page), a project detail, the
  dashboard, the report review queue and the project list API — and the project list once more as a unit reporter
  (unit scope). The dashboard and the list's totals come from the figures cache (tuijin.core.figures_cache), so
  both are measured twice: as served (the cache filled by the warm-up, as between two approvals) and cold (the cache
  emptied before every request, as right after a committed write);
- two floors on the same database and stack: (a) the dashboard's headline figures (project count, total investment,
  annual plan as COALESCE(baseline, planned), year-to-date completed from counted reports) in one hand-written SQL
  statement on the raw cursor — checked against `dashboard_summary` — and (b) /healthz/ (a minimal view doing
  SELECT 1) through the same client; each page's p95 is printed as a ratio to the minimal view's p95, and the
  dashboard's p95 also as a ratio to the SQL floor's p95;
- jobs, in seconds: migrate, generate, the monthly notice (data, DOCX, XLSX, PDF), on the 10,000-project SQLite
  database the import of a 10,000-row file built from the template (validate + apply), and on every SQLite
  database the month's 调度表 (validate + write the drafts): one unit's 200-project sheet and the district's workbook
  (one row per expected project); a SQLite database of 20,000 projects is generated for the workbook alone, whose
  month has about 10,000 expected projects. Targets: < 3 s (200 rows) and < 30 s (10,000 rows). With the import,
  the annotated error copy of the same size with one bad row in 20, and of that file with a stray cell at
  XFD1048576 (`_bench_annotated`): time, peak Python memory (in the row's name) and the ratio (÷sql column) to a
  floor measured in the same run — opening the same file for editing and saving it.

招商 (`_bench_investment`, on the 1,000-project SQLite database — so also in `--quick` — and the 10,000-project
PostgreSQL one): 10,000 leads and 50,000 commitments (with signings and open cases) are added by bulk_create, then
the 招商驾驶舱 and the lead list are measured cold, each printed with its ratio (÷sql) to a hand-written SQL floor
measured in the same run: the KPI headline (签约项目数, 签约金额, overdue government promises — checked against
`kpi_summary`) and the list's first page with its count.

争取上级资金 (`_bench_matching`, on every database measured in full, so also in `--quick`): every project gets a
谋划与储备 record (bulk_create, seeded) and one open 两重 batch is matched as the office (`match_batch`, the first 50
explained and the rest counted): the row "matching one batch against N projects" (100,000 on PostgreSQL) with its
ratio (÷sql) to a floor measured in the same run — one hand-written statement reading the inputs matching needs
(columns, 谋划与储备, approval counts) for the projects passing the batch's sector and size rules.

产业链 (`_bench_chains`, on every database measured in full, after the 招商 rows): the demo's 光电信息 tree is built
and every project and 10,000 leads (topped up by bulk_create when fewer) are linked to its sub-links — the worst
case of one chain holding the whole portfolio; `chains.maintain.refresh` of every node is timed as a job, then the
链长 cockpit (`chains.selectors.cockpit`) cold — the row "chain cockpit, N projects and 10,000 leads linked, cold" —
with its ratio (÷sql) to a floor measured in the same run: one hand-written statement counting what the cockpit
counts (the leads on the nodes by stage, the chain's projects and leads in scope, open tickets, recent report
problems), its figures checked against the cockpit's.

考核评价 (`_bench_assessment`, after the chain rows): the shipped 项目建设季度考评 narrowed to one
group of the 300 units with the most projects; the quarter of the measured month is created and scored (every
line with its evidence) and recomputed a few times — the row "考核 quarter scored, 300 units", with its
queries and its ratio (÷sql) to a floor measured in the same run: one statement reading the facts-layer sums
and counts per unit.

Because Django settings are process-wide, each size runs in `python -m tuijin.bench --worker …`, which prints its
rows as JSON; the parent collects them, prints one table and saves it. The workers share one collectstatic output
(manifest only: the pages read the manifest; WhiteNoise's compression pass is skipped). `--quick` (make bench
BENCH_QUICK=1) runs only the 1,000-project SQLite database (with the floors, the notice and a 1,000-row import).
Progress goes to stderr; a PostgreSQL server other than 127.0.0.1:5432 (user postgres) via TUIJIN_BENCH_PG_URL.
"""

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["FULL", "QUICK", "Size", "main", "percentile"]

REPO = Path(__file__).resolve().parent.parent
MARKER = "@@BENCH-JSON@@ "
SEED = 2026
PASSWORD = "Bench-Pass-2026!"
PG_URL = os.environ.get("TUIJIN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")

Size = tuple[str, int, int]  # (db, projects, months)
# From this many SQLite projects on, a size measures only the month's district 调度表 (the 10,000-row file:
# about half of the synthetic projects are expected to report in a month).
WORKBOOK_ONLY_PROJECTS = 20000
DISTRICT_ROWS = 10000  # the district workbook's rows at most
FULL: list[Size] = [
    ("sqlite", 1000, 12),
    ("sqlite", 10000, 12),
    ("sqlite", 20000, 12),  # the 调度表 district workbook only: about 10,000 of its projects report in a month
    ("postgres", 1000, 24),
    ("postgres", 10000, 24),
    ("postgres", 100000, 24),
]
QUICK: list[Size] = [("sqlite", 1000, 12)]
# The sizes that also measure 招商 (10,000 leads and 50,000 commitments added to their database; always in --quick).
INVESTMENT_SIZES = {("sqlite", 1000), ("postgres", 10000)}


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", file=sys.stderr, flush=True)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (p95 of 10 values is the largest)."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def _stats(times_ms: list[float]) -> dict[str, Any]:
    times_ms = sorted(times_ms)
    return {
        "p50_ms": round(statistics.median(times_ms), 2),
        "p95_ms": round(percentile(times_ms, 0.95), 2),
        "runs": len(times_ms),
    }


# --------------------------------------------------------------------------------------------------------------
# Worker: one database, one process


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _pg_name(projects: int) -> str:
    return f"tuijin_bench_{projects}"


def _worker_env(db: str, projects: int, var_dir: Path) -> None:
    os.environ["TUIJIN_VAR_DIR"] = str(var_dir)
    os.environ["TUIJIN_DEMO_PASSWORD"] = os.environ.get("TUIJIN_DEMO_PASSWORD") or PASSWORD
    os.environ["DJANGO_SETTINGS_MODULE"] = "tuijin.settings.base"
    os.environ["TUIJIN_LOG_LEVEL"] = "ERROR"
    os.environ["TUIJIN_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    # the synthetic office has no phone: no second factor is required (the per-request check still runs and counts)
    os.environ["TUIJIN_2FA_REQUIRED_ROLES"] = ""
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = f"{PG_URL}/{_pg_name(projects)}"


def _measure(client, url: str, runs: int, *, cold: bool = False) -> dict[str, Any]:
    """p50/p95 of `runs` requests after one warm-up; `cold` empties the cache (the figures cache: dashboard and list
    totals) before each request, as after a committed write, so every request recomputes."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up (caches, connection)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return {**_stats(times), "queries": queries}


def _floor_sql() -> str:
    from django.db import connection

    from tuijin.org.models import OrgUnit, Region
    from tuijin.progress.models import ProgressReport
    from tuijin.projects.models import AnnualPlan, Project

    q = connection.ops.quote_name
    return f"""
        WITH list AS (
            SELECT p.id, p.total_investment AS total,
                   COALESCE(ap.baseline_investment, ap.planned_investment) AS plan
            FROM {q(Project._meta.db_table)} p
            JOIN {q(AnnualPlan._meta.db_table)} ap ON ap.project_id = p.id AND ap.year = %s
            JOIN {q(OrgUnit._meta.db_table)} u ON u.id = p.responsible_unit_id
            JOIN {q(Region._meta.db_table)} g ON g.id = u.region_id
            WHERE g.path LIKE %s
        )
        SELECT COUNT(*), SUM(total), SUM(plan),
               (SELECT SUM(r.month_investment) FROM {q(ProgressReport._meta.db_table)} r
                WHERE r.project_id IN (SELECT id FROM list)
                  AND r.status IN ('submitted', 'unit_approved', 'office_approved')
                  AND r.period >= %s AND r.period <= %s)
        FROM list
    """  # noqa: S608 - table names from the models, values as parameters


def _sql_floor(user, year: int, month: int, runs: int) -> dict[str, Any]:
    """The dashboard's headline figures by hand-written SQL on the raw cursor, checked against dashboard_summary."""
    from datetime import date
    from decimal import Decimal

    from django.db import connection

    from tuijin.dispatch.selectors import dashboard_summary
    from tuijin.org.scoping import user_memberships

    region_path = user_memberships(user)[0].unit.region.path
    sql = _floor_sql()
    params = [year, region_path + "%", date(year, 1, 1), date(year, month, 1)]

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    row = run()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        row = run()
        times.append((time.perf_counter() - start) * 1000)
    summary = dashboard_summary(user, year, month)
    expected = (summary.project_count, summary.total_investment, summary.plan, summary.ytd)
    got = (row[0], *(Decimal(str(v or 0)) for v in row[1:]))
    agrees = got[0] == expected[0] and all(
        abs(a - b) < Decimal("1") for a, b in zip(got[1:], expected[1:], strict=True)
    )
    return {
        **_stats(times),
        "queries": 1,
        "figures": [str(v) for v in got],
        "dashboard_figures": [str(v) for v in expected],
        "agrees": agrees,
    }


def _approvals(office, period, runs: int) -> dict[str, Any]:
    """p50/p95 of `report_office_approve` on unit-approved reports of the latest month, each in its own committed
    transaction: the service, the facts rewrite in the same transaction and the lights re-evaluated on commit."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from tuijin.progress.choices import ReportStatus
    from tuijin.progress.models import ProgressReport
    from tuijin.progress.services import report_office_approve

    candidates = list(
        ProgressReport.objects.filter(period=period, status=ReportStatus.UNIT_APPROVED).order_by("pk")[: runs + 1]
    )
    times, queries = [], 0
    for i, report in enumerate(candidates):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            with transaction.atomic():
                report_office_approve(actor=office, report=report, version=report.version)
            elapsed = (time.perf_counter() - start) * 1000
        if i == 0:
            queries = len(captured)  # the first approval also warms the caches: counted, not timed
            continue
        times.append(elapsed)
    return {**_stats(times), "queries": queries}


def _bench_import(actor, rows: int) -> dict[str, Any]:
    """Build a {rows}-row import file from the template, then validate and import it, timing both."""
    import io
    import resource

    from openpyxl import load_workbook

    from tuijin.org.choices import UnitType
    from tuijin.org.models import OrgUnit
    from tuijin.projects import excel

    book = load_workbook(io.BytesIO(excel.build_template(actor=actor)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    col = {h.rstrip("*"): i for i, h in enumerate(headers) if h}
    units = list(
        OrgUnit.objects.filter(unit_type__in=[UnitType.DEV_ZONE, UnitType.DEPARTMENT], is_demo=True)
        .exclude(region__level="province")
        .order_by("pk")
        .values_list("name", flat=True)[:5]
    )
    for n in range(rows):
        row: list = [None] * len(headers)
        row[col["项目名称"]] = f"基准导入项目{n}"
        row[col["项目业主"]] = f"基准业主{n}有限公司"
        row[col["责任单位"]] = units[n % len(units)]
        row[col["总投资（万元）"]] = 1000 + n
        row[col["资金来源"]] = f"企业自筹:{1000 + n}"
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    start = time.perf_counter()
    report = excel.parse_workbook(buffer.getvalue(), actor=actor)
    parsed = time.perf_counter() - start
    if report.errors:
        raise SystemExit(f"bench import file invalid: {report.errors[:3]}")
    created, _updated = excel.apply_import(report, actor=actor)
    total = time.perf_counter() - start
    return {
        "seconds": round(total, 2),
        "validate_s": round(parsed, 2),
        "created": created,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _bench_annotated(actor, rows: int) -> list[dict[str, Any]]:
    """The annotated error copy (issue 19) of a {rows}-row file from the template with one bad row in 20 (500 of
    10,000), and of the same file with one stray cell at XFD1048576 (the last cell Excel has: its claimed used range
    is 17 billion cells). Each copy is timed and its peak Python memory taken (tracemalloc, a separate run), with its
    ratio (printed under ÷sql) to a floor measured in the same run on the same file: opening it for editing and
    saving it again (`open_xlsx(read_only=False)` + `workbook_bytes`), the least any copy must do."""
    import io
    import tracemalloc

    from openpyxl import load_workbook

    from tuijin.org.choices import UnitType
    from tuijin.org.models import OrgUnit
    from tuijin.projects import excel
    from tuijin.utilities.excel import open_xlsx, workbook_bytes

    book = load_workbook(io.BytesIO(excel.build_template(actor=actor)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    col = {h.rstrip("*"): i for i, h in enumerate(headers) if h}
    units = list(
        OrgUnit.objects.filter(unit_type__in=[UnitType.DEV_ZONE, UnitType.DEPARTMENT], is_demo=True)
        .exclude(region__level="province")
        .order_by("pk")
        .values_list("name", flat=True)[:5]
    )
    for n in range(rows):
        row: list = [None] * len(headers)
        row[col["项目名称"]] = f"标注基准项目{n}"
        row[col["项目业主"]] = f"标注基准业主{n}有限公司"
        row[col["责任单位"]] = "不存在的单位" if n % 20 == 0 else units[n % len(units)]
        row[col["总投资（万元）"]] = 1000 + n
        sheet.append(row)
    files = {}
    for name, stray in (("", False), (", stray XFD1048576", True)):
        if stray:
            sheet["XFD1048576"] = "x"
        buffer = io.BytesIO()
        book.save(buffer)
        files[name] = buffer.getvalue()
    errors = excel.parse_workbook(files[""], actor=actor).errors
    bad = len({error["row"] for error in errors})

    def floor(data: bytes) -> bytes:
        return workbook_bytes(open_xlsx(data, read_only=False))

    def measured(function, data: bytes) -> tuple[float, int]:
        start = time.perf_counter()
        function(data)
        seconds = time.perf_counter() - start
        tracemalloc.start()
        try:
            function(data)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return seconds, round(peak / 1024 / 1024)

    out: list[dict[str, Any]] = []
    for name, data in files.items():
        floor_s, floor_mb = measured(floor, data)
        out.append(
            {
                "kind": "job",
                "row": f"floor: open+save {rows:,} rows{name}",
                "seconds": round(floor_s, 2),
                "peak_mb": floor_mb,
            }
        )
        try:
            copy_s, copy_mb = measured(lambda content: excel.annotated_copy(content, errors), data)
        except Exception as exc:  # noqa: BLE001 - one failed job must not lose the other figures
            out.append({"kind": "job", "row": f"job: annotated copy{name}", "seconds": None, "error": str(exc)[:200]})
            continue
        out.append(
            {
                "kind": "job",
                "row": f"annotated copy {rows:,}/{bad} bad{name} ({copy_mb} MB)",
                "seconds": round(copy_s, 2),
                "peak_mb": copy_mb,
                "bad_rows": bad,
                "x_sql": round(copy_s / floor_s, 1) if floor_s else None,
            }
        )
    return out


def _bench_sheet(actor, period, rows: int | None) -> dict[str, Any]:
    """The month's 调度表 imported by the project office (代填): the expected projects of the unit with the most of
    them (at most `rows`), or of the whole district (`rows` None), with that month's reports removed first (the
    month before anyone has reported), every row filled in; validating and writing the drafts is timed. Everything
    is rolled back afterwards (so no after-commit work is measured), leaving the database as the other rows see it."""
    import io

    from django.db import transaction
    from django.db.models import Count
    from openpyxl import Workbook, load_workbook

    from tuijin.progress import sheet
    from tuijin.progress.models import ProgressReport

    class _RollBack(Exception):
        pass

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            projects = sheet.sheet_projects(actor, period)
            if rows is not None:
                unit = (
                    projects.order_by()
                    .values("responsible_unit")
                    .annotate(n=Count("pk"))
                    .order_by("-n")
                    .values_list("responsible_unit", flat=True)
                    .first()
                )
                projects = projects.filter(responsible_unit=unit)[:rows]
            else:  # the district: every expected project, up to the 10,000 rows
                projects = projects.order_by("pk")[:DISTRICT_ROWS]
            chosen = {p.pk: p for p in projects}
            ProgressReport.objects.filter(project_id__in=list(chosen), period=period).delete()
            source = load_workbook(io.BytesIO(sheet.build_sheet(actor=actor, period=period)), read_only=True)
            lines = source[sheet.SHEET].iter_rows(values_only=True)
            headers = list(next(lines))
            name_col, code_col = headers.index(sheet.H_NAME), headers.index(sheet.H_CODE)
            keep = {(p.code or "", p.name) for p in chosen.values()}  # names may repeat across units
            filled = {sheet.H_MONTH: 1, sheet.H_CI: 1, sheet.H_EQ: 0, sheet.H_OTHER: 0, sheet.H_FUNDS: 1}
            all_lines = [list(line) for line in lines]

            written_names: list[tuple[str, str]] = []

            def workbook() -> bytes:
                written_names.clear()
                book = Workbook()
                ws = book.active
                ws.title = sheet.SHEET
                ws.append(headers)
                for line in all_lines:  # the chosen projects' rows, filled in (as the unit would)
                    if (line[code_col] or "", line[name_col]) in keep:
                        values = list(line)
                        for header, value in filled.items():
                            values[headers.index(header)] = value
                        ws.append(values)
                        written_names.append((line[code_col] or "", line[name_col]))
                buffer = io.BytesIO()
                book.save(buffer)
                return buffer.getvalue()

            # Synthetic projects already over their total investment would need 超总投资原因 (not in the sheet):
            # a first, untimed check leaves them out.
            content = workbook()
            for error in sheet.parse_sheet(content, actor=actor).errors:
                keep.discard(written_names[error["row"] - 2])
            content = workbook()
            start = time.perf_counter()
            report = sheet.parse_sheet(content, actor=actor)
            parsed = time.perf_counter() - start
            if report.errors:
                raise RuntimeError(f"bench 调度表 invalid: {report.errors[:3]}")
            written = sheet.apply_sheet(report, actor=actor, proxy_reason="基准测试")
            total = time.perf_counter() - start
            result = {
                "seconds": round(total, 2),
                "validate_s": round(parsed, 2),
                "created": len(written),
                "rows_in_file": report.total_rows,
            }
            raise _RollBack
    except _RollBack:
        pass
    return result


def _timed(function) -> tuple[Any, float]:
    start = time.perf_counter()
    value = function()
    return value, round(time.perf_counter() - start, 2)


def _notice_jobs(user, year: int, month: int, pdf: bool) -> list[dict[str, Any]]:
    from tuijin.dispatch import notice

    data, seconds = _timed(lambda: notice.build_notice(user, year, month))
    jobs = [{"row": "notice: data (selectors)", "seconds": seconds}]
    writers = [("DOCX", notice.notice_docx), ("XLSX", notice.notice_xlsx)]
    if pdf:
        writers.append(("PDF", notice.notice_pdf))
    for label, writer in writers:
        try:
            content, seconds = _timed(lambda writer=writer: writer(data))
            jobs.append({"row": f"notice: {label}", "seconds": seconds, "bytes": len(content)})
        except Exception as exc:  # noqa: BLE001 - a missing PDF library must not lose the other figures
            jobs.append({"row": f"notice: {label}", "seconds": None, "error": f"{type(exc).__name__}: {exc}"[:200]})
    return jobs


# --------------------------------------------------------------------------------------------------------------
# 招商: 10,000 leads and 50,000 commitments (bulk_create), the dashboard and the lead list, cold, against SQL floors

INVESTMENT_LEADS = 10000
COMMITMENTS_PER_LEAD = 5  # 50,000 commitments


def _investment_data(office, leads: int) -> dict[str, Any]:
    """Leads at every stage in the office's units (70% signed this year or last, some without a Signing row: the
    fallback), their signings (首次, some 升格/增资/更换投资方) and five commitments each (both sides, every status,
    some past due), and an open 违约/调整 case on every 40th lead — all by bulk_create, seeded."""
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from tuijin.investment.choices import (
        GOVERNMENT_CATEGORIES,
        INVESTOR_CATEGORIES,
        PIPELINE,
        CommitmentSide,
        CommitmentState,
        CommitmentStatus,
        LeadStage,
        SigningKind,
    )
    from tuijin.investment.models import Commitment, CommitmentCase, Lead, Signing
    from tuijin.org.scoping import user_memberships
    from tuijin.projects.models import IndustryChain

    rng = random.Random(SEED)
    today = timezone.localdate()
    region = user_memberships(office)[0].unit.region
    from tuijin.org.models import OrgUnit

    units = list(
        OrgUnit.objects.filter(region__path__startswith=region.path).exclude(unit_type="enterprise").order_by("pk")[:60]
    )
    chains = list(IndustryChain.objects.order_by("pk")[:8]) + [None]
    start = time.perf_counter()
    rows = []
    for n in range(leads):
        stage = rng.choices([*PIPELINE, LeadStage.TERMINATED], weights=[30, 20, 10, 15, 10, 5, 10])[0]
        was = rng.choice(PIPELINE[1:4]) if stage == LeadStage.TERMINATED else stage
        signed = was != LeadStage.NEGOTIATING
        signed_on = today - timedelta(days=rng.randint(0, 600)) if signed else None
        lead = Lead(
            name=f"基准招商项目{n}",
            investor=f"基准投资方{n % 3000}",
            tracking_unit=rng.choice(units),
            chain=rng.choice(chains),
            planned_investment=Decimal(rng.choice([5000, 20000, 50000, 150000, 300000])) if n % 17 else None,
            stage=stage,
            terminated_from=was if stage == LeadStage.TERMINATED else "",
            termination_reason="基准终止" if stage == LeadStage.TERMINATED else "",
            signed_date=signed_on,
            contract_kind="contract" if signed else "",
            signed_total=Decimal(rng.randint(1000, 400000)) if signed and n % 23 else None,
            arrived_funds=Decimal(rng.randint(0, 1000)) if signed and n % 3 else None,
            is_demo=True,
        )
        if PIPELINE.index(was) >= 2:
            lead.registered_name = f"基准企业{n}"
        if PIPELINE.index(was) >= 3:
            lead.start_date = signed_on
        if PIPELINE.index(was) >= 4:
            lead.production_date = signed_on
        if was == LeadStage.REACHED:
            lead.reached_date = signed_on
        rows.append(lead)
    created = Lead.objects.bulk_create(rows, batch_size=2000)
    signings, commitments = [], []
    for n, lead in enumerate(created):
        if lead.signed_date is not None and n % 10:  # every 10th signed lead has no Signing row (older data)
            total = lead.signed_total or Decimal(10000)
            signings.append(
                Signing(
                    lead=lead,
                    kind=SigningKind.FIRST,
                    signed_on=lead.signed_date,
                    contract_kind="contract",
                    investor=lead.investor,
                    total=total,
                    counted_amount=total,
                    counts_project=True,
                )
            )
            if n % 7 == 0:
                kind = rng.choice([SigningKind.UPGRADE, SigningKind.INCREASE, SigningKind.NEW_INVESTOR])
                signings.append(
                    Signing(
                        lead=lead,
                        kind=kind,
                        signed_on=lead.signed_date,
                        contract_kind="contract",
                        investor=lead.investor,
                        total=total + 1000,
                        counted_amount=Decimal(1000),
                        counts_project=kind == SigningKind.NEW_INVESTOR,
                    )
                )
        for k in range(COMMITMENTS_PER_LEAD):
            side = CommitmentSide.GOVERNMENT if k % 2 == 0 else CommitmentSide.INVESTOR
            categories = GOVERNMENT_CATEGORIES if side == CommitmentSide.GOVERNMENT else INVESTOR_CATEGORIES
            status = rng.choice(list(CommitmentStatus))
            due = today + timedelta(days=rng.randint(-700, 700))
            commitments.append(
                Commitment(
                    lead=lead,
                    side=side,
                    category=rng.choice(categories),
                    content=f"基准承诺{n}-{k}",
                    due_date=due,
                    amount=Decimal(rng.randint(10, 5000)),
                    realised_amount=Decimal(rng.randint(0, 5000)),
                    target_value=Decimal(rng.randint(1, 500)),
                    target_unit="人" if k == 3 else "",
                    responsible_unit=lead.tracking_unit if side == CommitmentSide.GOVERNMENT else None,
                    state=CommitmentState.SIGNED if n % 11 else CommitmentState.DRAFT,
                    status=status,
                    fulfilled_on=due if status == CommitmentStatus.FULFILLED else None,
                    status_note="基准说明" if status in (CommitmentStatus.PARTIAL, CommitmentStatus.UNABLE) else "",
                    is_demo=True,
                )
            )
    Signing.objects.bulk_create(signings, batch_size=2000)
    made = Commitment.objects.bulk_create(commitments, batch_size=2000)
    cases = [
        CommitmentCase(commitment=c, shortfall="基准差距", opened_by=office)
        for i, c in enumerate(made)
        if c.side == CommitmentSide.INVESTOR and i % 200 == 1
    ]
    CommitmentCase.objects.bulk_create(cases, batch_size=2000)
    return {
        "seconds": round(time.perf_counter() - start, 2),
        "leads": len(created),
        "signings": len(signings),
        "commitments": len(made),
        "cases": len(cases),
        "year": today.year,
    }


def _investment_floor_sql() -> str:
    from django.db import connection

    from tuijin.investment.models import Commitment, Lead, Signing
    from tuijin.org.models import OrgUnit, Region

    q = connection.ops.quote_name
    lead, unit, region = q(Lead._meta.db_table), q(OrgUnit._meta.db_table), q(Region._meta.db_table)
    signing, commitment = q(Signing._meta.db_table), q(Commitment._meta.db_table)
    # every sum joins the lead, its unit and region itself (no shared CTE: PostgreSQL materialised it, and the floor
    # ran slower than the page it measures)
    scoped = f"JOIN {unit} u ON u.id = l.tracking_unit_id JOIN {region} g ON g.id = u.region_id WHERE g.path LIKE %s"
    signed = """(l.stage IN ('signed', 'registered', 'started', 'producing', 'reached')
                     OR (l.stage = 'terminated' AND l.terminated_from <> 'negotiating'))"""
    return f"""
        SELECT
            (SELECT COUNT(*) FROM {signing} s JOIN {lead} l ON l.id = s.lead_id {scoped}
                AND s.counts_project AND s.signed_on BETWEEN %s AND %s)
          + (SELECT COUNT(*) FROM {lead} l {scoped} AND l.signed_date BETWEEN %s AND %s AND {signed}
                AND NOT EXISTS (SELECT 1 FROM {signing} s WHERE s.lead_id = l.id)),
            (SELECT COALESCE(SUM(s.counted_amount), 0) FROM {signing} s JOIN {lead} l ON l.id = s.lead_id {scoped}
                AND s.signed_on BETWEEN %s AND %s)
          + (SELECT COALESCE(SUM(l.signed_total), 0) FROM {lead} l {scoped} AND l.signed_date BETWEEN %s AND %s
                AND {signed} AND NOT EXISTS (SELECT 1 FROM {signing} s WHERE s.lead_id = l.id)),
            (SELECT COUNT(*) FROM {commitment} c JOIN {lead} l ON l.id = c.lead_id {scoped}
                AND c.side = 'government' AND c.state = 'signed' AND c.due_date < %s
                AND c.status IN ('not_met', 'due', 'partial'))
    """  # noqa: S608 - table names from the models, values as parameters


def _investment_list_floor_sql() -> str:
    from django.db import connection

    from tuijin.investment.models import Lead
    from tuijin.org.models import OrgUnit, Region
    from tuijin.projects.models import IndustryChain

    q = connection.ops.quote_name
    lead, unit, region = q(Lead._meta.db_table), q(OrgUnit._meta.db_table), q(Region._meta.db_table)
    return f"""
        SELECT l.id, l.name, l.investor, l.stage, l.review_status, l.signed_total, l.planned_investment,
               l.signed_date, u.name, c.name, (SELECT COUNT(*) FROM {lead} l2 JOIN {unit} u2
               ON u2.id = l2.tracking_unit_id JOIN {region} g2 ON g2.id = u2.region_id
               WHERE g2.path LIKE %s AND l2.stage <> 'terminated')
        FROM {lead} l JOIN {unit} u ON u.id = l.tracking_unit_id JOIN {region} g ON g.id = u.region_id
        LEFT JOIN {q(IndustryChain._meta.db_table)} c ON c.id = l.chain_id
        WHERE g.path LIKE %s AND l.stage <> 'terminated'
        ORDER BY l.created DESC, l.id DESC LIMIT 50
    """  # noqa: S608 - table names from the models, values as parameters


def _sql_timed(sql: str, params: list, runs: int) -> tuple[dict[str, Any], Any]:
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    rows = run()  # warm-up
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        rows = run()
        times.append((time.perf_counter() - began) * 1000)
    return {**_stats(times), "queries": 1}, rows


def _bench_investment(office, base: dict[str, Any], runs: int, label: str) -> list[dict[str, Any]]:
    """The 招商 row: 10,000 leads and 50,000 commitments; the dashboard and the lead list, cold, each with its ratio
    to a hand-written SQL floor on the same database (the KPI floor's figures checked against kpi_summary)."""
    from datetime import date
    from decimal import Decimal

    from django.test import Client
    from django.utils import timezone

    from tuijin.investment.kpis import KpiPeriod, kpi_summary
    from tuijin.investment.models import Lead
    from tuijin.org.scoping import user_memberships

    _log(f"{label}: 招商 data: {INVESTMENT_LEADS:,} leads, {INVESTMENT_LEADS * COMMITMENTS_PER_LEAD:,} commitments")
    data = _investment_data(office, INVESTMENT_LEADS)
    base = {**base, "leads": data["leads"], "commitments": data["commitments"]}
    job = f"job: 招商 {data['leads']:,} leads + {data['commitments']:,} commitments"
    rows: list[dict[str, Any]] = [{**base, "kind": "job", "row": job, **data}]
    year, today = data["year"], timezone.localdate()
    region_path = user_memberships(office)[0].unit.region.path + "%"
    first, last = date(year, 1, 1), date(year, 12, 31)
    _log(f"{label}: 招商 floors (SQL)")
    kpi_floor, result = _sql_timed(
        _investment_floor_sql(),
        [*(region_path, first, last) * 4, region_path, today],
        runs,
    )
    summary = kpi_summary(Lead.objects.restrict(office, "view"), KpiPeriod(year), today)
    got = (result[0][0], Decimal(str(result[0][1] or 0)), result[0][2])
    expected = (summary.signed_count, summary.signed_amount, summary.gov_overdue)
    agrees = got[0] == expected[0] and abs(got[1] - expected[1]) < 1 and got[2] == expected[2]
    if not agrees:
        _log(f"{label}: WARNING the 招商 SQL floor's figures {got} ≠ dashboard {expected}")
    rows.append(
        {
            **base,
            "kind": "floor",
            "row": "floor: 招商 KPI SQL",
            **kpi_floor,
            "figures": [str(v) for v in got],
            "dashboard_figures": [str(v) for v in expected],
            "agrees": agrees,
        }
    )
    list_floor, _rows = _sql_timed(_investment_list_floor_sql(), [region_path, region_path], runs)
    rows.append({**base, "kind": "floor", "row": "floor: 招商 lead list SQL", **list_floor})
    client = Client()
    client.force_login(office)
    for name, url, floor in (
        ("招商 dashboard, cold", f"/investment/dashboard/?year={year}", kpi_floor),
        ("招商 lead list, cold (stage=live)", "/investment/?stage=live", list_floor),
    ):
        _log(f"{label}: {name} ({runs} runs)")
        measured = _measure(client, url, runs, cold=True)
        row = {**base, "kind": "page", "row": name, "url": url, "user": office.username, **measured}
        row["x_sql"] = round(measured["p95_ms"] / floor["p95_ms"], 1) if floor["p95_ms"] else None
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------------------------
# 争取上级资金: one batch matched against every project (each given a 谋划与储备 record first), against a SQL floor


def _matching_data(office) -> tuple[Any, dict[str, Any]]:
    """A 谋划与储备 record for every project (seeded: stage, 入库 status, land, 资本金, coverage), by bulk_create, and
    an open 两重 batch of the office's district: 基础设施 or 城市更新, ≥ 5000 万元, at least 可研 and 储备, with a
    项目代码 and the land."""
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from tuijin.funds.choices import PREP_ORDER, Channel, LibraryStatus
    from tuijin.funds.models import FundingBatch, ProjectPrep
    from tuijin.org.scoping import user_memberships
    from tuijin.projects.models import Project

    rng = random.Random(SEED)
    start = time.perf_counter()
    libraries = [s.value for s in LibraryStatus]
    preps = []
    for pk, total in Project.objects.order_by("pk").values_list("pk", "total_investment"):
        capital = (total or Decimal(0)) * Decimal(rng.choice([0, 10, 20, 25, 30])) / 100
        preps.append(
            ProjectPrep(
                project_id=pk,
                prep_stage=rng.choices(PREP_ORDER, weights=[10, 15, 35, 25, 15])[0],
                library_status=rng.choices(libraries, weights=[30, 35, 20, 15])[0],
                in_debt_system=rng.random() < 0.3,
                land_secured=rng.random() < 0.6,
                capital_in_place=capital.quantize(Decimal("0.01")) if capital else None,
                revenue_coverage=Decimal(rng.randint(80, 200)) / 100 if rng.random() < 0.5 else None,
            )
        )
    ProjectPrep.objects.bulk_create(preps, batch_size=2000)
    today = timezone.localdate()
    batch = FundingBatch.objects.create(
        channel=Channel.LONG_BOND_MAJOR,
        name="基准 超长期特别国债（两重）",
        opens_on=today,
        deadline=today + timedelta(days=30),
        organiser=user_memberships(office)[0].unit,
        domains=["infrastructure", "urban_renewal"],
        min_total_investment=Decimal(5000),
        min_prep_stage="feasibility",
        min_library_status="reserve",
        require_code=True,
        require_land=True,
    )
    return batch, {"seconds": round(time.perf_counter() - start, 2), "preps": len(preps)}


def _matching_floor_sql() -> str:
    from django.db import connection

    from tuijin.funds.models import ProjectPrep
    from tuijin.org.models import OrgUnit, Region
    from tuijin.projects.models import ApprovalItem, Project

    q = connection.ops.quote_name
    approvals = q(ApprovalItem._meta.db_table)
    return f"""
        SELECT p.id, p.code, p.total_investment, p.land_deal_date, p.domain, p.chain_id, p.responsible_unit_id,
               p.expected_output, p.expected_tax, pp.prep_stage, pp.library_status, pp.in_debt_system,
               pp.land_secured, pp.capital_in_place, pp.revenue_coverage,
               (SELECT COUNT(*) FROM {approvals} a WHERE a.project_id = p.id),
               (SELECT COUNT(*) FROM {approvals} a WHERE a.project_id = p.id AND a.status IN ('done', 'na'))
        FROM {q(Project._meta.db_table)} p
        JOIN {q(OrgUnit._meta.db_table)} u ON u.id = p.responsible_unit_id
        JOIN {q(Region._meta.db_table)} g ON g.id = u.region_id
        LEFT JOIN {q(ProjectPrep._meta.db_table)} pp ON pp.project_id = p.id
        WHERE g.path LIKE %s AND p.stage NOT IN ('completed', 'operating', 'cancelled')
          AND p.domain IN ('infrastructure', 'urban_renewal') AND p.total_investment >= %s
    """  # noqa: S608 - table names from the models, values as parameters


def _bench_matching(office, base: dict[str, Any], runs: int, label: str) -> list[dict[str, Any]]:
    """The matching row: `match_batch` (the first 50 explained, the rest counted) as the office over every active
    project, with its ratio (÷sql) to a floor measured in the same run: one hand-written statement reading the
    inputs of the projects passing the batch's sector and size rules (columns, 谋划与储备, approval counts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tuijin.funds.matching import match_batch
    from tuijin.org.scoping import user_memberships

    _log(f"{label}: 谋划与储备 for every project, one 两重 batch")
    batch, data = _matching_data(office)
    rows: list[dict[str, Any]] = [{**base, "kind": "job", "row": "job: 谋划与储备 records (bulk)", **data}]
    region_path = user_memberships(office)[0].unit.region.path + "%"
    floor, _rows = _sql_timed(_matching_floor_sql(), [region_path, 5000], runs)
    rows.append({**base, "kind": "floor", "row": "floor: matching inputs SQL", **floor})
    _log(f"{label}: matching one batch ({runs} runs)")
    matches = match_batch(batch, user=office, limit=50)  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        match_batch(batch, user=office, limit=50)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        match_batch(batch, user=office, limit=50)
        times.append((time.perf_counter() - began) * 1000)
    measured = {**_stats(times), "queries": len(ctx.captured_queries)}
    row = {
        **base,
        "kind": "page",
        "row": f"matching one batch against {base['projects']:,} projects",
        **measured,
        "considered": matches.total,
        "eligible": matches.eligible_count,
        "near_miss": matches.near_miss_count,
    }
    row["x_sql"] = round(measured["p95_ms"] / floor["p95_ms"], 1) if floor["p95_ms"] else None
    rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------------------------
# 产业链: every project and 10,000 leads on one chain's nodes; the nodes recomputed; the 链长 cockpit cold

CHAIN_LEADS = 10000
CHAIN_NAME = "光电信息"


def _chain_leads(office, wanted: int) -> int:
    """Leads at every stage in the office's units (bulk_create, seeded) until there are `wanted`; returns how many
    were added (none after the 招商 rows, which add 10,000)."""
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from tuijin.investment.choices import PIPELINE, LeadStage
    from tuijin.investment.models import Lead
    from tuijin.org.models import OrgUnit
    from tuijin.org.scoping import user_memberships

    missing = wanted - Lead.objects.count()
    if missing <= 0:
        return 0
    rng = random.Random(SEED + 1)
    today = timezone.localdate()
    region = user_memberships(office)[0].unit.region
    units = list(
        OrgUnit.objects.filter(region__path__startswith=region.path).exclude(unit_type="enterprise").order_by("pk")[:60]
    )
    rows = []
    for n in range(missing):
        stage = rng.choices([*PIPELINE, LeadStage.TERMINATED], weights=[30, 20, 10, 15, 10, 5, 10])[0]
        was = rng.choice(PIPELINE[:2]) if stage == LeadStage.TERMINATED else stage
        step = PIPELINE.index(was)
        day = today - timedelta(days=rng.randint(0, 600))
        rows.append(
            Lead(
                name=f"基准链上招商项目{n}",
                investor=f"基准投资方{n % 3000}",
                tracking_unit=rng.choice(units),
                planned_investment=Decimal(rng.choice([5000, 20000, 50000, 150000])),
                stage=stage,
                terminated_from=was if stage == LeadStage.TERMINATED else "",
                termination_reason="基准终止" if stage == LeadStage.TERMINATED else "",
                signed_date=day if step >= 1 else None,
                registered_name=f"基准链上企业{n}" if step >= 2 else "",
                start_date=day if step >= 3 else None,
                production_date=day if step >= 4 else None,
                reached_date=day if was == LeadStage.REACHED else None,
                is_demo=True,
            )
        )
    Lead.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _chain_data(office) -> tuple[Any, dict[str, Any]]:
    """The demo's 光电信息 tree (`tuijin.chains.demo.create_nodes`) with 0–3 local firms per node and a 链长制 led
    by the office's unit; then every project and every lead linked to its sub-links (seeded, bulk_create): the worst
    case, one chain holding the whole portfolio."""
    import random

    from tuijin.chains.demo import create_nodes
    from tuijin.chains.models import ChainProfile, NodeEnterprise, NodeLead, NodeProject
    from tuijin.investment.models import Lead
    from tuijin.org.scoping import user_memberships
    from tuijin.projects.models import IndustryChain, Project

    rng = random.Random(SEED + 2)
    start = time.perf_counter()
    added = _chain_leads(office, CHAIN_LEADS)
    chain = IndustryChain.objects.filter(name=CHAIN_NAME).first() or IndustryChain.objects.create(name=CHAIN_NAME)
    nodes = list(create_nodes({CHAIN_NAME: chain}).values())
    leaves = [node for node in nodes if node.parent_id is not None]
    firms = [
        NodeEnterprise(node=node, name=f"基准企业{node.pk}-{k}", products="基准产品")
        for node in nodes
        for k in range(rng.randint(0, 3))
    ]
    NodeEnterprise.objects.bulk_create(firms, batch_size=2000)
    ChainProfile.objects.create(chain=chain, lead_unit=user_memberships(office)[0].unit, fill_target=4)
    projects = [
        NodeProject(node=rng.choice(leaves), project_id=pk)
        for pk in Project.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)
    ]
    NodeProject.objects.bulk_create(projects, batch_size=2000)
    leads = [
        NodeLead(node=rng.choice(leaves), lead_id=pk)
        for pk in Lead.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)
    ]
    NodeLead.objects.bulk_create(leads, batch_size=2000)
    return chain, {
        "seconds": round(time.perf_counter() - start, 2),
        "nodes": len(nodes),
        "firms": len(firms),
        "project_links": len(projects),
        "lead_links": len(leads),
        "leads_added": added,
    }


def _chain_floor_sql() -> str:
    from django.db import connection

    from tuijin.chains.models import ChainNode, NodeLead, NodeProject
    from tuijin.investment.models import Lead
    from tuijin.org.models import OrgUnit, Region
    from tuijin.progress.models import ProgressReport, ReportProblem
    from tuijin.projects.models import Project
    from tuijin.tickets.models import Ticket

    q = connection.ops.quote_name
    node, np_, nl = q(ChainNode._meta.db_table), q(NodeProject._meta.db_table), q(NodeLead._meta.db_table)
    lead, project, unit, region = (
        q(Lead._meta.db_table),
        q(Project._meta.db_table),
        q(OrgUnit._meta.db_table),
        q(Region._meta.db_table),
    )
    report, problem, ticket = (
        q(ProgressReport._meta.db_table),
        q(ReportProblem._meta.db_table),
        q(Ticket._meta.db_table),
    )
    chain_projects = f"""(SELECT p.id FROM {project} p WHERE p.chain_id = %s
            UNION SELECT x.project_id FROM {np_} x JOIN {node} xn ON xn.id = x.node_id WHERE xn.chain_id = %s
            UNION SELECT y.project_id FROM {lead} y JOIN {nl} yl ON yl.lead_id = y.id
                JOIN {node} yn ON yn.id = yl.node_id WHERE yn.chain_id = %s AND y.project_id IS NOT NULL)"""  # noqa: S608
    # per stage, the leads in scope on the chain's nodes; beside them the chain's projects and leads in scope, the
    # open tickets on its projects and the recent report problems without a ticket (each computed once)
    return f"""
        SELECT l.stage, COUNT(*),
            (SELECT COUNT(*) FROM {project} p2 JOIN {unit} u2 ON u2.id = p2.responsible_unit_id
                JOIN {region} g2 ON g2.id = u2.region_id WHERE g2.path LIKE %s AND p2.id IN {chain_projects}),
            (SELECT COUNT(*) FROM {lead} l3 JOIN {unit} u3 ON u3.id = l3.tracking_unit_id
                JOIN {region} g3 ON g3.id = u3.region_id WHERE g3.path LIKE %s AND (l3.chain_id = %s
                OR l3.id IN (SELECT z.lead_id FROM {nl} z JOIN {node} zn ON zn.id = z.node_id WHERE zn.chain_id = %s))),
            (SELECT COUNT(*) FROM {ticket} t WHERE t.status IN ('pending', 'assigned', 'in_progress')
                AND t.project_id IN {chain_projects}),
            (SELECT COUNT(*) FROM {problem} rp JOIN {report} r ON r.id = rp.report_id
                WHERE r.status IN ('submitted', 'unit_approved', 'office_approved') AND r.period >= %s
                AND r.project_id IN {chain_projects}
                AND NOT EXISTS (SELECT 1 FROM {ticket} t2 WHERE t2.from_problem_id = rp.id))
        FROM {nl} nl JOIN {node} n ON n.id = nl.node_id JOIN {lead} l ON l.id = nl.lead_id
        JOIN {unit} u ON u.id = l.tracking_unit_id JOIN {region} g ON g.id = u.region_id
        WHERE n.chain_id = %s AND g.path LIKE %s
        GROUP BY l.stage
    """  # noqa: S608 - table names from the models, values as parameters


def _bench_chains(office, base: dict[str, Any], runs: int, label: str) -> list[dict[str, Any]]:
    """The chain row: every project and 10,000 leads linked to one chain's nodes (bulk), `maintain.refresh` of every
    node timed as a job, then `chains.selectors.cockpit(chain, office)` cold (cache emptied before each run) with its
    ratio (÷sql) to a floor measured in the same run: one hand-written statement reading what the cockpit counts (the
    leads on the nodes by stage, the chain's projects and leads in scope, open tickets, recent report problems) —
    its figures checked against the cockpit's."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tuijin.chains import maintain, selectors
    from tuijin.investment.choices import LeadStage
    from tuijin.org.scoping import user_memberships

    _log(f"{label}: 产业链 data: every project and {CHAIN_LEADS:,} leads on the {CHAIN_NAME} nodes")
    chain, data = _chain_data(office)
    base = {**base, "leads": data["lead_links"]}
    rows: list[dict[str, Any]] = [
        {
            **base,
            "kind": "job",
            "row": f"job: 产业链 links ({data['project_links']:,} + {data['lead_links']:,})",
            **data,
        }
    ]
    _log(f"{label}: 产业链 refresh of every node")
    changed, seconds = _timed(lambda: maintain.refresh(None, trigger="基准", notify=False))
    rows.append(
        {**base, "kind": "job", "row": "job: chains refresh (every node)", "seconds": seconds, "changed": changed}
    )
    region_path = user_memberships(office)[0].unit.region.path + "%"
    window = selectors._problem_window()
    ids = [chain.pk] * 3
    params = [region_path, *ids, region_path, chain.pk, chain.pk, *ids, window, *ids, chain.pk, region_path]
    floor, result = _sql_timed(_chain_floor_sql(), params, runs)
    stages = {stage: n for stage, n, *_rest in result}
    extra = result[0][2:] if result else (0, 0, 0, 0)
    got = (sum(n for s, n in stages.items() if s != LeadStage.TERMINATED), *extra)
    _log(f"{label}: 链长 cockpit, cold ({runs} runs)")
    cockpit = selectors.cockpit(chain, office)  # warm-up
    expected = (
        sum(cockpit["stage_totals"]),
        cockpit["project_total"],
        cockpit["lead_total"],
        cockpit["ticket_total"],
        cockpit["problem_total"],
    )
    agrees = tuple(got) == expected
    if not agrees:
        _log(f"{label}: WARNING the 产业链 SQL floor's figures {got} ≠ cockpit {expected}")
    rows.append(
        {
            **base,
            "kind": "floor",
            "row": "floor: chain cockpit SQL",
            **floor,
            "figures": [str(v) for v in got],
            "cockpit_figures": [str(v) for v in expected],
            "agrees": agrees,
        }
    )
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        selectors.cockpit(chain, office)
    times = []
    for _ in range(runs):
        cache.clear()
        began = time.perf_counter()
        selectors.cockpit(chain, office)
        times.append((time.perf_counter() - began) * 1000)
    measured = {**_stats(times), "queries": len(ctx.captured_queries)}
    name = f"chain cockpit, {data['project_links']:,} projects and {data['lead_links']:,} leads linked, cold"
    row = {**base, "kind": "page", "row": name, **measured, "nodes": data["nodes"]}
    row["x_sql"] = round(measured["p95_ms"] / floor["p95_ms"], 1) if floor["p95_ms"] else None
    rows.append(row)
    return rows


# 考核评价: a quarter of the shipped quarterly rubric for 300 units (facts, lights, 招商, 督办, funds)

ASSESSED_UNITS = 300


def _assessment_floor_sql(unit_ids: list[int]) -> str:
    """One statement reading what the facts-layer lines count per unit at the quarter's last month: Σ plan, Σ ytd and
    the 开工/竣工/纳统/未按期 counts of the listed rows (the lights, 招商, 督办 and funds lines come on top)."""
    from tuijin.facts.models import ProjectMonth

    t = ProjectMonth._meta.db_table
    ids = ",".join(str(int(u)) for u in unit_ids)
    return f"""SELECT unit_id, SUM(plan), SUM(ytd),
            SUM(CASE WHEN planned_new THEN 1 ELSE 0 END), SUM(CASE WHEN planned_new AND started THEN 1 ELSE 0 END),
            SUM(CASE WHEN completing THEN 1 ELSE 0 END), SUM(CASE WHEN completing AND finished THEN 1 ELSE 0 END),
            SUM(CASE WHEN stats_counted THEN 1 ELSE 0 END), SUM(CASE WHEN late THEN 1 ELSE 0 END), COUNT(*)
        FROM {t} WHERE period = %s AND in_list AND unit_id IN ({ids})
        GROUP BY unit_id"""  # noqa: S608


def _bench_assessment(office, period, base: dict[str, Any], runs: int, label: str) -> list[dict[str, Any]]:
    """The 考核 row: the shipped 项目建设季度考评 narrowed to one group of the 300 units with the most projects; a
    round for the quarter of `period` created and scored (`services.round_create`, every line with its evidence),
    timed over `runs` recomputations with its queries counted; the floor is one hand-written statement reading the
    facts-layer sums and counts per unit."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from tuijin.assessment import scoring, services
    from tuijin.assessment.models import Round, Rubric, RubricGroup, ScoreLine
    from tuijin.projects.models import Project

    rubric = Rubric.objects.get(code="quarterly")
    rubric.region = None
    rubric.save()
    version = rubric.versions.get(number=1)
    unit_ids = [
        r["responsible_unit"]
        for r in Project.objects.values("responsible_unit").annotate(n=Count("pk")).order_by("-n")[:ASSESSED_UNITS]
    ]
    RubricGroup.objects.filter(rubric_version=version).delete()
    group = RubricGroup.objects.create(rubric_version=version, name="基准", unit_types=[], red_count=10, black_count=10)
    group.units.set(unit_ids)
    _log(f"{label}: 考核 quarter for {len(unit_ids)} units")
    with CaptureQueriesContext(connection) as ctx:
        round_, seconds = _timed(lambda: services.round_create(actor=office, rubric=rubric, anchor=period))
    times = [seconds * 1000]
    for _ in range(max(runs // 4, 2)):
        Round.objects.filter(pk=round_.pk).update(stale=True)
        _result, again = _timed(lambda: scoring.compute(round_))
        times.append(again * 1000)
    lines = ScoreLine.objects.filter(score__round=round_).count()
    from tuijin.core.periods import month_start

    floor, _rows = _sql_timed(_assessment_floor_sql(unit_ids), [month_start(round_.period_end)], runs)
    measured = _stats(sorted(times))
    row = {
        **base,
        "kind": "page",  # timed like a page (p50/p95 over the recomputations), so the table prints its times
        "row": f"考核 quarter scored, {len(unit_ids)} units ({lines:,} lines)",
        **measured,
        "queries": len(ctx.captured_queries),
    }
    row["x_sql"] = round(measured["p95_ms"] / floor["p95_ms"], 1) if floor["p95_ms"] else None
    return [{**base, "kind": "floor", "row": "floor: 考核 facts sums per unit SQL", **floor}, row]


def worker(args: argparse.Namespace) -> int:
    """Build one database, measure it, print the rows as one JSON line (MARKER + JSON) on stdout."""
    db, projects, months = args.db, args.projects, args.months
    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="tuijin-bench-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    _worker_env(db, projects, var_dir)
    label = f"{db} {projects:,}"
    if db == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS {_pg_name(projects)} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {_pg_name(projects)}")
    rows: list[dict[str, Any]] = []
    base = {"db": db, "projects": projects, "months": months}
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections
        from django.db.models import Count
        from django.test import Client, override_settings

        from tuijin.core.synthetic import OFFICE_USERNAME, generate_synthetic
        from tuijin.org.choices import Role
        from tuijin.org.models import Membership
        from tuijin.projects.models import Project
        from tuijin.users.models import User

        _, seconds = _timed(lambda: call_command("migrate", verbosity=0, interactive=False))
        rows.append({**base, "kind": "job", "row": "job: migrate", "seconds": seconds})
        if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
            # The pages only read the manifest (same format): skip WhiteNoise's gzip/brotli pass over 47 MB.
            _log(f"{label}: collectstatic (once per bench run, without compression)")
            manifest = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": manifest}}):
                call_command("collectstatic", verbosity=0, interactive=False)
        _log(f"{label}: generate_synthetic --projects {projects} --months {months} --seed {SEED}")
        result, seconds = _timed(
            lambda: generate_synthetic(
                projects=projects, months=months, seed=SEED, progress=lambda line: _log(f"{label}: {line}")
            )
        )
        rows.append(
            {
                **base,
                "kind": "job",
                "row": f"job: generate {projects:,}×{months}",
                "seconds": seconds,
                "counts": result.counts,
                "phases": {k: round(v, 2) for k, v in result.seconds.items()},
            }
        )
        period = result.latest
        office = User.objects.get(username=OFFICE_USERNAME)
        if db == "sqlite" and projects >= WORKBOOK_ONLY_PROJECTS:
            _log(f"{label}: 调度表 district workbook (this size is benched for the workbook only)")
            job = _bench_sheet(office, period, None)
            n = job.get("rows_in_file") or 0
            rows.append({**base, "kind": "job", "row": f"job: 调度表: district workbook of {n:,} rows", **job})
            connections.close_all()
            print(MARKER + json.dumps(rows, ensure_ascii=False, default=str), flush=True)
            return 0
        detail = (
            Project.objects.filter(stage="construction", is_demo=True).order_by("-total_investment", "pk").first()
            or Project.objects.order_by("pk").first()
        )
        assert detail is not None  # noqa: S101 - generate_synthetic wrote projects
        busiest = (
            Project.objects.filter(is_demo=True)
            .values("responsible_unit")
            .annotate(n=Count("pk"))
            .order_by("-n", "responsible_unit")
            .first()
        )
        reporter = (
            Membership.objects.filter(unit_id=busiest["responsible_unit"], role=Role.UNIT_REPORTER).first()
            if busiest
            else None
        )
        dashboard_url = f"/progress/dashboard/?year={period.year}&month={period.month}"
        list_url = "/projects/?stage=construction&sort=-total"
        pages = [
            ("project list (stage=construction, -total)", office, list_url),
            ("project list, cold (cache emptied)", office, list_url),
            ("project detail (largest in construction)", office, f"/projects/{detail.pk}/"),
            ("dashboard", office, dashboard_url),
            ("dashboard, cold (cache emptied)", office, dashboard_url),
            ("report review queue", office, f"/progress/?period={period:%Y-%m}"),
            ("project list API", office, "/api/projects/projects/"),
        ]
        if reporter is not None:
            pages.append(
                ("project list, unit scope (reporter)", reporter.user, "/projects/?stage=construction&sort=-total")
            )
        runs = args.runs or (10 if projects >= 100000 else 30)
        minimal_client = Client()
        minimal_client.force_login(office)
        _log(f"{label}: floor /healthz/")
        minimal = _measure(minimal_client, "/healthz/", runs)
        rows.append({**base, "kind": "floor", "row": "floor: minimal view /healthz/", "url": "/healthz/", **minimal})
        _log(f"{label}: floor SQL (dashboard headline figures)")
        floor = _sql_floor(office, period.year, period.month, runs)
        rows.append({**base, "kind": "floor", "row": "floor: dashboard headline SQL", **floor})
        if not floor["agrees"]:
            _log(
                f"{label}: WARNING the SQL floor's figures {floor['figures']} ≠ dashboard {floor['dashboard_figures']}"
            )
        for name, user, url in pages:
            _log(f"{label}: {name} ({runs} runs)")
            client = Client()
            client.force_login(user)
            measured = _measure(client, url, runs, cold="cold" in name)
            row = {**base, "kind": "page", "row": name, "url": url, "user": user.username, **measured}
            row["x_minimal"] = round(measured["p95_ms"] / minimal["p95_ms"], 1) if minimal["p95_ms"] else None
            if name.startswith("dashboard"):
                row["x_sql"] = round(measured["p95_ms"] / floor["p95_ms"], 1) if floor["p95_ms"] else None
            rows.append(row)
        _log(f"{label}: office approval of one report, facts and lights maintained ({runs} runs)")
        rows.append(
            {
                **base,
                "kind": "page",
                "row": "approve one report (facts + lights kept current)",
                **_approvals(office, period, max(runs, 30)),
            }
        )
        _log(f"{label}: rebuild_facts (every project's monthly facts from scratch)")
        from tuijin.facts.maintain import rebuild

        written, seconds = _timed(rebuild)
        rows.append({**base, "kind": "job", "row": "job: rebuild_facts", "seconds": seconds, "facts_rows": written})
        rows += _bench_matching(office, base, runs, label)
        if args.investment:
            rows += _bench_investment(office, base, runs, label)
        rows += _bench_chains(office, base, runs, label)  # after the 招商 rows: their 10,000 leads are reused
        rows += _bench_assessment(office, period, base, runs, label)
        if args.notice:
            _log(f"{label}: monthly notice")
            for job in _notice_jobs(office, period.year, period.month, args.pdf):
                rows.append({**base, "kind": "job", **job})
        if db == "sqlite":  # one unit's sheet, and the whole district's workbook (10,000 rows at 10,000 projects)
            for sheet_rows in (200, None):
                what = "one unit's 200-project sheet" if sheet_rows else "district workbook"
                _log(f"{label}: 调度表 {what}")
                try:
                    job = _bench_sheet(office, period, sheet_rows)
                except Exception as exc:  # noqa: BLE001 - one failed job must not lose the other figures
                    job = {"seconds": None, "error": f"{type(exc).__name__}: {exc}"[:200]}
                if job.get("rows_in_file"):  # the rows actually written (a unit may have fewer than 200)
                    n = job["rows_in_file"]
                    what = f"one unit's {n}-project sheet" if sheet_rows else f"district workbook of {n:,} rows"
                rows.append({**base, "kind": "job", "row": f"job: 调度表: {what}", **job})
        if args.import_rows:
            _log(f"{label}: import {args.import_rows:,} rows")
            job = _bench_import(office, args.import_rows)
            rows.append({**base, "kind": "job", "row": f"job: import {args.import_rows:,} rows", **job})
            _log(f"{label}: annotated copy of {args.import_rows:,} rows")
            rows += [{**base, **row} for row in _bench_annotated(office, args.import_rows)]
        connections.close_all()
    finally:
        if db == "postgres" and not args.keep_db:
            try:
                _pg_admin(f"DROP DATABASE IF EXISTS {_pg_name(projects)} WITH (FORCE)")
            except Exception as exc:  # noqa: BLE001 - report, do not hide the measurement's own error
                _log(f"{label}: could not drop {_pg_name(projects)}: {exc}")
    print(MARKER + json.dumps(rows, ensure_ascii=False, default=str), flush=True)
    return 0


# --------------------------------------------------------------------------------------------------------------
# Parent: run the workers, print one table, save it


def _run_worker(size: Size, root: Path, options: argparse.Namespace, quick: bool) -> list[dict[str, Any]]:
    db, projects, months = size
    var_dir = root / f"{db}-{projects}"
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "static").symlink_to(root / "static", target_is_directory=True)
    command = [sys.executable, "-m", "tuijin.bench", "--worker", "--db", db]
    command += ["--projects", str(projects), "--months", str(months), "--var-dir", str(var_dir)]
    if options.runs:
        command += ["--runs", str(options.runs)]
    command += ["--notice"] + ([] if options.no_pdf else ["--pdf"])
    if quick or (db, projects) in INVESTMENT_SIZES:
        command += ["--investment"]
    if quick:
        command += ["--import-rows", "1000"]
    elif (db, projects) == ("sqlite", 10000):
        command += ["--import-rows", "10000"]
    if options.keep_db:
        command += ["--keep-db"]
    _log(f"=== {db} {projects:,} projects × {months} months ===")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True, timeout=3600, check=False)
    _log(f"=== {db} {projects:,}: worker done in {time.perf_counter() - started:.0f} s (exit {completed.returncode})")
    for line in completed.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    if db == "postgres" and not options.keep_db:
        try:
            _pg_admin(f"DROP DATABASE IF EXISTS {_pg_name(projects)} WITH (FORCE)")
        except Exception as exc:  # noqa: BLE001
            _log(f"could not drop {_pg_name(projects)}: {exc}")
    return [{"db": db, "projects": projects, "months": months, "kind": "error", "row": "worker failed"}]


def _cell(value: Any, suffix: str = "") -> str:
    if value is None or value == "":
        return ""
    return f"{value}{suffix}"


def _table(rows: list[dict[str, Any]]) -> str:
    header = f"{'row':<44} {'db':<8} {'projects':>8} {'p50':>11} {'p95':>11} {'queries':>7} {'÷min':>6} {'÷sql':>6}"
    lines = [header, "-" * len(header)]
    last = None
    for row in rows:
        key = (row["db"], row["projects"])
        if last is not None and key != last:
            lines.append("")
        last = key
        if row["kind"] == "job":
            p50 = _cell(row.get("seconds"), " s") if row.get("seconds") is not None else row.get("error", "")[:11]
            p95, queries = "", ""
        elif row["kind"] == "error":
            p50, p95, queries = "FAILED", "", ""
        else:
            p50, p95, queries = _cell(row["p50_ms"], " ms"), _cell(row["p95_ms"], " ms"), str(row["queries"])
        lines.append(
            f"{row['row'][:44]:<44} {row['db']:<8} {row['projects']:>8,} {p50:>11} {p95:>11} {queries:>7} "
            f"{_cell(row.get('x_minimal')):>6} {_cell(row.get('x_sql')):>6}"
        )
    return "\n".join(lines)


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except OSError:
        return ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 1,000-project SQLite database (+ floors)")
    parser.add_argument("--only", default="", help="sizes to run, e.g. sqlite:1000,postgres:10000")
    parser.add_argument("--runs", type=int, default=0, help="timed requests per page (default 30; 10 at 100,000)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF notice")
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL scratch databases")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--projects", type=int, default=1000, help=argparse.SUPPRESS)
    parser.add_argument("--months", type=int, default=12, help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", default="", help=argparse.SUPPRESS)
    parser.add_argument("--notice", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pdf", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--import-rows", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--investment", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)

    sizes = QUICK if args.quick else FULL
    if args.only:
        wanted = {tuple(part.split(":")) for part in args.only.split(",") if part}
        sizes = [s for s in FULL + QUICK if (s[0], str(s[1])) in wanted]
        sizes = list(dict.fromkeys(sizes))
    began = time.perf_counter()
    rows: list[dict[str, Any]] = []
    root = Path(tempfile.mkdtemp(prefix="tuijin-bench-"))
    (root / "static").mkdir()
    try:
        for size in sizes:
            rows += _run_worker(size, root, args, args.quick)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    elapsed = time.perf_counter() - began
    print(_table(rows))
    meta = {
        "time": datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu",
        "quick": args.quick,
        "seed": SEED,
        "seconds": round(elapsed),
    }
    out_dir = REPO / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"  # noqa: DTZ005 - a local file name
    out.write_text(json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=2, default=str))
    print(f"\n{len(rows)} rows in {elapsed / 60:.1f} min; saved {out.relative_to(REPO)}")
    return 0 if all(row["kind"] != "error" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
