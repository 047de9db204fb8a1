"""A small district for the assessment tests, every figure countable by hand (facts maintained by the model
signals, as in production). 2026; the schedule is the default month ÷ 12 (June: 50 %).

| project | unit | 开工 | 2026 plan | counted reports 2026 |
|---|---|---|---|---|
| 甲新开工一 | 甲街道 | planned 2026-04-01, started 2026-05-10 | 1,200 | May, Jun 100 each |
| 甲新开工二 | 甲街道 | planned 2026-04-01, not started (前期) | 600 | — |
| 甲续建 | 甲街道 | 2024-03-01 | 2,400 | Jan–Jun 200 each |
| 乙新开工 | 乙街道 | planned 2026-02-01, started 2026-02-15 | 1,800 | Feb–Jun 300 each |
| 乙续建 | 乙街道 | 2023-06-01 | 1,200 | Jan–Jun 100 each |
| 区直续建 | 测试区发改委 (区直部门) | 2025-01-01 | 1,200 | Jan–Jun 150 each |
"""

from datetime import date
from decimal import Decimal

import pytest

from tuijin.assessment.models import Rubric
from tuijin.progress.tests.factories import make_report
from tuijin.projects.choices import ProjectDomain, Stage
from tuijin.projects.models import AnnualPlan, Project

D = Decimal
YEAR = 2026


def _project(name, unit, plan, **fields) -> Project:
    project = Project.objects.create(
        name=name,
        owner_name=f"{name}业主",
        total_investment=D("50000"),
        responsible_unit=unit,
        domain=ProjectDomain.INDUSTRY,
        **fields,
    )
    AnnualPlan.objects.create(project=project, year=YEAR, planned_investment=D(plan))
    return project


def _reports(project, months, amount) -> None:
    for month in months:
        make_report(project, date(YEAR, month, 1), amount, status="submitted")


@pytest.fixture
def district(world):
    """The small district, and the two shipped rubrics narrowed to it (the neighbouring district's 发改委 is out)."""
    build = {"stage": Stage.CONSTRUCTION}
    a1 = _project(
        "甲新开工一", world.unit_a, "1200", planned_start=date(YEAR, 4, 1), actual_start=date(YEAR, 5, 10), **build
    )
    a2 = _project("甲新开工二", world.unit_a, "600", planned_start=date(YEAR, 4, 1), stage=Stage.PREPARATION)
    a3 = _project("甲续建", world.unit_a, "2400", actual_start=date(2024, 3, 1), **build)
    b1 = _project(
        "乙新开工", world.unit_b, "1800", planned_start=date(YEAR, 2, 1), actual_start=date(YEAR, 2, 15), **build
    )
    b2 = _project("乙续建", world.unit_b, "1200", actual_start=date(2023, 6, 1), **build)
    o1 = _project("区直续建", world.office_unit, "1200", actual_start=date(2025, 1, 1), **build)
    _reports(a1, [5, 6], "100")
    _reports(a3, range(1, 7), "200")
    _reports(b1, range(2, 7), "300")
    _reports(b2, range(1, 7), "100")
    _reports(o1, range(1, 7), "150")
    Rubric.objects.update(region=world.district)
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2, "o1": o1}


@pytest.fixture
def quarterly(db):
    return Rubric.objects.get(code="quarterly")


@pytest.fixture
def monthly(db):
    return Rubric.objects.get(code="monthly-points")
