"""前期成熟度: hand-computed scores and the exact explanation texts, the bulk form equal to the single one and its
single query."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuijin.funds.models import ProjectPrep
from tuijin.funds.readiness import fmt_money, fmt_pct, readiness, readiness_many, readiness_rules
from tuijin.projects.models import ApprovalItem, Project
from tuijin.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

CODE = "2403-410702-04-01-12345X"


def set_approvals(project, *, done: int = 0, na: int = 0) -> None:
    """The first `done` items of the catalogue 已办结, the next `na` 不涉及, the rest left 未办."""
    pks = list(project.approval_items.order_by("item_type__sort_order").values_list("pk", flat=True))
    ApprovalItem.objects.filter(pk__in=pks[:done]).update(status="done", completed_date=date(2026, 3, 1))
    ApprovalItem.objects.filter(pk__in=pks[done : done + na]).update(status="na")


def test_money_and_percentages_read_as_written():
    assert fmt_money(Decimal("12000")) == "1.2亿元"
    assert fmt_money(Decimal("5000")) == "5000万元"
    assert fmt_money(Decimal("850.50")) == "850.5万元"
    assert fmt_money(Decimal("123456.789")) == "12.35亿元"
    assert fmt_pct(Decimal(7) / Decimal(15)) == "46.67%"
    assert fmt_pct(Decimal("0.2")) == "20.00%"
    assert fmt_pct(Decimal("0.123450")) == "12.35%"  # half up, not to even


def test_a_ready_project_scores_100(world):
    project = make_project(unit=world.unit_a, total="10000")
    Project.objects.filter(pk=project.pk).update(code=CODE)
    project.refresh_from_db()
    ProjectPrep.objects.create(
        project=project, prep_stage="preliminary", land_secured=True, capital_in_place=Decimal("2400")
    )
    set_approvals(project, done=12, na=3)
    result = readiness(project)
    assert result.score == 100
    assert result.missing == []
    assert [(i.key, i.points, i.detail) for i in result.items] == [
        ("code", 20, "项目代码 ✓（2403-410702-04-01-12345X）"),
        ("prep_stage", 20, "前期工作阶段 ✓（初步设计）"),
        ("land", 20, "用地 ✓（用地已落实）"),
        ("approvals", 20, "审批手续 ✓（15/15 项已办结或不涉及）"),
        ("capital", 20, "资本金 ✓（2400万元，占总投资 24.00%，须 ≥ 20.00%）"),
    ]


def test_a_partly_ready_project(world):
    """No code 0 + 可研 10 + land by contract 20 + 7 of 15 approvals round(20 × 7/15 = 9.33) = 9 + 资本金 10% 0."""
    project = make_project(unit=world.unit_a, total="10000", land_deal_date=date(2026, 2, 3))
    ProjectPrep.objects.create(project=project, prep_stage="feasibility", capital_in_place=Decimal("1000"))
    set_approvals(project, done=5, na=2)
    result = readiness(project)
    assert result.score == 39
    assert result.missing == ["项目代码", "审批手续", "资本金"]
    assert [(i.ok, i.points, i.detail) for i in result.items] == [
        (False, 0, "项目代码 ✗（未赋码）"),
        (True, 10, "前期工作阶段 ✓（可研，完成初步设计后得满分）"),
        (True, 20, "用地 ✓（土地出让合同 2026-02-03）"),
        (False, 9, "审批手续 ✗（7/15 项已办结或不涉及，46.67%）"),
        (False, 0, "资本金 ✗（1000万元，占总投资 10.00%，须 ≥ 20.00%）"),
    ]


def test_nothing_recorded(world):
    """No preparation record (the defaults: 谋划, nothing secured) and no approval items at all."""
    project = make_project(unit=world.unit_a, total="3000")
    project.approval_items.all().delete()
    result = readiness(project)
    assert result.score == 0
    assert result.missing == ["项目代码", "前期工作阶段", "用地", "审批手续", "资本金"]
    assert [i.detail for i in result.items] == [
        "项目代码 ✗（未赋码）",
        "前期工作阶段 ✗（谋划，须达到可研）",
        "用地 ✗（未落实用地）",
        "审批手续 ✗（未录入审批手续）",
        "资本金 ✗（未落实资本金）",
    ]


@pytest.mark.parametrize(
    ("capital", "ok"), [("2000", True), ("1999.99", False), ("0", False)], ids=["20%", "19.9999%", "zero"]
)
def test_capital_boundary_is_20_percent(world, capital, ok):
    project = make_project(unit=world.unit_a, total="10000")
    ProjectPrep.objects.create(project=project, capital_in_place=Decimal(capital))
    item = readiness(project).items[4]
    assert (item.ok, item.points) == (ok, 20 if ok else 0)


def test_capital_without_total_investment(world):
    project = make_project(unit=world.unit_a, total="1000")
    Project.objects.filter(pk=project.pk).update(total_investment=None)
    project.refresh_from_db()
    ProjectPrep.objects.create(project=project, capital_in_place=Decimal("500"))
    assert readiness(project).items[4].detail == "资本金 ✗（总投资未填，无法判断）"


def test_prep_and_approvals_given_are_used(world):
    """The caller's prep and approvals (items or statuses) are used as given, without reading the database."""
    project = make_project(unit=world.unit_a, total="10000")
    prep = ProjectPrep(project=project, prep_stage="ready", land_secured=True)
    with CaptureQueriesContext(connection) as ctx:
        result = readiness(project, prep=prep, approvals=["done", "na", "pending", "in_progress"])
    assert len(ctx.captured_queries) == 0
    assert result.items[3].detail == "审批手续 ✗（2/4 项已办结或不涉及，50.00%）"
    assert result.score == 0 + 20 + 20 + 10 + 0


def _many(world, n: int) -> list[Project]:
    made = []
    for k in range(n):
        project = make_project(unit=world.unit_a, total=str(1000 * (k + 1)))
        if k % 2:
            ProjectPrep.objects.create(project=project, prep_stage="feasibility", capital_in_place=Decimal(300))
        set_approvals(project, done=k)
        made.append(project)
    return made


def test_readiness_many_equals_readiness_in_one_query(world):
    projects = _many(world, 3)
    queryset = Project.objects.filter(pk__in=[p.pk for p in projects])
    with CaptureQueriesContext(connection) as small:
        many = readiness_many(queryset)
    assert len(small.captured_queries) == 1
    for project in projects:
        project.refresh_from_db()
        assert many[project.pk] == readiness(project)
    more = _many(world, 6)
    with CaptureQueriesContext(connection) as large:
        assert len(readiness_many(Project.objects.filter(pk__in=[p.pk for p in projects + more]))) == 9
    assert len(large.captured_queries) == len(small.captured_queries)


def test_rules_are_published():
    rules = readiness_rules()
    assert len(rules) == 6 and rules[0].startswith("项目代码（20分）")
