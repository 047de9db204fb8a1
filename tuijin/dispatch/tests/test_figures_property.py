"""Property: whatever real operations happen, in whatever order, every surface agrees on every figure.

Hypothesis draws sequences of operations — create a project, plan, change the plan, report, submit, return,
approve, correct, change dates, change stage — and applies them through the services. After each step:

- the maintained facts equal a fresh computation (`maintain.diff()`);
- 总投资 may be unknown (未填): the dashboard, its breakdowns, the notice's tables and the project list's totals
  line all sum the known totals only and count the unknown ones (figure `total_missing`) alike;
- each dashboard number equals the count of its drill-down list (`?fact=…`), for the month touched;
- 年初至今 on the dashboard equals the counted reports summed straight from the report table (an oracle that
  does not read the facts), and the trend's months add up to it;
- 未上报 is the same set on the 未上报 page, in the reminders, on the project list and in 本单位月报's count;
- each project's 开工 light agrees with the dashboard's late / started lists.

Examples: `TUIJIN_PROPERTY_EXAMPLES` (default 200; CI runs 200 on SQLite and 100 on PostgreSQL).
"""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuijin.core.exceptions import ApplicationError
from tuijin.dispatch import notice, selectors
from tuijin.dispatch.warnings import evaluate_period, light_mismatches, reports_outstanding
from tuijin.facts import maintain
from tuijin.facts.figures import projects_with
from tuijin.facts.models import ProjectMonth
from tuijin.facts.rules import NO_REPORT_STAGES
from tuijin.progress import services as reports
from tuijin.progress.choices import COUNTED_STATUSES, ReportStatus
from tuijin.progress.models import ProgressReport, WarningLight
from tuijin.projects import services as projects
from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.selectors import project_totals
from tuijin.projects.tests.factories import make_project

D = Decimal
YEAR = reports.period_for_reporting().year
LAST_MONTH = reports.period_for_reporting().month
EXAMPLES = int(os.environ.get("TUIJIN_PROPERTY_EXAMPLES", "200"))
DASHBOARD_FIGURES = {
    "listed": lambda s: s.project_count,
    "planned_new": lambda s: s.starts.planned,
    "started": lambda s: s.starts.started,
    "early": lambda s: s.starts.early,
    "unplanned": lambda s: s.starts.unplanned,
    "late": lambda s: s.starts.late,
    "resumed": lambda s: s.resumed,
    "completing": lambda s: s.completions.planned,
    "finished": lambda s: s.completions.completed,
    "total_missing": lambda s: s.total_missing,
}

months = st.integers(min_value=1, max_value=LAST_MONTH)
amounts = st.sampled_from(["0.00", "15.50", "100.00", "333.33", "1200.00"])
slots = st.integers(min_value=0, max_value=3)  # which of the projects created so far (modulo their number)
totals = st.sampled_from([None, "100000.00", "2345.67"])  # None: 总投资 未填
creations = st.tuples(
    st.just("create"), st.booleans(), st.sampled_from(["preparation", "construction"]), months, totals
)
operations = st.one_of(
    creations,
    st.tuples(st.just("plan"), slots, amounts, st.sampled_from([None, 1, 2, 3, 4])),
    st.tuples(st.just("approve_plan"), slots),
    st.tuples(st.just("report"), slots, months, amounts, st.booleans()),
    st.tuples(st.just("return"), slots, months),
    st.tuples(st.just("unit_approve"), slots, months),
    st.tuples(st.just("office_approve"), slots, months),
    st.tuples(st.just("correct"), slots, months, amounts),
    st.tuples(st.just("dates"), slots, st.one_of(st.none(), months), st.one_of(st.none(), months)),
    st.tuples(st.just("stage"), slots, st.sampled_from(["construction", "completed", "suspended"]), months),
    st.tuples(st.just("total"), slots, totals),
)


class World:
    def __init__(self, world):
        self.world = world
        self.projects: list[Project] = []

    def project(self, slot: int) -> Project | None:
        if not self.projects:
            return None
        project = self.projects[slot % len(self.projects)]
        project.refresh_from_db()
        return project

    def report(self, slot: int, month: int) -> ProgressReport | None:
        project = self.project(slot)
        if project is None:
            return None
        return ProgressReport.objects.filter(project=project, period=date(YEAR, month, 1)).first()

    def set_total(self, project: Project, total: Decimal | None) -> None:
        """总投资 known, or 未填 (None), through the service."""
        project.refresh_from_db()
        projects.project_update(
            actor=self.world.office,
            project=project,
            version=project.version,
            data=projects.ProjectInput(fields={"total_investment": total}, message="改总投资"),
        )

    def apply(self, op: tuple) -> None:
        w = self.world
        kind = op[0]
        if kind == "create":
            _kind, in_a, stage, month, total = op
            fields = {"planned_start": date(YEAR, month, 1), "planned_finish": date(YEAR + (month % 2), 12, 1)}
            if stage == "construction":
                fields["actual_start"] = date(YEAR, month, 5)
            unit = w.unit_a if in_a else w.unit_b
            project = make_project(unit=unit, actor=w.office, stage=stage, total=total or "100000.00", **fields)
            self.projects.append(project)
            if total is None:
                self.set_total(project, None)
        elif kind == "plan":
            _kind, slot, amount, quarter = op
            project = self.project(slot)
            if project is not None:
                projects.annual_plan_save(
                    actor=w.office,
                    project=project,
                    year=YEAR,
                    planned_investment=D(amount) * 10,
                    planned_start_quarter=quarter,
                )
        elif kind == "approve_plan":
            project = self.project(op[1])
            plan = AnnualPlan.objects.filter(project=project, year=YEAR).first() if project else None
            if plan is not None:
                projects.annual_plan_approve(actor=w.office, plan=plan)
        elif kind == "report":
            _kind, slot, month, amount, started = op
            project = self.project(slot)
            if project is None:
                return
            reporter = w.reporter_a if project.responsible_unit_id == w.unit_a.pk else w.reporter_b
            report = reports.report_get_or_create(actor=reporter, project=project, period=date(YEAR, month, 1))
            if report.status != ReportStatus.DRAFT:
                return
            data = {"month_investment": D(amount), "construction_install": D(amount), "is_started": started}
            if started:
                data["started_on"] = date(YEAR, month, 3)
            report = reports.report_save(actor=reporter, report=report, version=report.version, data=data)
            reports.report_submit(actor=reporter, report=report, version=report.version)
        elif kind in ("return", "unit_approve", "office_approve"):
            report = self.report(op[1], op[2])
            if report is None:
                return
            if kind == "return":
                reports.report_return(actor=w.office, report=report, version=report.version, reason="请核实")
            elif kind == "unit_approve":
                reports.report_unit_approve(actor=w.office, report=report, version=report.version)
            else:
                reports.report_office_approve(actor=w.office, report=report, version=report.version)
        elif kind == "correct":
            report = self.report(op[1], op[2])
            if report is not None:
                data = {"month_investment": D(op[3]), "construction_install": D(op[3])}
                reports.report_correct(actor=w.office, report=report, version=report.version, data=data, reason="更正")
        elif kind == "dates":
            _kind, slot, start, finish = op
            project = self.project(slot)
            if project is None:
                return
            fields = {"planned_start": date(YEAR, start, 1) if start else None}
            if finish:
                fields["planned_finish"] = date(YEAR, finish, 28)
            projects.project_update(
                actor=w.office,
                project=project,
                version=project.version,
                data=projects.ProjectInput(fields=fields, message="改日期"),
            )
        elif kind == "total":
            project = self.project(op[1])
            if project is not None:
                self.set_total(project, None if op[2] is None else D(op[2]))
        elif kind == "stage":
            _kind, slot, stage, month = op
            project = self.project(slot)
            if project is None:
                return
            extra = {}
            if stage == "construction" and project.actual_start is None:
                extra["actual_start"] = date(YEAR, month, 10)
            if stage == "completed":
                extra["actual_finish"] = date(YEAR, month, 20)
            reason = "资金暂缓" if stage == "suspended" else ""
            projects.project_transition(
                actor=w.office, project=project, version=project.version, to_stage=stage, reason=reason, **extra
            )


def _oracle_ytd(month: int) -> Decimal:
    """Counted investment of the annual list's projects, January to `month`, straight from the reports."""
    listed = AnnualPlan.objects.filter(year=YEAR).values("project_id")
    total = ProgressReport.objects.filter(
        project_id__in=listed,
        status__in=COUNTED_STATUSES,
        period__gte=date(YEAR, 1, 1),
        period__lte=date(YEAR, month, 1),
    ).aggregate(s=Sum("month_investment"))["s"]
    return D(total or 0)


def _check_totals(office, summary, period: date) -> None:
    """总投资: every surface sums the known totals and counts the unknown ones, and they agree with the projects."""
    listed = Project.objects.filter(annual_plans__year=YEAR)
    known = listed.filter(total_investment__isnull=False).aggregate(s=Sum("total_investment"))["s"] or D(0)
    unknown = listed.filter(total_investment__isnull=True).count()
    assert (summary.total_investment, summary.total_missing) == (known, unknown)
    assert summary.total_note == (f"另有 {unknown} 个项目未填总投资" if unknown else "")
    for groups in (summary.by_unit, summary.by_category, summary.by_domain, summary.by_chain, summary.unit_ranking):
        assert sum((g.total_investment for g in groups), D(0)) == known
        assert sum(g.total_missing for g in groups) == unknown
        assert sum(g.count for g in groups) == summary.project_count
        table = notice._group_table("t", "t", "t", groups, summary.schedule)  # the notice's tables and XLSX sheets
        if groups:
            assert table.total[2] == known
            assert (table.total[-1] if unknown else 0) == unknown
            assert (table.columns[-1].label == "未填总投资（个）") == bool(unknown)
    # The project list's totals line, over the same projects (the drill-down of the annual list).
    in_list = projects_with(Project.objects.restrict(office, "view"), "listed", period)
    line = project_totals(in_list)
    assert (line["count"], line["total"], line["missing"]) == (summary.project_count, known, unknown)


def _check(world, month: int) -> None:
    office = world.office
    period = date(YEAR, month, 1)
    assert maintain.diff() == []

    summary = selectors.dashboard_summary(office, YEAR, month)
    in_scope = Project.objects.restrict(office, "view")
    for key, number in DASHBOARD_FIGURES.items():
        assert projects_with(in_scope, key, period).count() == number(summary), key
    assert summary.ytd == _oracle_ytd(month)
    assert sum((point.amount for point in summary.trend[:month]), D(0)) == summary.ytd
    assert summary.plan == sum(
        (row.plan or D(0) for row in ProjectMonth.objects.filter(period=period, in_list=True)), D(0)
    )

    _check_totals(office, summary, period)

    missing = selectors.missing_reports(office, period)
    listed = set(projects_with(in_scope, "missing", period).values_list("pk", flat=True))
    assert {pk for unit in missing.units for pk, _name in unit.projects} == listed
    assert set(reports_outstanding(period)) == listed
    assert missing.expected == projects_with(in_scope, "expected", period).count()

    evaluate_period(period, today=date(YEAR, month, 1))
    starts = selectors.start_lists(office, YEAR, month)
    quiet = set(Project.objects.filter(stage__in=NO_REPORT_STAGES).values_list("pk", flat=True))
    for row in starts.late:
        light = WarningLight.objects.filter(project_id=row.pk, period=period, rule__code="start").first()
        if row.pk in quiet:  # 暂缓 (or 谋划/储备/取消): still counted late, but lights are not issued
            assert light is None, row.name
        else:
            assert light is not None and light.color != "green", row.name
    started = projects_with(in_scope, "started", period).values_list("pk", flat=True)
    for light in WarningLight.objects.filter(project_id__in=started, period=period, rule__code="start"):
        assert light.color == "green", light.explanation

    # The dashboard's red / yellow counts and lists: each listed project's worst light, counted from the lights.
    assert light_mismatches(period) == []
    severity = {"green": 0, "yellow": 1, "red": 2}
    worst: dict[int, str] = {}
    for pid, color in WarningLight.objects.filter(period=period, project__in=in_scope).values_list("project", "color"):
        if pid not in worst or severity[color] > severity[worst[pid]]:
            worst[pid] = color
    listed_ids = set(projects_with(in_scope, "listed", period).values_list("pk", flat=True))
    lit = selectors.dashboard_summary(office, YEAR, month)
    for color, count, shown in (("red", lit.red_count, lit.red), ("yellow", lit.yellow_count, lit.yellow)):
        expected_ids = {pid for pid, c in worst.items() if c == color and pid in listed_ids}
        assert count == len(expected_ids) == projects_with(in_scope, color, period).count(), color
        assert {item.pk for item in shown} == expected_ids, color


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
@given(first=creations, steps=st.lists(operations, min_size=1, max_size=8))
def test_every_surface_agrees_on_every_figure(world, first, steps):
    with transaction.atomic():
        state = World(world)
        for op in [first, *steps]:
            try:
                with transaction.atomic():
                    state.apply(op)
            except (ApplicationError, ValueError) as refused:  # a refused operation changes nothing
                assert "Traceback" not in str(refused)
            except Exception as error:  # the services' Chinese validation errors are refusals too
                if error.__class__.__name__ not in ("ValidationError", "ConflictError", "PermissionDenied"):
                    raise
            month = next((part for part in op[2:] if isinstance(part, int) and 1 <= part <= 12), LAST_MONTH)
            _check(world, month)
        transaction.set_rollback(True)
