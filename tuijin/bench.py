"""`make bench`: measured figures (not timed tests), printed as one table and saved to var/bench/<stamp>.json.

Each row runs a page or endpoint N times through Django's test client against a database built for the bench
(demo data, SQLite in a temporary folder) and reports p50/p95 server time and the SQL query count.
Later subsystems add their rows to ROWS.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path


def _setup(var_dir: Path) -> None:
    os.environ["TUIJIN_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("TUIJIN_DEMO_PASSWORD", "Bench-Pass-2026!")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tuijin.settings.base"
    os.environ["TUIJIN_LOG_LEVEL"] = "ERROR"
    os.environ["TUIJIN_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)


def _measure(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        queries = len(ctx.captured_queries)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "queries": queries,
        "runs": runs,
    }


ROWS = [  # (label, username, url)
    ("home page (xijie)", "xijie", "/"),
    ("unit list (xmb, region scope)", "xmb", "/org/units/"),
    ("unit detail (xmb)", "xmb", "/org/units/1/"),
    ("unit list API (xmb)", "xmb", "/api/org/units/"),
    ("audit log (auditadmin)", "auditadmin", "/audit/"),
    ("project list (xmb, 120 demo)", "xmb", "/projects/"),
    ("project list filtered (xmb)", "xmb", "/projects/?stage=construction&sort=-total"),
    ("project detail (xmb)", "xmb", "/projects/1/"),
    ("project list API (xmb)", "xmb", "/api/projects/projects/"),
    ("project list (xijie, unit scope)", "xijie", "/projects/"),
]


def _bench_import(rows: int) -> dict:
    """Build a {rows}-row import file from the template, then validate and import it, timing both."""
    import io
    import resource

    from openpyxl import load_workbook

    from tuijin.projects import excel
    from tuijin.users.models import User

    actor = User.objects.get(username="xmb")
    book = load_workbook(io.BytesIO(excel.build_template(actor=actor)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    col = {h.rstrip("*"): i for i, h in enumerate(headers) if h}
    units = ["西街街道", "东街街道", "渠东街道", "红开区", "洪门镇"]
    for n in range(rows):
        row: list = [None] * len(headers)
        row[col["项目名称"]] = f"基准导入项目{n}（示例）"
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "job": f"import {rows} rows",
        "db": "sqlite",
        "validate_s": round(parsed, 2),
        "total_s": round(total, 2),
        "created": created,
        "peak_rss_mb": round(peak),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs per row")
    args = parser.parse_args(argv)
    runs = 20 if args.quick else 100
    with tempfile.TemporaryDirectory(prefix="tuijin-bench-") as tmp:
        _setup(Path(tmp))
        from django.test import Client

        from tuijin.users.models import User

        results = []
        for label, username, url in ROWS:
            client = Client()
            client.force_login(User.objects.get(username=username))
            results.append({"row": label, "db": "sqlite", "url": url, **_measure(client, url, runs)})
        jobs = [_bench_import(1000 if args.quick else 10000)]
    header = f"{'row':<34} {'db':<7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'runs':>5}"
    print(header)
    print("-" * len(header))
    for row in results:
        print(
            f"{row['row']:<34} {row['db']:<7} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['queries']:>8} "
            f"{row['runs']:>5}"
        )
    out_dir = Path(__file__).resolve().parent.parent / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"  # noqa: DTZ005
    out.write_text(json.dumps({"pages": results, "jobs": jobs}, ensure_ascii=False, indent=2))
    print()
    job_header = f"{'job':<34} {'db':<7} {'validate s':>10} {'total s':>8} {'created':>8} {'peak MB':>8}"
    print(job_header)
    print("-" * len(job_header))
    for job in jobs:
        print(
            f"{job['job']:<34} {job['db']:<7} {job['validate_s']:>10} {job['total_s']:>8} {job['created']:>8} "
            f"{job['peak_rss_mb']:>8}"
        )
    print(f"\nsaved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
