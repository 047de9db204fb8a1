"""Dashboard figures: published arithmetic reproduced exactly, scoping, definitions, bounded queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuijin.core.figures_cache import figures_changed
from tuijin.dispatch import selectors, warnings
from tuijin.progress.choices import LightColor, ReportStatus, WarningDimension
from tuijin.progress.models import LightOverride, ProgressReport, ReportProblem, WarningLight, WarningRule
from tuijin.projects.choices import PlanStatus, ProjectDomain, Stage, YearlyCategory
from tuijin.projects.models import AnnualPlan, IndustryChain, Project, ProjectLevel

YEAR = 2026
D = Decimal


def _report(project, month, amount, status=ReportStatus.SUBMITTED, year=YEAR, **fields):
    amount = D(amount)
    return ProgressReport(
        project=project,
        period=date(year, month, 1),
        status=status,
        month_investment=amount,
        construction_install=amount,
        equipment=D(0),
        other_cost=D(0),
        **fields,
    )


class Portfolio:
    """Hand-built data of a published notice: 211 projects, 405.34亿 plan, 297亿 completed in 1–9月, 57/67 starts."""

    def __init__(self, world):
        self.world = world
        units = [world.unit_a, world.unit_b]
        chain = IndustryChain.objects.create(name="光电信息")
        self.level = ProjectLevel.objects.get_or_create(code="district_test", defaults={"name": "区重点(测试)"})[0]
        rows: list[Project] = []
        kinds: list[str] = []

        def add(kind, **fields):
            n = len(rows)
            rows.append(
                Project(
                    name=f"项目{n:03d}",
                    owner_name=f"业主{n}",
                    total_investment=D("50000"),
                    responsible_unit=units[n % 2],
                    chain=chain if n % 3 == 0 else None,
                    domain=ProjectDomain.INDUSTRY if n % 2 else ProjectDomain.INFRASTRUCTURE,
                    **fields,
                )
            )
            kinds.append(kind)

        construction = {"stage": Stage.CONSTRUCTION}
        # 67 planned new starts: 20 planned in Q1 and started in March; 29 started in June; 5 planned for
        # November but started in August (提前开工); 3 started per report only (no actual date yet);
        # 6 planned for May, not started (未按计划开工); 4 planned for November, not yet due.
        for _ in range(20):
            add("q1", planned_start=date(YEAR, 2, 1), actual_start=date(YEAR, 3, 10), **construction)
        for _ in range(29):
            add("started", planned_start=date(YEAR, 4, 1), actual_start=date(YEAR, 6, 15), **construction)
        for _ in range(5):
            add("early", planned_start=date(YEAR, 11, 1), actual_start=date(YEAR, 8, 1), **construction)
        for _ in range(3):
            add("reported", planned_start=date(YEAR, 4, 1), stage=Stage.PREPARATION)
        for _ in range(6):
            add("late", planned_start=date(YEAR, 5, 1), stage=Stage.PREPARATION)
        for _ in range(4):
            add("not_due", planned_start=date(YEAR, 11, 1), stage=Stage.PREPARATION)
        # 120 continuing; 10 of them planned to finish in 2026, 7 finished in July.
        for i in range(120):
            if i < 7:
                add(
                    "finished",
                    actual_start=date(2024, 5, 1),
                    planned_finish=date(YEAR, 8, 1),
                    actual_finish=date(YEAR, 7, 20),
                    stage=Stage.COMPLETED,
                )
            elif i < 10:
                add("finishing", actual_start=date(2024, 5, 1), planned_finish=date(YEAR, 8, 1), **construction)
            else:
                add("continuing", actual_start=date(2024, 5, 1), planned_finish=date(2028, 6, 1), **construction)
        # 24 in preparation for a start next year.
        for _ in range(24):
            add("preparation", planned_start=date(YEAR + 1, 3, 1), stage=Stage.PREPARATION)
        assert len(rows) == 211
        self.projects = Project.objects.bulk_create(rows)
        figures_changed(None)  # raw writes send no signals: bring the facts up to date
        self.kinds = dict(zip([p.pk for p in self.projects], kinds, strict=True))
        self.by_kind: dict[str, list[Project]] = {}
        for project, kind in zip(self.projects, kinds, strict=True):
            self.by_kind.setdefault(kind, []).append(project)
        Project.levels.through.objects.bulk_create(
            [Project.levels.through(project_id=p.pk, projectlevel_id=self.level.pk) for p in self.projects[:100]]
        )

        # Annual plans: 210 × 19,000 + 63,400 = 4,053,400 万元. Half are approved baselines whose current plan
        # was raised afterwards by 1,000 (the rate must use the baseline).
        plans = []
        for i, project in enumerate(self.projects):
            amount = D("63400") if i == 210 else D("19000")
            if i % 2:
                plans.append(
                    AnnualPlan(
                        project=project,
                        year=YEAR,
                        planned_investment=amount + 1000,
                        baseline_investment=amount,
                        status=PlanStatus.APPROVED,
                    )
                )
            else:
                plans.append(AnnualPlan(project=project, year=YEAR, planned_investment=amount))
        AnnualPlan.objects.bulk_create(plans)
        figures_changed(None)  # raw writes send no signals: bring the facts up to date

        # Completed: the 120 continuing projects report 2,750 万元 a month → 330,000 a month → 2,970,000 for 1–9月.
        statuses = [ReportStatus.SUBMITTED, ReportStatus.UNIT_APPROVED, ReportStatus.OFFICE_APPROVED]
        reports = []
        for i, project in enumerate(self.projects[-144:-24]):
            for month in range(1, 10):
                reports.append(_report(project, month, "2750.00", status=statuses[(i + month) % 3]))
            reports.append(_report(project, 10, "9999.00"))  # after the period
            reports.append(_report(project, 12, "5000.00", year=YEAR - 1))  # last year
        for project in self.by_kind["reported"]:
            reports.append(_report(project, 8, "0", is_started=True, started_on=date(YEAR, 8, 20)))
        for project in self.by_kind["late"][:2]:  # drafts do not count, neither the money nor the start
            reports.append(_report(project, 9, "12345.00", status=ReportStatus.DRAFT, is_started=True))
        ProgressReport.objects.bulk_create(reports)
        figures_changed(None)  # raw writes send no signals: bring the facts up to date

        # Noise outside the figures: a project without a 2026 plan, and one in another district.
        outside = Project.objects.create(
            name="未列入年度计划项目", owner_name="x", total_investment=D(1), responsible_unit=world.unit_a
        )
        AnnualPlan.objects.create(project=outside, year=YEAR - 1, planned_investment=D(500))
        ProgressReport.objects.bulk_create([_report(outside, 3, "777.00")])
        figures_changed(None)  # raw writes send no signals: bring the facts up to date
        foreign = Project.objects.create(
            name="邻区项目", owner_name="x", total_investment=D(1), responsible_unit=world.foreign_unit
        )
        AnnualPlan.objects.create(project=foreign, year=YEAR, planned_investment=D(800))
        ProgressReport.objects.bulk_create([_report(foreign, 3, "888.00")])
        figures_changed(None)  # raw writes send no signals: bring the facts up to date


@pytest.fixture
def portfolio(world):
    return Portfolio(world)


def test_published_arithmetic(world, portfolio):
    s = selectors.dashboard_summary(world.office, YEAR, 9)
    assert s.project_count == 211
    assert s.plan == D("4053400.00")
    assert s.ytd == D("2970000.00")
    assert s.total_investment == D("50000") * 211
    assert selectors.display(s.rate) == D("73.27")
    assert selectors.display(s.schedule) == D("75.00")
    assert s.delta_display == "-1.73"
    assert s.rate == D(2970000) * 100 / D(4053400)  # exact, rounded only for display
    assert s.starts.planned == 67
    assert s.starts.started == 57
    assert selectors.display(s.starts.rate) == D("85.07")
    assert s.starts.early == 5
    assert s.starts.late == 6
    assert s.starts.unplanned == 0
    assert s.completions.planned == 10 and s.completions.completed == 7
    assert selectors.display(s.completions.rate) == D("70.00")
    assert s.resumed == 57 + 120
    assert selectors.display(s.resume_rate) == D("83.89")


def test_breakdowns_and_trend(world, portfolio):
    s = selectors.dashboard_summary(world.office, YEAR, 9)
    categories = {g.key: g for g in s.by_category}
    assert categories[YearlyCategory.NEW].count == 67
    assert categories[YearlyCategory.CONTINUING].count == 110
    assert categories[YearlyCategory.CONTINUING_COMPLETED].count == 10
    assert categories[YearlyCategory.PREPARATION].count == 24
    assert sum(g.ytd for g in s.by_category) == s.ytd
    assert categories[YearlyCategory.NEW].query == "fact=listed&period=2026-09&yearly_category=new&year=2026"
    for breakdown in (s.by_domain, s.by_unit, s.by_chain):
        assert sum(g.count for g in breakdown) == 211
        assert sum(g.plan for g in breakdown) == s.plan
        assert sum(g.ytd for g in breakdown) == s.ytd
    units = {g.key: g for g in s.by_unit}
    assert units[world.unit_a.pk].query == f"fact=listed&period=2026-09&responsible_unit={world.unit_a.pk}"
    levels = {g.key: g for g in s.by_level}
    assert levels[portfolio.level.pk].count == 100 and levels[None].count == 111
    assert [p.month for p in s.trend] == list(range(1, 13))
    assert s.trend[0].amount == D("330000.00")
    assert s.trend[8].cumulative == D("2970000.00")
    assert s.trend[9].amount is None and s.trend[9].cumulative is None
    assert s.trend[11].plan_line == s.plan
    assert [u.rank for u in s.unit_ranking] == [1, 2]
    assert s.unit_ranking[0].rate >= s.unit_ranking[1].rate
    assert len(s.fastest) == 10 and len(s.slowest) == 10
    assert selectors.display(s.fastest[0].rate) == D("130.26")  # 24,750 / 19,000
    assert s.slowest[0].rate == 0


def test_targets(world, portfolio):
    t = selectors.targets(world.office, YEAR, 9)
    kmh, sgb = t.kaimenhong, t.shuangguoban
    assert kmh.district.planned_starts == 20 and kmh.district.started == 20
    assert kmh.district.invested == D("990000.00")  # Q1: 3 × 330,000
    assert selectors.display(kmh.district.actual_rate) == D("24.42")
    assert kmh.district.status == selectors.TargetStatus.MISSED
    assert sgb.district.invested == D("1980000.00")
    assert selectors.display(sgb.district.actual_rate) == D("48.85")
    assert sgb.district.status == selectors.TargetStatus.MISSED
    assert {r.key for r in sgb.units} == {world.unit_a.pk, world.unit_b.pk}
    assert {r.key for r in sgb.categories} == {c for c in YearlyCategory.values if c != YearlyCategory.NEW_COMPLETED}

    during = selectors.targets(world.office, YEAR, 4).shuangguoban.district
    assert during.status == selectors.TargetStatus.IN_PROGRESS
    assert during.invested == D("1320000.00")
    # Forecast at the current pace: 1,320,000 / 4 × 6 = 1,980,000 → 48.85%; still needed: (2,026,700 − 1,320,000) / 2.
    assert selectors.display(during.forecast_rate) == D("48.85")
    assert during.needed_monthly == (D("2026700") - D("1320000")) / 2
    feb = selectors.targets(world.office, YEAR, 2).kaimenhong.district
    assert feb.status == selectors.TargetStatus.IN_PROGRESS and feb.started == 0


def test_scope_units_see_their_unit_sponsors_region(world, portfolio):
    office = selectors.dashboard_summary(world.office, YEAR, 9)
    mine = selectors.dashboard_summary(world.reporter_a, YEAR, 9)
    unit_a = next(g for g in office.by_unit if g.key == world.unit_a.pk)
    assert mine.project_count == unit_a.count == 106
    assert mine.plan == unit_a.plan
    assert [g.key for g in mine.by_unit] == [world.unit_a.pk]
    sponsor = selectors.dashboard_summary(world.sponsor, YEAR, 9)
    assert sponsor.project_count == 211  # a 包联领导 reads the region-wide dashboard
    nobody = selectors.dashboard_summary(world.ent_user_a, YEAR, 9)
    assert nobody.project_count == 0 and nobody.plan == 0 and nobody.rate is None


def test_unplanned_and_early_starts(world):
    unit = world.unit_a
    planned = Project.objects.create(
        name="计划项目", owner_name="x", total_investment=D(10), responsible_unit=unit, planned_start=date(YEAR, 5, 1)
    )
    unplanned = Project.objects.create(
        name="计划外项目",
        owner_name="x",
        total_investment=D(10),
        responsible_unit=unit,
        planned_start=date(YEAR + 1, 5, 1),
        actual_start=date(YEAR, 7, 1),
        stage=Stage.CONSTRUCTION,
    )
    by_quarter = Project.objects.create(
        name="按季度计划项目",
        owner_name="x",
        total_investment=D(10),
        responsible_unit=unit,
        construction_start=date(YEAR, 1, 1),
    )
    for p, quarter in ((planned, None), (unplanned, None), (by_quarter, 2)):
        AnnualPlan.objects.create(project=p, year=YEAR, planned_investment=D(100), planned_start_quarter=quarter)
    s = selectors.dashboard_summary(world.office, YEAR, 9)
    assert s.starts.planned == 2 and s.starts.started == 0 and s.starts.unplanned == 1 and s.starts.late == 2
    assert s.starts.rate == 0
    assert s.starts.rate_with_unplanned == 50
    lists = selectors.start_lists(world.office, YEAR, 9)
    assert [r.name for r in lists.unplanned] == ["计划外项目"]
    assert {r.name for r in lists.late} == {"计划项目", "按季度计划项目"}
    june = selectors.start_lists(world.office, YEAR, 5)  # Q2 not over: the quarter plan is not due yet
    assert {r.name for r in june.late} == {"计划项目"}


def test_lights_missing_reports_and_problems(world, portfolio):
    rule = WarningRule.objects.create(code="t_progress", name="投资进度", dimension=WarningDimension.PROGRESS)
    start_rule = WarningRule.objects.create(code="t_start", name="开工", dimension=WarningDimension.START)
    red, yellow, overridden, green = portfolio.projects[:4]
    period = date(YEAR, 9, 1)
    WarningLight.objects.bulk_create(
        [
            WarningLight(
                project=red, period=period, rule=rule, color=LightColor.RED, explanation="低于序时进度35个百分点"
            ),
            WarningLight(
                project=red, period=period, rule=start_rule, color=LightColor.YELLOW, explanation="未按期开工"
            ),
            WarningLight(
                project=yellow, period=period, rule=rule, color=LightColor.YELLOW, explanation="低于12个百分点"
            ),
            # As the engine stores a light with a manual override: the override's colour is the light's colour.
            WarningLight(
                project=overridden,
                period=period,
                rule=rule,
                color=LightColor.GREEN,
                explanation="低于40个百分点（人工调整：数据滞后，数据滞后）",
            ),
            WarningLight(
                project=green, period=period, rule=rule, color=LightColor.YELLOW, explanation="正常（人工调整：其他）"
            ),
            WarningLight(project=yellow, period=date(YEAR, 8, 1), rule=rule, color=LightColor.RED, explanation="上月"),
        ]
    )
    LightOverride.objects.create(
        project=overridden,
        period=period,
        rule=rule,
        color=LightColor.GREEN,
        reason_code="data_lag",
        reason="数据滞后",
        recovery_plan="下月补报",
        actor=world.office,
    )
    LightOverride.objects.create(  # a green light turned yellow by hand counts as yellow
        project=green,
        period=period,
        rule=rule,
        color=LightColor.YELLOW,
        reason_code="other",
        reason="现场核查进度滞后",
        recovery_plan="月底前追赶",
        actor=world.office,
    )
    assert warnings.light_mismatches(period)  # lights written behind the engine's back: the facts rows lag …
    assert warnings.light_resync(period) == 4  # … until resynchronised (the four projects with lights)
    assert warnings.light_mismatches(period) == []
    s = selectors.dashboard_summary(world.office, YEAR, 9)
    assert [p.pk for p in s.red] == [red.pk]
    assert [i.rule for i in s.red[0].items] == ["投资进度", "开工"]
    assert {p.pk for p in s.yellow} == {yellow.pk, green.pk}
    assert next(p for p in s.yellow if p.pk == yellow.pk).items[0].explanation == "低于12个百分点"
    page = selectors.dashboard_summary(world.office, YEAR, 9, light_limit=1)  # the page's path: counts + first few
    assert (page.red_count, page.yellow_count) == (1, 2) and len(page.yellow) == 1

    missing = selectors.missing_reports(world.office, date(YEAR, 9, 1))
    # 应报: the 211 of the annual list less the 7 finished before September. Of the 120 projects that reported in
    # September (the drafts do not count), those 7 were no longer expected to: 113 已报, 91 未上报.
    assert missing.expected == 204 and missing.missing == 91 and missing.reported == 113
    assert sum(u.count for u in missing.units) == 91
    assert {u.unit_id for u in missing.units} == {world.unit_a.pk, world.unit_b.pk}
    mine = selectors.missing_reports(world.reporter_b, date(YEAR, 9, 1))
    assert [u.unit_id for u in mine.units] == [world.unit_b.pk]

    report = ProgressReport.objects.filter(project=portfolio.projects[-30], period=period).get()
    ReportProblem.objects.create(report=report, category="用地", description="用地指标未落实", help_requested="协调")
    draft = ProgressReport.objects.filter(status=ReportStatus.DRAFT).first()
    ReportProblem.objects.create(report=draft, category="资金", description="草稿中的问题")
    problems = selectors.report_problems(world.office, YEAR, 9)
    assert [(p.category, p.description) for p in problems] == [("用地", "用地指标未落实")]


def _bulk_portfolio(world, n: int, *, start: int = 0) -> None:
    projects = Project.objects.bulk_create(
        [
            Project(
                name=f"批量{start + i}",
                owner_name="x",
                total_investment=D(100),
                responsible_unit=world.unit_a,
                planned_start=date(YEAR, 1 + i % 12, 1),
            )
            for i in range(n)
        ]
    )
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    AnnualPlan.objects.bulk_create([AnnualPlan(project=p, year=YEAR, planned_investment=D(50)) for p in projects])
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    ProgressReport.objects.bulk_create([_report(p, m, "3.00") for p in projects for m in (1, 2, 3)])
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    rule = WarningRule.objects.get_or_create(code="q", defaults={"name": "q", "dimension": "progress"})[0]
    WarningLight.objects.bulk_create(
        [WarningLight(project=p, period=date(YEAR, 3, 1), rule=rule, color="red", explanation="x") for p in projects]
    )
    warnings.light_resync(date(YEAR, 3, 1))


def _queries(user) -> tuple[int, int]:
    selectors.dashboard_summary(user, YEAR, 3)  # warm the user's membership cache
    with CaptureQueriesContext(connection) as dashboard:
        selectors.dashboard_summary(user, YEAR, 3)
    with CaptureQueriesContext(connection) as lists:
        selectors.missing_reports(user, date(YEAR, 3, 1))
        selectors.start_lists(user, YEAR, 3)
        selectors.report_problems(user, YEAR, 3)
    return len(dashboard), len(lists)


def test_query_count_does_not_grow_with_data(world):
    _bulk_portfolio(world, 20)
    small = _queries(world.office)
    _bulk_portfolio(world, 180, start=20)
    assert _queries(world.office) == small
    assert small[0] <= 8
