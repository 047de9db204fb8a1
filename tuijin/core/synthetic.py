"""Synthetic data at scale (`tuijin generate_synthetic`): the runner. The data itself comes from the apps.

Each app that contributes to the dataset writes a `SyntheticStep` subclass in `<app>/synthetic.py` and lists its
dotted path in `SYNTHETIC_STEPS`, the way demo loaders are listed in `tuijin.core.demo.DEMO_STEPS`. Core imports no
app: it loads the steps by name and calls their hooks, in list order, phase by phase:

1. `reporting_month(today)`: the step that owns the reporting calendar says which month units report on today;
   the run covers the last `months` months up to it (or up to December of a past `year`);
2. `exists()`: any step finding its data already there refuses the run (`SyntheticDataExists`);
3. `setup(run)` (phase "org"): reference data, the organisation, the accounts, anything made once;
4. `chunk(run, start, size)` (phase "projects"): the projects `start … start + size - 1` and everything under them,
   `CHUNK` projects at a time, every step in turn for one chunk before the next chunk;
5. `finish(run)` (phase "lights"): what is derived from the whole dataset (the warning lights), after an ANALYZE.

All steps share one `SyntheticRun`: one seeded `random.Random` (draws happen in the order above, so the same seed
gives the same data for a fixed latest month), the months, the counts, and `run.shared`, where a step publishes
what later steps build on (the organisation, the accounts, the chunk's projects). Everything runs in one
transaction (a failed run leaves nothing behind); on PostgreSQL the tables are ANALYZEd afterwards, as autovacuum
would. What the steps write: `tuijin.org.synthetic`, `tuijin.users.synthetic`, `tuijin.projects.synthetic`,
`tuijin.progress.synthetic`.
"""

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tuijin.core.figures_cache import figures_changed
from tuijin.core.periods import add_months, month_end

__all__ = [
    "BATCH",
    "CHUNK",
    "OFFICE_USERNAME",
    "PROVINCE_CODE",
    "PROVINCE_NAME",
    "SOURCE",
    "SYNTHETIC_STEPS",
    "USER_PREFIX",
    "SyntheticDataExists",
    "SyntheticResult",
    "SyntheticRun",
    "SyntheticStep",
    "cents",
    "day_in",
    "generate_synthetic",
    "latest_period",
    "split_cents",
    "synthetic_exists",
    "weighted",
]

# The steps, in the order they run. An app adds its step here (a `SyntheticStep` subclass in `<app>/synthetic.py`).
SYNTHETIC_STEPS = [
    "tuijin.org.synthetic.OrgStep",
    "tuijin.users.synthetic.AccountsStep",
    "tuijin.projects.synthetic.ProjectsStep",
    "tuijin.progress.synthetic.ReportsStep",
    "tuijin.dispatch.synthetic.LightsStep",
]

# The names the dataset is known by (the steps write them, the command prints them).
PROVINCE_CODE = "99"  # not a real 行政区划代码: the synthetic province never collides with real data or the demo
PROVINCE_NAME = "河洛省"
OFFICE_USERNAME = "syn_office"
USER_PREFIX = "syn_u"
SOURCE = "合成数据"  # the change-log message and event source of synthetic rows
CHUNK = 2000  # projects per bulk chunk
BATCH = 1000  # rows per INSERT statement (SQLite lowers it to its parameter limit)


class SyntheticDataExists(Exception):
    """Synthetic data is already in the database (a second run would duplicate it)."""


@dataclass
class SyntheticResult:
    """What a run wrote: row counts per table, seconds per phase, the latest month, the accounts' password."""

    projects: int
    months: list[date]
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    password: str = ""
    password_shared: bool = False
    lights: dict[str, int] = field(default_factory=dict)

    @property
    def latest(self) -> date:
        return self.months[-1]

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


@dataclass
class SyntheticRun:
    """What every step of one run shares: the generator, the months, the result and the published objects."""

    projects: int  # how many projects the run writes
    months: list[date]  # the reporting months, oldest first
    rng: random.Random
    now: datetime
    result: SyntheticResult
    shared: dict[str, Any] = field(default_factory=dict)  # objects a step publishes for the later ones
    first: date = field(init=False)
    latest: date = field(init=False)
    year: int = field(init=False)  # the plan year: the latest month's
    years: list[int] = field(init=False)  # every year the months touch
    today: date = field(init=False)
    tz: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self.first, self.latest = self.months[0], self.months[-1]
        self.year = self.latest.year
        self.years = list(range(self.first.year, self.year + 1))
        self.today = timezone.localtime(self.now).date()
        self.tz = ZoneInfo(settings.TIME_ZONE)

    def count(self, name: str, n: int) -> None:
        """Add `n` rows to the count `name` (the command prints the counts)."""
        self.result.counts[name] = self.result.counts.get(name, 0) + n


class SyntheticStep:
    """One app's part of the synthetic dataset. Every hook is optional; see the module docstring for the order."""

    def reporting_month(self, today: date | None) -> date | None:
        """The month units report on `today` (default: now), if this step owns the reporting calendar."""
        return None

    def exists(self) -> bool:
        """True when this step's synthetic data is already in the database."""
        return False

    def setup(self, run: SyntheticRun) -> None:
        """Write what is made once, before the projects."""

    def chunk(self, run: SyntheticRun, start: int, size: int) -> None:
        """Write projects `start … start + size - 1` (or what belongs to them)."""

    def finish(self, run: SyntheticRun) -> None:
        """Write what is derived from the whole dataset."""


def _steps() -> list[SyntheticStep]:
    return [import_string(dotted)() for dotted in SYNTHETIC_STEPS]


def synthetic_exists() -> bool:
    """True when a synthetic dataset (its office account or its province) is already in the database."""
    return any(step.exists() for step in _steps())


def latest_period(year: int | None = None, today: date | None = None) -> date:
    """The latest month to report: the month units report on today, or December of a past `year`.

    Raises ValueError (Chinese message) for a year after the current reporting year.
    """
    current = next((m for m in (s.reporting_month(today) for s in _steps()) if m is not None), None)
    if current is None:
        raise ImproperlyConfigured("No step in SYNTHETIC_STEPS defines the reporting month.")
    if year is None or year == current.year:
        return current
    if year < current.year:
        return date(year, 12, 1)
    raise ValueError(f"年度 {year} 晚于当前填报年度 {current.year}，无法生成该年度的月报。")


# --------------------------------------------------------------------------------------------------------------
# Helpers for the steps: months, money in integer cents, weighted draws


def cents(value: int) -> Decimal:
    """Integer cents → an exact two-place Decimal."""
    return Decimal(value).scaleb(-2)


def day_in(rng: random.Random, month: date, last: date | None = None) -> date:
    """A day of `month`, not after `last`."""
    end = month_end(month)
    if last is not None and last < end:
        end = last
    return month + timedelta(days=rng.randint(0, max(0, (end - month).days)))


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    """One value of `(value, weight)` pairs."""
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def split_cents(total: int, weights: list[float]) -> list[int]:
    """`total` cents split by `weights`, every part ≥ 0 and the parts summing exactly to `total`."""
    whole = sum(weights)
    if whole <= 0:
        return [0] * (len(weights) - 1) + [total]
    parts = [int(total * w / whole) for w in weights]
    parts[max(range(len(weights)), key=lambda i: weights[i])] += total - sum(parts)
    return parts


# --------------------------------------------------------------------------------------------------------------
# The run


def _analyze() -> None:
    """PostgreSQL: refresh the planner statistics after a bulk load (what autovacuum would do soon after)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate_synthetic(
    *,
    projects: int,
    months: int,
    seed: int,
    year: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> SyntheticResult:
    """Write the synthetic dataset (the registered steps, see the module docstring); raises SyntheticDataExists on
    a second run and ValueError for arguments out of range. `progress` receives one line per phase / chunk."""
    if projects < 1:
        raise ValueError("项目数须为正整数。")
    if not 1 <= months <= 120:
        raise ValueError("月数须在 1 到 120 之间。")
    say = progress or (lambda _line: None)
    latest = latest_period(year)
    periods = [add_months(latest, -k) for k in range(months - 1, -1, -1)]
    result = SyntheticResult(projects=projects, months=periods, seed=seed)
    run = SyntheticRun(projects=projects, months=periods, rng=random.Random(seed), now=timezone.now(), result=result)
    steps = _steps()
    counts = result.counts

    with transaction.atomic():
        if any(step.exists() for step in steps):
            raise SyntheticDataExists(
                "数据库中已存在合成数据（syn_office 账户或河洛省区划），拒绝重复生成；请在新的空数据库中运行。"
            )
        began = time.perf_counter()
        for step in steps:
            step.setup(run)
        result.seconds["org"] = time.perf_counter() - began
        say(
            f"组织机构：{counts.get('districts', 0)} 个区县，{counts.get('units', 0)} 个单位，"
            f"{counts.get('users', 0)} 个账户（{result.seconds['org']:.1f} 秒）"
        )

        began = time.perf_counter()
        for start in range(0, projects, CHUNK):
            size = min(CHUNK, projects - start)
            for step in steps:
                step.chunk(run, start, size)
            say(f"项目 {start + size:,}/{projects:,}（{time.perf_counter() - began:.1f} 秒）")
        result.seconds["projects"] = time.perf_counter() - began

        began = time.perf_counter()
        _analyze()  # planner statistics for the fresh rows (ANALYZE sees this transaction's own inserts)
        for step in steps:
            step.finish(run)
        result.seconds["lights"] = time.perf_counter() - began
        say(f"预警灯：{latest:%Y-%m}，{result.lights}（{result.seconds['lights']:.1f} 秒）")

    began = time.perf_counter()
    _analyze()
    result.seconds["analyze"] = time.perf_counter() - began
    figures_changed()  # everything above was bulk-written, without signals (the facts were rebuilt by the steps)
    return result
