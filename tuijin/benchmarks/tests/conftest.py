"""A tiny district for the 对标对表 tests: five projects with annual plans and submitted monthly reports in 2024 and
2025 (the facts layer maintained by the model signals, as in production), three peers with published values, and
the district's 2025 targets. `TODAY` is 10 July 2025: the platform's months of 2025 are January to June.

| project | unit | 投资领域 | 开工 | 2024 plan / reports | 2025 plan | 2025 reports Jan–Jun |
|---|---|---|---|---|---|---|
| 老项目 | 甲 | 基础设施 | 2023-03-01 | 24,000 / 2,000 each month | 24,000 | 2,100 each |
| 甲产业项目 | 甲 | 产业 | 2025-02-10 | — | 2,400 | 50 each |
| 乙产业项目 | 乙 | 产业 | 2025-03-05 | — | 1,200 | 40 each |
| 续建配套项目 | 甲 | 基础设施 | 2024-11-01 | — | 960 | 61 each |
| 乙计划新开工项目 | 乙 | 基础设施 | planned 2025-08-01 (前期) | — | 1,200, monthly 0 until July | — |
"""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.benchmarks.models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion
from tuijin.progress.tests.factories import make_report
from tuijin.projects.choices import ProjectDomain, Stage
from tuijin.projects.models import AnnualPlan, Project

D = Decimal
YEAR = 2025
TODAY = date(2025, 7, 10)
PUBLISHED = date(2025, 7, 8)


def _project(name, unit, domain, **fields) -> Project:
    return Project.objects.create(
        name=name,
        owner_name=f"{name}业主",
        total_investment=D("100000"),
        responsible_unit=unit,
        domain=domain,
        **fields,
    )


def _reports(project, year, months, amount) -> None:
    for month in months:
        make_report(project, date(year, month, 1), amount, status="submitted")


@pytest.fixture
def tiny(world):
    construction = {"stage": Stage.CONSTRUCTION}
    old = _project("老项目", world.unit_a, ProjectDomain.INFRASTRUCTURE, actual_start=date(2023, 3, 1), **construction)
    p1 = _project("甲产业项目", world.unit_a, ProjectDomain.INDUSTRY, actual_start=date(2025, 2, 10), **construction)
    p2 = _project("乙产业项目", world.unit_b, ProjectDomain.INDUSTRY, actual_start=date(2025, 3, 5), **construction)
    p3 = _project(
        "续建配套项目", world.unit_a, ProjectDomain.INFRASTRUCTURE, actual_start=date(2024, 11, 1), **construction
    )
    p4 = _project(
        "乙计划新开工项目",
        world.unit_b,
        ProjectDomain.INFRASTRUCTURE,
        planned_start=date(2025, 8, 1),
        stage=Stage.PREPARATION,
    )
    AnnualPlan.objects.create(project=old, year=2024, planned_investment=D("24000"))
    AnnualPlan.objects.create(project=old, year=YEAR, planned_investment=D("24000"))
    AnnualPlan.objects.create(project=p1, year=YEAR, planned_investment=D("2400"))
    AnnualPlan.objects.create(project=p2, year=YEAR, planned_investment=D("1200"))
    AnnualPlan.objects.create(project=p3, year=YEAR, planned_investment=D("960"))
    AnnualPlan.objects.create(
        project=p4,
        year=YEAR,
        planned_investment=D("1200"),
        planned_start_quarter=3,
        monthly_plan=["0", "0", "0", "0", "0", "0", "0", "200", "200", "200", "300", "300"],
    )
    _reports(old, 2024, range(1, 13), "2000")
    _reports(old, YEAR, range(1, 7), "2100")
    _reports(p1, YEAR, range(1, 7), "50")
    _reports(p2, YEAR, range(1, 7), "40")
    _reports(p3, YEAR, range(1, 7), "61")
    return {"old": old, "p1": p1, "p2": p2, "p3": p3, "p4": p4}


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def self_region() -> PeerRegion:
    return PeerRegion.objects.get(is_self=True)


def put(region, code, month, value, year=YEAR, source="测试来源") -> IndicatorValue:
    return IndicatorValue.objects.create(
        region=region,
        indicator=indicator(code),
        year=year,
        month=month,
        value=D(value),
        source=source,
        published_on=PUBLISHED,
    )


@pytest.fixture
def peers(db):
    """鹤壁 (growth 15.30 to June, 5 starts, 二产占比 38.00 / 40.50), 长垣 (growth 13.00 to May only), 高新区 (growth
    10.00 to June), and an inactive 停用区 (ignored everywhere)."""
    hebi = PeerRegion.objects.create(name="鹤壁", sort_order=1)
    changyuan = PeerRegion.objects.create(name="长垣", sort_order=2)
    gaoxin = PeerRegion.objects.create(name="高新区", sort_order=3)
    gone = PeerRegion.objects.create(name="停用区", sort_order=4, is_active=False)
    put(hebi, "fai_growth", 6, "15.30")
    put(hebi, "started_projects", 6, "5")
    put(hebi, "secondary_share", 3, "38.00")
    put(hebi, "secondary_share", 6, "40.50")
    put(changyuan, "fai_growth", 5, "13.00")
    put(gaoxin, "fai_growth", 6, "10.00")
    put(gone, "fai_growth", 6, "99.00")
    return {"hebi": hebi, "changyuan": changyuan, "gaoxin": gaoxin, "gone": gone}


@pytest.fixture
def targets(db):
    """2025: 固投增速 25, 新开工 6 个, 二产占比 33."""
    return {
        code: IndicatorTarget.objects.create(
            indicator=indicator(code), year=YEAR, value=D(value), source="区政府工作报告"
        )
        for code, value in (("fai_growth", "25"), ("started_projects", "6"), ("secondary_share", "33"))
    }
