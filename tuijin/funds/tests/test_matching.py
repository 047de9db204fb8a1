"""Matching a batch: hand-computed scores and the exact check texts (eligible, near miss with what to fix, failing
on size), each rule on its own incl. the 专项债 1.20 coverage boundary, the ranking, the scope and the number of
queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuijin.funds.matching import eligible_units, match_batch, matching_rules, review_rules
from tuijin.funds.models import FundingBatch, ProjectPrep
from tuijin.projects.models import IndustryChain, Project, ProjectLevel, ProjectSpecialList, SpecialList
from tuijin.projects.tests.factories import make_project

from .test_readiness import set_approvals

pytestmark = pytest.mark.django_db

_codes = iter(range(1, 10000))


def batch_for(world, **rules) -> FundingBatch:
    """A batch with only the rules given (no stage, library or code condition unless asked)."""
    chains = rules.pop("chains", None)
    fields = {
        "channel": "long_bond_major",
        "name": "2027年超长期特别国债（两重）第一批",
        "opens_on": date(2027, 1, 1),
        "deadline": date(2027, 2, 1),
        "organiser": world.office_unit,
        "min_prep_stage": "idea",
        "min_library_status": "none",
        "require_code": False,
        **rules,
    }
    batch = FundingBatch.objects.create(**fields)
    if chains:
        batch.chains.set(chains)
    return batch


def liangzhong(world) -> FundingBatch:
    """两重: 基础设施 or 产业, ≥ 5000 万元, at least 可研, at least 储备, with a code and the land."""
    return batch_for(
        world,
        domains=["infrastructure", "industry"],
        min_total_investment=Decimal("5000"),
        min_prep_stage="feasibility",
        min_library_status="reserve",
        require_code=True,
        require_land=True,
    )


def project(world, *, unit=None, total="10000", code=True, prep=None, done=0, na=0, levels=(), lists=(), **fields):
    made = make_project(unit=unit or world.unit_a, total=total, **fields)
    if code:
        Project.objects.filter(pk=made.pk).update(code="2403-410702-04-01-%05dX" % next(_codes))
    if prep is not None:
        ProjectPrep.objects.create(project=made, **prep)
    set_approvals(made, done=done, na=na)
    for code_ in levels:
        made.levels.add(ProjectLevel.objects.get(code=code_))
    for code_ in lists:
        ProjectSpecialList.objects.create(project=made, special_list=SpecialList.objects.get(code=code_))
    made.refresh_from_db()
    return made


def by_pk(matches):
    return {m.project.pk: m for m in matches}


@pytest.fixture
def three(world):
    """An eligible project, a near miss (no land) and one too small."""
    eligible = project(
        world,
        total="12000",
        prep={
            "prep_stage": "preliminary",
            "library_status": "rolling",
            "land_secured": True,
            "capital_in_place": Decimal("3000"),
        },
        done=12,
        na=3,
        levels=["provincial", "district"],
        lists=["liangzhong", "sangeyipi_start"],
        expected_output=Decimal("18000"),
        expected_tax=Decimal("600"),
    )
    near = project(
        world,
        total="8000",
        domain="infrastructure",
        prep={"prep_stage": "feasibility", "library_status": "reserve"},
        done=5,
        na=2,
        levels=["district"],
    )
    small = project(
        world,
        total="3000",
        prep={
            "prep_stage": "ready",
            "library_status": "annual",
            "land_secured": True,
            "capital_in_place": Decimal("600"),
        },
        expected_output=Decimal("3000"),
        expected_tax=Decimal("90"),
    )
    return eligible, near, small


def test_eligible_project_explained_and_scored(world, three):
    eligible, _near, _small = three
    match = by_pk(match_batch(liangzhong(world), user=world.office))[eligible.pk]
    assert match.eligible and not match.near_miss and match.failed == [] and match.to_fix == []
    assert [c.detail for c in match.checks] == [
        "投资领域：产业（须为基础设施、产业）✓",
        "总投资 1.2亿元 ≥ 5000万元 ✓",
        "前期工作：初步设计（须达到可研）✓",
        "国家重大建设项目库：三年滚动计划（须至少为储备）✓",
        "项目代码：%s ✓" % eligible.code,
        "用地：已落实 ✓",
    ]
    # 合规性 8 + 5 + 10 × 15/15 = 23; 必要性 10 + 省重点 8 + 两重 7 = 25; 可行性 初设 8 + 用地 8 + 资本金 25% 7 = 23;
    # 预期效益 15 × min(18000/12000, 1) + 10 × min(600/12000/5%, 1) = 25
    assert match.review == {"compliance": 23, "necessity": 25, "feasibility": 23, "benefit": 25}
    assert match.score == 96
    assert match.review_rows == [("合规性", 23), ("必要性", 25), ("可行性", 23), ("预期效益", 25)]
    assert match.readiness is not None and match.readiness.score == 100


def test_near_miss_says_what_to_fix(world, three):
    _eligible, near, _small = three
    match = by_pk(match_batch(liangzhong(world), user=world.office))[near.pk]
    assert not match.eligible and match.near_miss
    assert [c.detail for c in match.failed] == ["用地：未落实 ✗"]
    assert match.checks[0].detail == "投资领域：基础设施（须为基础设施、产业）✓"
    assert match.checks[3].detail == "国家重大建设项目库：储备（须至少为储备）✓"
    assert match.to_fix == ["落实用地"]
    assert match.fix_text == "落实用地后即符合条件"
    # 合规性 8 + 3 + 10 × 7/15 = 15.67 → 16; 必要性 10 + 区重点 4 = 14; 可行性 可研 6; 预期效益 nothing recorded 0
    assert match.review == {"compliance": 16, "necessity": 14, "feasibility": 6, "benefit": 0}
    assert match.score == 36


def test_failing_on_size_is_no_near_miss(world, three):
    _eligible, _near, small = three
    match = by_pk(match_batch(liangzhong(world), user=world.office))[small.pk]
    assert not match.eligible and not match.near_miss and match.to_fix == [] and match.fix_text == ""
    assert [(c.key, c.detail, c.fixable) for c in match.failed] == [
        ("min_total", "总投资 3000万元 < 5000万元 ✗", False)
    ]
    # 合规性 8 + 7 + 0 = 15; 必要性 10; 可行性 10 + 8 + 7 = 25; 预期效益 15 × 1 + 10 × (90/3000/5% = 0.6) = 21
    assert match.review == {"compliance": 15, "necessity": 10, "feasibility": 25, "benefit": 21}
    assert match.score == 71


def test_two_fixable_failures_are_a_near_miss_three_are_not(world):
    batch = liangzhong(world)
    two = project(world, code=False, prep={"prep_stage": "feasibility", "library_status": "reserve"})
    three_ = project(world, code=False, prep={"prep_stage": "proposal", "library_status": "reserve"})
    matches = by_pk(match_batch(batch, user=world.office))
    assert matches[two.pk].near_miss
    assert matches[two.pk].to_fix == ["取得项目代码", "落实用地"]
    assert matches[two.pk].fix_text == "取得项目代码、落实用地后即符合条件"
    assert not matches[three_.pk].near_miss and matches[three_.pk].to_fix == []
    assert [c.key for c in matches[three_.pk].failed] == ["prep_stage", "code", "land"]


def check_of(world, batch, made):
    (match,) = [m for m in match_batch(batch, user=world.office) if m.project.pk == made.pk]
    assert len(match.checks) == 1
    return match.checks[0]


@pytest.mark.parametrize(
    ("coverage", "ok", "detail"),
    [
        ("1.19", False, "收益覆盖本息 1.19 倍（须 ≥ 1.20 倍）✗"),
        ("1.20", True, "收益覆盖本息 1.20 倍（须 ≥ 1.20 倍）✓"),
        (None, False, "收益覆盖本息倍数：未填（须 ≥ 1.20 倍）✗"),
    ],
)
def test_special_bond_coverage_boundary(world, coverage, ok, detail):
    batch = batch_for(world, channel="special_bond", min_revenue_coverage=Decimal("1.20"))
    made = project(world, prep={"revenue_coverage": Decimal(coverage) if coverage else None})
    check = check_of(world, batch, made)
    assert (check.key, check.ok, check.detail) == ("revenue_coverage", ok, detail)
    (match,) = [m for m in match_batch(batch, user=world.office) if m.project.pk == made.pk]
    assert match.eligible is ok
    # 专项债: 预期效益 = 25 × min(coverage, 1.5) ÷ 1.5 (1.19 → 19.83 → 20; 1.20 → 20)
    assert match.review["benefit"] == (20 if coverage else 0)
    if not ok:
        assert match.near_miss and match.to_fix == (
            ["调整融资方案，使收益覆盖本息达到 1.20 倍"] if coverage else ["补充财务评估（收益覆盖本息倍数）"]
        )


@pytest.mark.parametrize(
    ("rules", "prep", "fields", "ok", "detail"),
    [
        ({"max_total_investment": Decimal("50000")}, None, {"total": "60000"}, False, "总投资 6亿元 > 5亿元 ✗"),
        ({"max_total_investment": Decimal("50000")}, None, {"total": "50000"}, True, "总投资 5亿元 ≤ 5亿元 ✓"),
        ({"min_total_investment": Decimal("5000")}, None, {"total": "5000"}, True, "总投资 5000万元 ≥ 5000万元 ✓"),
        ({"domains": ["urban_renewal"]}, None, {}, False, "投资领域：产业（须为城市更新）✗"),
        ({"domains": ["urban_renewal"]}, None, {"domain": ""}, False, "投资领域：未填（须为城市更新）✗"),
        (
            {"min_prep_stage": "ready"},
            {"prep_stage": "preliminary"},
            {},
            False,
            "前期工作：初步设计（须达到具备开工条件）✗",
        ),
        ({"min_library_status": "annual"}, None, {}, False, "国家重大建设项目库：未入库（须至少为年度计划）✗"),
        (
            {"require_land": True},
            None,
            {"land_deal_date": date(2026, 5, 6)},
            True,
            "用地：已签订土地出让合同（2026-05-06）✓",
        ),
        (
            {"require_capital": True},
            {"capital_in_place": Decimal("2000")},
            {},
            True,
            "资本金 2000万元，占总投资 20.00%（须 ≥ 20.00%）✓",
        ),
        (
            {"require_capital": True},
            {"capital_in_place": Decimal("1500")},
            {},
            False,
            "资本金 1500万元，占总投资 15.00%（须 ≥ 20.00%）✗",
        ),
        ({"require_capital": True}, None, {}, False, "资本金：未落实（须 ≥ 总投资的 20.00%）✗"),
        ({"require_debt_system": True}, {"in_debt_system": True}, {}, True, "财政部专项债项目库：已入库 ✓"),
        ({"require_debt_system": True}, None, {}, False, "财政部专项债项目库：未入库 ✗"),
        ({"require_code": True}, None, {"code": False}, False, "项目代码：未赋码 ✗"),
    ],
)
def test_each_rule(world, rules, prep, fields, ok, detail):
    made = project(world, prep=prep, **fields)
    check = check_of(world, batch_for(world, **rules), made)
    assert (check.ok, check.detail) == (ok, detail)


def test_capital_fix_names_the_shortfall(world):
    made = project(world, prep={"capital_in_place": Decimal("1500")})
    (match,) = match_batch(batch_for(world, require_capital=True), user=world.office)
    assert match.project == made and match.to_fix == ["再落实资本金 500万元"]


def test_chain_rule(world):
    chain = IndustryChain.objects.create(name="电子信息")
    other = IndustryChain.objects.create(name="新材料")
    batch = batch_for(world, chains=[chain])
    inside, outside = project(world, chain=chain), project(world, chain=other)
    matches = by_pk(match_batch(batch, user=world.office))
    assert matches[inside.pk].checks[0].detail == "产业链：电子信息（须为电子信息）✓"
    assert matches[outside.pk].checks[0].detail == "产业链：新材料（须为电子信息）✗"
    assert not matches[outside.pk].near_miss  # the sector is not the unit's to change


def test_ranking(world, three):
    """Eligible by score, then total investment (largest first), then id; near misses; then the rest."""
    eligible, near, small = three
    batch = liangzhong(world)
    plain = {"prep_stage": "feasibility", "library_status": "reserve", "land_secured": True}
    low_a = project(world, total="6000", prep=plain)
    low_big = project(world, total="9000", prep=plain)
    low_b = project(world, total="6000", prep=plain)
    hopeless = project(world, total="20000", code=False, prep={"library_status": "reserve"})
    matches = match_batch(batch, user=world.office)
    assert [m.project.pk for m in matches] == [
        eligible.pk,  # 96
        low_big.pk,  # 8 + 3 + 10 + 6 + 8 = 35, 9000
        low_a.pk,  # 35, 6000, lower id
        low_b.pk,
        near.pk,  # near miss
        small.pk,  # the rest: 71
        hopeless.pk,  # the rest: 8 + 10 + 0 … = 3 + 10 = 13
    ]
    assert [m.score for m in matches] == [96, 35, 35, 35, 36, 71, 13]
    assert (matches.total, matches.eligible_count, matches.near_miss_count, matches.rest_count) == (7, 4, 1, 2)
    top = match_batch(batch, user=world.office, limit=2)
    assert [m.project.pk for m in top] == [eligible.pk, low_big.pk]
    assert (top.total, top.eligible_count, top.near_miss_count, top.not_shown) == (7, 4, 1, 5)
    top6 = match_batch(batch, user=world.office, limit=6)  # reaches into the rest: the small one is read too
    assert [m.project.pk for m in top6][-1] == small.pk and top6.total == 7


def test_scope(world, three):
    eligible, near, small = three
    batch = liangzhong(world)
    plain = {"prep_stage": "feasibility", "library_status": "reserve", "land_secured": True}
    in_b = project(world, unit=world.unit_b, prep=plain)
    foreign = project(world, unit=world.foreign_unit, prep=plain)
    finished = project(world, prep=plain)
    Project.objects.filter(pk=finished.pk).update(stage="cancelled")
    office = {m.project.pk for m in match_batch(batch, user=world.office)}
    assert office == {eligible.pk, near.pk, small.pk, in_b.pk}
    unit_a = {m.project.pk for m in match_batch(batch, user=world.reporter_a)}
    assert unit_a == {eligible.pk, near.pk, small.pk}
    assert match_batch(batch, user=world.norole) == []
    assert {m.project.pk for m in match_batch(batch)} == office  # no user: the organiser's district
    assert foreign.pk not in {m.project.pk for m in match_batch(batch, Project.objects.all(), user=world.office)}
    assert foreign.pk in {m.project.pk for m in match_batch(batch, user=world.foreign_office)}


def test_eligible_units(world, three):
    batch = liangzhong(world)
    plain = {"prep_stage": "feasibility", "library_status": "reserve", "land_secured": True}
    project(world, unit=world.foreign_unit, prep=plain)  # eligible, but of the neighbouring district
    assert eligible_units(batch) == [world.unit_a]
    project(world, unit=world.unit_b, prep=plain)
    assert eligible_units(batch) == [world.unit_a, world.unit_b]


def _queries(world, batch, limit) -> int:
    match_batch(batch, user=world.office, limit=limit)  # warm-up: the user's memberships
    with CaptureQueriesContext(connection) as ctx:
        match_batch(batch, user=world.office, limit=limit)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("limit", "expected"), [(None, 4), (1, 4), (50, 4)])
def test_query_count_does_not_grow_with_the_projects(world, three, limit, expected):
    """The batch's chains; the projects passing the sector and size rules with everything matching reads; the
    others (read, or only counted when the first `limit` are all eligible or near misses); the project rows shown."""
    batch = liangzhong(world)
    plain = {"prep_stage": "feasibility", "library_status": "reserve", "land_secured": True}
    few = _queries(world, batch, limit)
    for k in range(6):
        project(world, total=str(6000 + k), prep=plain, levels=["city"], lists=["liangxin"], done=k)
        project(world, total="100", prep=plain)
    assert _queries(world, batch, limit) == few
    assert few == expected


def test_rules_are_published():
    assert len(matching_rules()) == 8 and len(review_rules()) == 5


@pytest.mark.django_db
def test_approvals_rule_counts_done_and_not_applicable_and_says_what_is_left(world):
    """须审批手续齐全: every approval item 已办结 or 不涉及; the text names how many are left."""
    from tuijin.funds.matching import _Approvals

    rule = _Approvals()
    assert rule.check({"approvals_total": 0, "approvals_done": 0}).detail == "审批手续：未录入 ✗"
    partial = rule.check({"approvals_total": 5, "approvals_done": 4})
    assert not partial.ok
    assert (partial.detail, partial.fix) == ("审批手续：4/5 项已办结或不涉及 ✗", "办结其余 1 项审批手续")
    done = rule.check({"approvals_total": 5, "approvals_done": 5})
    assert (done.ok, done.detail) == (True, "审批手续：5 项已全部办结 ✓")
