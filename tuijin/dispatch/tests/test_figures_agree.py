"""The three probes of issue 11 as regression tests, and the maintained table against a fresh computation.

Each probe is a case where, before the facts layer, two surfaces of the same figure disagreed."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.dispatch import selectors
from tuijin.dispatch.warnings import evaluate_period, light_mismatches, relight, reports_outstanding
from tuijin.facts import maintain
from tuijin.facts.figures import FIGURES, projects_with
from tuijin.facts.models import ProjectMonth
from tuijin.progress import services
from tuijin.progress.models import WarningLight
from tuijin.projects.choices import Stage
from tuijin.projects.models import AnnualPlan, Project

D = Decimal
YEAR = 2026
MARCH, JUNE = date(YEAR, 3, 1), date(YEAR, 6, 1)


def _project(world, **fields) -> Project:
    defaults = {
        "name": "探针项目",
        "owner_name": "业主",
        "total_investment": D(10000),
        "responsible_unit": world.unit_a,
    }
    defaults.update(fields)
    return Project.objects.create(**defaults)


def _light(project, code, period):
    return WarningLight.objects.filter(project=project, rule__code=code, period=period).first()


def _submitted(world, project, period, amount, **fields):
    report = services.report_get_or_create(actor=world.reporter_a, project=project, period=period)
    data = {"month_investment": D(amount), "construction_install": D(amount), **fields}
    report = services.report_save(actor=world.reporter_a, report=report, version=report.version, data=data)
    return services.report_submit(actor=world.reporter_a, report=report, version=report.version)


@pytest.mark.django_db
def test_probe_started_has_one_definition(world):
    """Planned for February, reported started on 10 March, actual start typed later as 20 May: in March the
    dashboard, the late list, the drill-down and the light all say "not started"; from May on all say started."""
    project = _project(world, stage=Stage.CONSTRUCTION, planned_start=date(YEAR, 2, 1), actual_start=date(YEAR, 5, 20))
    AnnualPlan.objects.create(project=project, year=YEAR, planned_investment=D(1200))
    _submitted(world, project, MARCH, "100.00", is_started=True, started_on=date(YEAR, 3, 10))
    office = world.office

    march = selectors.dashboard_summary(office, YEAR, 3)
    assert (march.starts.planned, march.starts.started, march.starts.late) == (1, 0, 1)
    assert [row.pk for row in selectors.start_lists(office, YEAR, 3).late] == [project.pk]
    listed = Project.objects.restrict(office, "view")
    assert list(projects_with(listed, "late", MARCH)) == [project]
    assert not projects_with(listed, "started", MARCH).exists()
    evaluate_period(MARCH, today=date(YEAR, 4, 10))
    start_light = _light(project, "start", MARCH)
    assert start_light.color == "yellow" and "尚未开工" in start_light.explanation

    june = selectors.dashboard_summary(office, YEAR, 6)
    assert (june.starts.started, june.starts.late) == (1, 0)
    assert list(projects_with(listed, "started", JUNE)) == [project]
    evaluate_period(JUNE, today=date(YEAR, 7, 10))
    start_light = _light(project, "start", JUNE)
    assert start_light.color == "green" and "2026年5月20日" in start_light.explanation

    # Without an actual start, the counted report's date is the start, everywhere.
    project.actual_start = None
    project.stage = Stage.PREPARATION  # in construction needs an actual start
    project.save()
    march = selectors.dashboard_summary(office, YEAR, 3)
    assert (march.starts.started, march.starts.late) == (1, 0)
    fact = ProjectMonth.objects.get(project=project, period=MARCH)
    assert (fact.start_date, fact.start_source) == (date(YEAR, 3, 10), "report")


@pytest.mark.django_db
def test_probe_missing_reports_is_one_set(world, client):
    """A project under construction without an annual plan must report: it is in 未上报, in the notice's 应报,
    in the reminders and in the unit's own list, with the same count everywhere."""
    period = services.period_for_reporting()
    planned = _project(world, name="有计划项目", stage=Stage.CONSTRUCTION, actual_start=date(period.year - 1, 5, 1))
    AnnualPlan.objects.create(project=planned, year=period.year, planned_investment=D(100))
    unplanned = _project(
        world, name="无计划在建项目", stage=Stage.CONSTRUCTION, actual_start=date(period.year - 1, 5, 1)
    )
    reported = _project(world, name="已报项目", stage=Stage.CONSTRUCTION, actual_start=date(period.year - 1, 5, 1))
    _submitted(world, reported, period, "10.00")
    _project(world, name="储备项目", stage=Stage.RESERVE)  # not expected to report

    missing = selectors.missing_reports(world.office, period)
    assert missing.expected == 3 and missing.missing == 2 and missing.reported == 1
    names = {name for unit in missing.units for _pk, name in unit.projects}
    assert names == {"有计划项目", "无计划在建项目"}
    assert set(reports_outstanding(period)) == {planned.pk, unplanned.pk}

    client.force_login(world.office)
    page = client.get(reverse("dispatch:missing_reports"), {"period": f"{period:%Y-%m}"}).content.decode()
    assert "应报项目 3 个，已上报 1 个，未上报 2 个" in page and "fact=missing&amp;period=" in page
    client.force_login(world.reporter_a)
    page = client.get(reverse("dispatch:my_reports"), {"period": f"{period:%Y-%m}"})
    assert page.status_code == 200 and page.context["missing"] == 2
    home = {item.title: item.count for item in client.get(reverse("core:home")).context["attention"]}
    assert [count for title, count in home.items() if "月报未上报" in title] == [2]
    client.force_login(world.office)
    office_home = {item.title: item.count for item in client.get(reverse("core:home")).context["attention"]}
    assert [count for title, count in office_home.items() if "月报未上报项目" in title] == [2]
    client.force_login(world.reporter_a)
    listed = client.get(reverse("projects:project_list"), {"fact": "missing", "period": f"{period:%Y-%m}"})
    assert listed.context["paginator"].count == 2
    assert 'id="tj-fact-banner"' in listed.content.decode() and "未上报" in listed.content.decode()


@pytest.mark.django_db
def test_probe_lights_follow_a_correction_at_once(world, django_capture_on_commit_callbacks):
    """Submitted, approved, then corrected from 500 to 450 万元: the lights, the dashboard's light lists and the
    tables agree right after each commit, without 立即重新评估."""
    period = services.period_for_reporting()
    project = _project(
        world, stage=Stage.CONSTRUCTION, actual_start=date(period.year - 1, 3, 1), stats_status="counted"
    )
    AnnualPlan.objects.create(project=project, year=period.year, planned_investment=D(490))
    relight([project.pk])
    before = _light(project, "reporting", period)
    assert before is not None and ("未填报" in before.explanation or "尚未截止" in before.explanation)

    with django_capture_on_commit_callbacks(execute=True):
        report = _submitted(world, project, period, "500.00")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_office_approve(actor=world.office, report=report, version=report.version)
    with django_capture_on_commit_callbacks(execute=True):
        data = {"month_investment": D("450.00"), "construction_install": D("450.00")}
        services.report_correct(actor=world.office, report=report, version=report.version, data=data, reason="核减")

    reporting = _light(project, "reporting", period)
    assert "未填报" not in reporting.explanation and "仍未提交" not in reporting.explanation
    stalled = _light(project, "stalled", period)
    assert stalled.color == "green" and "450.00" in stalled.explanation
    fact = ProjectMonth.objects.get(project=project, period=period)
    assert fact.month_investment == D("450.00") and fact.reported
    summary = selectors.dashboard_summary(world.office, period.year, period.month)
    assert project.pk not in {p.pk for p in summary.red}
    assert summary.trend[period.month - 1].amount == D("450.00")
    # The light the dashboard counts (on the facts row) is the worst of the project's lights, after every commit,
    # and the red / yellow badges open lists of exactly that many projects.
    colors = set(WarningLight.objects.filter(project=project, period=period).values_list("color", flat=True))
    assert fact.light == ("red" if "red" in colors else "yellow" if "yellow" in colors else "green")
    assert light_mismatches(period) == []
    in_scope = Project.objects.restrict(world.office, "view")
    assert summary.red_count == projects_with(in_scope, "red", period).count()
    assert summary.yellow_count == projects_with(in_scope, "yellow", period).count()


@pytest.mark.django_db
def test_maintained_table_equals_a_rebuild(world):
    project = _project(
        world, stage=Stage.CONSTRUCTION, actual_start=date(YEAR, 1, 15), planned_finish=date(YEAR, 11, 1)
    )
    plan = AnnualPlan.objects.create(project=project, year=YEAR, planned_investment=D(1200), planned_start_quarter=1)
    for month, amount in ((1, "100.00"), (2, "0.00"), (4, "300.00")):
        _submitted(world, project, date(YEAR, month, 1), amount)
    plan.baseline_investment = D(1000)
    plan.save()
    project.stats_status = "counted"
    project.stats_month = date(YEAR, 3, 1)
    project.save()
    assert maintain.diff() == []
    rows = ProjectMonth.objects.count()
    assert maintain.rebuild() == rows
    assert maintain.diff() == []
    april = ProjectMonth.objects.get(project=project, period=date(YEAR, 4, 1))
    assert (april.ytd, april.q1, april.plan, april.idle_months, april.stats_counted) == (
        D("400.00"),
        D("100.00"),
        D("1000.00"),
        0,
        True,
    )
    march = ProjectMonth.objects.get(project=project, period=date(YEAR, 3, 1))
    assert march.idle_months == 2  # February (0) and March (no report)


@pytest.mark.django_db
def test_diff_reports_a_row_changed_behind_the_layer(world):
    project = _project(world, stage=Stage.CONSTRUCTION, actual_start=date(YEAR, 1, 15))
    AnnualPlan.objects.create(project=project, year=YEAR, planned_investment=D(1200))
    ProjectMonth.objects.filter(project=project, period=date(YEAR, 2, 1)).update(ytd=D("1"))
    problems = maintain.diff()
    assert len(problems) == 1 and "ytd" in problems[0]


@pytest.mark.django_db
def test_every_figure_is_on_the_docs_page():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[3] / "docs" / "figures.md").read_text(encoding="utf-8")
    for key, figure in FIGURES.items():
        assert f"`{key}`" in page, key
        assert str(figure.label) in page, figure.label
