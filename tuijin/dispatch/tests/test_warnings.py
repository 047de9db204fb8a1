"""Warning lights: each rule's boundaries, the schedule (linear vs monthly curve, baseline), consecutive months,
overrides, idempotency, history, query counts, the task and the command.

Data are in 2025 so that no date is in the future; `today` is passed explicitly where the reporting window matters.
"""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from math import ceil
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuijin.core.exceptions import ApplicationError
from tuijin.core.figures_cache import figures_changed
from tuijin.dispatch.tasks import evaluate_warnings_task
from tuijin.dispatch.warnings import evaluate_period, light_override_set, override_counts_by_unit, parse_period
from tuijin.org.choices import Role
from tuijin.progress.models import LightOverride, ProgressReport, WarningLight, WarningRule
from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.services import annual_plan_approve, annual_plan_save
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.world import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEP, OCT, NOV, DEC = date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)
LATE = date(2026, 1, 20)  # every 2025 reporting window has closed


def report(project, period, invest="0", *, status="submitted", **fields):
    amount = Decimal(invest)
    return ProgressReport.objects.create(
        project=project, period=period, status=status, month_investment=amount, construction_install=amount, **fields
    )


def plan(project, amount, *, year=2025, monthly=None, approve=True):
    annual = annual_plan_save(
        actor=None, project=project, year=year, planned_investment=Decimal(amount), monthly_plan=monthly
    )
    return annual_plan_approve(actor=None, plan=annual) if approve else annual


def building(world, *, start=date(2025, 1, 10), **fields):
    return make_project(unit=fields.pop("unit", world.unit_a), stage="construction", actual_start=start, **fields)


def light(project, code, period):
    return WarningLight.objects.filter(project=project, period=period, rule__code=code).first()


def color(project, code, period):
    found = light(project, code, period)
    return found.color if found else None


def set_params(code, **params):
    WarningRule.objects.filter(code=code).update(params=params)


# --- defaults and parsing ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_rules_are_installed_by_the_data_migration():
    rules = {r.code: r for r in WarningRule.objects.all()}
    assert set(rules) == {
        "start",
        "progress",
        "reporting",
        "stalled",
        "statistics",
        "funds_idle",
        "funds_start",
        "stats_gap",
    }
    assert rules["progress"].params == {"yellow_pp": 10, "red_pp": 30}
    assert rules["start"].params == {"red_after_months": 3}
    assert rules["stalled"].params == {"months": 2}
    assert all(r.is_active and r.dimension == r.code for r in rules.values())


def test_parse_period():
    assert parse_period("2026-10") == date(2026, 10, 1)
    assert parse_period(" 2026-10-17 ") == date(2026, 10, 1)
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period("10/2026")


# --- progress ------------------------------------------------------------------------------------------------------


def test_progress_explanation_matches_the_dispatch_wording(world):
    project = building(world)
    plan(project, "8000")
    report(project, date(2025, 3, 1), "1200")
    report(project, OCT, "2000")
    report(project, SEP, "999", status="draft")  # drafts never count
    evaluate_period(OCT, today=LATE)
    found = light(project, "progress", OCT)
    assert found.color == "red"
    assert found.explanation == (
        "截至10月累计完成投资 3,200.00 万元，占年度计划 40.00%，低于序时进度 83.33% 共 43.33 个百分点"
        "（超过30个百分点为红灯）"
    )


@pytest.mark.parametrize(
    ("ytd", "expected"),
    [
        ("900", "green"),  # on schedule (75%)
        ("781", "green"),  # 9.92 pp behind
        ("780", "yellow"),  # exactly 10 pp behind → yellow (10 ≤ behind ≤ 30)
        ("540", "yellow"),  # exactly 30 pp behind → still yellow
        ("539", "red"),  # 30.08 pp behind → red (> 30)
        ("0", "red"),
    ],
)
def test_progress_linear_boundaries(world, ytd, expected):
    project = building(world)
    plan(project, "1200")  # September: 9/12 = 75% = 900 万元
    report(project, SEP, ytd)
    evaluate_period(SEP, today=LATE)
    assert color(project, "progress", SEP) == expected


def test_progress_uses_the_monthly_curve_when_the_plan_has_one(world):
    curve = ["0"] * 6 + ["200"] * 6  # 600 of 1200 due by September = 50% (linear would be 75%)
    with_curve, linear = building(world), building(world)
    plan(with_curve, "1200", monthly=curve)
    plan(linear, "1200")
    for project in (with_curve, linear):
        report(project, SEP, "480")  # 40%
    evaluate_period(SEP, today=LATE)
    assert color(with_curve, "progress", SEP) == "yellow"  # 10 pp behind the curve
    assert "低于序时进度（按月度计划） 50.00% 共 10.00 个百分点" in light(with_curve, "progress", SEP).explanation
    assert color(linear, "progress", SEP) == "red"  # 35 pp behind 75%


def test_progress_uses_the_approved_baseline_not_a_later_plan_figure(world):
    project = building(world)
    annual = plan(project, "1200")
    report(project, SEP, "900")
    AnnualPlan.objects.filter(pk=annual.pk).update(planned_investment=Decimal("2400"))  # e.g. an approved change
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    evaluate_period(SEP, today=LATE)
    assert color(project, "progress", SEP) == "green"
    assert "占年度计划 75.00%" in light(project, "progress", SEP).explanation


def test_progress_uses_the_current_plan_until_approved(world):
    project = building(world)
    plan(project, "2400", approve=False)
    report(project, SEP, "900")  # 37.5% of the draft plan, 37.5 pp behind
    evaluate_period(SEP, today=LATE)
    assert color(project, "progress", SEP) == "red"


def test_progress_scope_and_configurable_thresholds(world):
    in_scope = building(world)
    plan(in_scope, "1200")
    report(in_scope, SEP, "780")  # 10 pp behind
    planned_this_year = make_project(unit=world.unit_a, planned_start=date(2025, 11, 1))
    plan(planned_this_year, "1200")
    no_start_this_year = make_project(unit=world.unit_a, planned_start=date(2026, 3, 1))
    plan(no_start_this_year, "1200")
    zero_plan = building(world)
    plan(zero_plan, "0")
    no_plan = building(world)
    set_params("progress", yellow_pp=15, red_pp=50)
    evaluate_period(SEP, today=LATE)
    assert color(in_scope, "progress", SEP) == "green"  # now within 15 pp
    assert "落后不足15个百分点为绿灯" in light(in_scope, "progress", SEP).explanation
    assert color(planned_this_year, "progress", SEP) == "red"  # linear schedule, nothing done
    for project in (no_start_this_year, zero_plan, no_plan):
        assert light(project, "progress", SEP) is None


# --- start -----------------------------------------------------------------------------------------------------------


def test_start_rule_counts_consecutive_months_late(world):
    project = make_project(unit=world.unit_a, planned_start=date(2025, 10, 15))
    for period in (SEP, OCT, NOV, DEC):
        evaluate_period(period, today=LATE)
    assert color(project, "start", SEP) is None  # not yet planned
    assert color(project, "start", OCT) == "yellow"
    assert color(project, "start", NOV) == "yellow"
    assert color(project, "start", DEC) == "red"  # third month late
    assert "已连续3个月未按计划开工" in light(project, "start", DEC).explanation
    assert "已连续1个月未按计划开工" in light(project, "start", OCT).explanation  # history kept


def test_start_rule_red_after_is_configurable_and_a_counted_start_report_turns_green(world):
    project = make_project(unit=world.unit_a, planned_start=date(2025, 9, 1))
    set_params("start", red_after_months=2)
    evaluate_period(OCT, today=LATE)
    assert color(project, "start", OCT) == "red"
    report(project, NOV, "10", status="draft", is_started=True, started_on=date(2025, 11, 3))
    evaluate_period(NOV, today=LATE)
    assert color(project, "start", NOV) == "red"  # a draft does not count
    ProgressReport.objects.filter(project=project).update(status="unit_approved")
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    evaluate_period(NOV, today=LATE)
    assert color(project, "start", NOV) == "green"
    assert "已于2025年11月3日开工" in light(project, "start", NOV).explanation


def test_start_rule_ignores_projects_started_in_earlier_years(world):
    old = building(world, start=date(2023, 5, 1), planned_start=date(2023, 4, 1))
    new = building(world, start=date(2025, 2, 1), planned_start=date(2025, 3, 1))
    evaluate_period(OCT, today=LATE)
    assert light(old, "start", OCT) is None
    assert color(new, "start", OCT) == "green"


# --- reporting -------------------------------------------------------------------------------------------------------


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_reporting_rule_on_time_late_missing(world):
    on_time, last_minute, late, draft, missing = (building(world) for _ in range(5))
    report(on_time, OCT, "10", submitted_at=_at(date(2025, 11, 3)))
    report(last_minute, OCT, "10", submitted_at=_at(date(2025, 11, 5), 23))  # closing day, local time
    report(late, OCT, "10", submitted_at=_at(date(2025, 11, 7)))
    report(draft, OCT, "10", status="draft")
    evaluate_period(OCT, today=date(2025, 11, 6))
    assert color(on_time, "reporting", OCT) == "green"
    assert color(last_minute, "reporting", OCT) == "green"
    assert color(late, "reporting", OCT) == "yellow"
    assert "晚于填报截止日2025年11月5日" in light(late, "reporting", OCT).explanation
    assert color(draft, "reporting", OCT) == "red"
    assert "草稿未提交" in light(draft, "reporting", OCT).explanation
    assert color(missing, "reporting", OCT) == "red"
    assert "未填报" in light(missing, "reporting", OCT).explanation


def test_reporting_rule_while_the_window_is_open_and_scope(world):
    missing = building(world)
    preparation_with_plan = make_project(unit=world.unit_a)
    plan(preparation_with_plan, "100")
    preparation_without_plan = make_project(unit=world.unit_a)
    evaluate_period(OCT, today=date(2025, 11, 5))  # the closing day itself: not yet overdue
    assert color(missing, "reporting", OCT) == "green"
    assert "尚未截止" in light(missing, "reporting", OCT).explanation
    assert color(preparation_with_plan, "reporting", OCT) == "green"
    assert light(preparation_without_plan, "reporting", OCT) is None
    evaluate_period(OCT, today=date(2025, 11, 6))
    assert color(missing, "reporting", OCT) == "red"
    assert color(preparation_with_plan, "reporting", OCT) == "red"


# --- stalled ---------------------------------------------------------------------------------------------------------


def test_stalled_rule_consecutive_months_without_investment(world):
    project = building(world)
    report(project, date(2025, 8, 1), "100")
    report(project, SEP, "0")
    report(project, OCT, "50", status="draft")  # not counted: no investment
    for period in (date(2025, 8, 1), SEP, OCT):
        evaluate_period(period, today=LATE)
    assert color(project, "stalled", date(2025, 8, 1)) == "green"
    assert color(project, "stalled", SEP) == "yellow"
    assert color(project, "stalled", OCT) == "red"
    assert "2025年9月至2025年10月连续2个月无投资完成" in light(project, "stalled", OCT).explanation
    set_params("stalled", months=3)
    evaluate_period(OCT, today=LATE)
    assert color(project, "stalled", OCT) == "yellow"


def test_stalled_counts_from_the_start_month_and_across_the_year_end(world):
    just_started = building(world, start=date(2025, 10, 20))
    across_year = building(world, start=date(2024, 6, 1))
    report(across_year, NOV, "30")
    preparation = make_project(unit=world.unit_a)
    evaluate_period(OCT, today=LATE)
    assert color(just_started, "stalled", OCT) == "yellow"  # the start month without investment
    assert light(preparation, "stalled", OCT) is None  # not in construction
    january = date(2026, 1, 1)
    evaluate_period(january, today=date(2026, 3, 1))
    assert color(across_year, "stalled", january) == "red"  # December 2025 and January 2026
    assert "2025年12月至2026年1月连续2个月无投资完成" in light(across_year, "stalled", january).explanation


def test_stalled_run_counts_back_to_the_start_month_and_says_when_capped(world):
    project = building(world, start=date(2023, 1, 1))
    evaluate_period(OCT, today=LATE)
    assert "2023年1月至2025年10月连续34个月无投资完成" in light(project, "stalled", OCT).explanation
    long_ago = building(world, start=date(2021, 1, 1))
    evaluate_period(OCT, today=LATE)
    assert "连续36个月及以上无投资完成" in light(long_ago, "stalled", OCT).explanation


# --- statistics ------------------------------------------------------------------------------------------------------


def test_statistics_rule_months_since_start(world):
    project = building(world, start=date(2025, 8, 10))
    counted_later = building(world, start=date(2025, 8, 10), stats_status="counted", stats_month=OCT)
    for period in (date(2025, 8, 1), SEP, OCT):
        evaluate_period(period, today=LATE)
    assert color(project, "statistics", date(2025, 8, 1)) == "green"  # started this month
    assert color(project, "statistics", SEP) == "yellow"
    assert color(project, "statistics", OCT) == "red"
    assert "已2个月未纳统入库" in light(project, "statistics", OCT).explanation
    assert color(counted_later, "statistics", SEP) == "yellow"  # not yet counted in September
    assert color(counted_later, "statistics", OCT) == "green"
    assert "已于2025年10月纳统入库" in light(counted_later, "statistics", OCT).explanation


def test_statistics_uses_the_reported_start_when_the_project_has_no_actual_start(world):
    project = make_project(unit=world.unit_a, planned_start=date(2025, 8, 1))
    report(project, date(2025, 8, 1), "5", is_started=True, started_on=date(2025, 8, 20))
    evaluate_period(OCT, today=LATE)
    assert color(project, "statistics", OCT) == "red"
    assert color(project, "stalled", OCT) == "red"  # in construction from the reported start


# --- evaluation mechanics --------------------------------------------------------------------------------------------


def test_evaluation_is_idempotent(world):
    project = building(world)
    plan(project, "1200")
    report(project, SEP, "100")
    first = evaluate_period(SEP, today=LATE)
    rows = list(WarningLight.objects.order_by("pk").values_list("pk", "project", "rule", "color", "explanation"))
    second = evaluate_period(SEP, today=LATE)
    assert (
        list(WarningLight.objects.order_by("pk").values_list("pk", "project", "rule", "color", "explanation")) == rows
    )
    assert first.created == len(rows) == second.unchanged
    assert second.created == second.updated == second.deleted == 0
    assert sum(second.colors.values()) == second.lights == len(rows)


def test_changes_update_in_place_and_stale_lights_go_but_history_stays(world):
    project = building(world)
    evaluate_period(SEP, today=LATE)
    evaluate_period(OCT, today=LATE)
    stalled = light(project, "stalled", OCT)
    assert stalled.color == "red"
    report(project, OCT, "20")
    result = evaluate_period(OCT, today=LATE)
    assert result.updated >= 1
    again = light(project, "stalled", OCT)
    assert (again.pk, again.color) == (stalled.pk, "green")
    Project.objects.filter(pk=project.pk).update(stage="suspended")
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    result = evaluate_period(OCT, today=LATE)
    assert result.deleted >= 1
    assert not WarningLight.objects.filter(project=project, period=OCT).exists()
    assert WarningLight.objects.filter(project=project, period=SEP).exists()


def test_inactive_rules_are_not_evaluated(world):
    project = building(world)
    WarningRule.objects.filter(code="stalled").update(is_active=False)
    evaluate_period(OCT, today=LATE)
    assert light(project, "stalled", OCT) is None
    assert light(project, "reporting", OCT) is not None


def test_evaluating_a_subset_leaves_other_projects_alone(world):
    one, other = building(world), building(world)
    result = evaluate_period(OCT, projects=Project.objects.filter(pk=one.pk), today=LATE)
    assert result.projects == 1
    assert WarningLight.objects.filter(project=one).exists()
    assert not WarningLight.objects.filter(project=other).exists()


def _projects_with_data(world, count):
    for _ in range(count):
        project = building(world, planned_start=date(2025, 1, 1))
        plan(project, "1200")
        report(project, SEP, "100", is_started=True, started_on=date(2025, 1, 10))


def _queries(callback):
    with CaptureQueriesContext(connection) as captured:
        callback()
    statements = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    return len(statements), sum(s.startswith("SELECT") for s in statements)


def test_query_count_does_not_grow_with_the_number_of_projects(world):
    _projects_with_data(world, 5)
    evaluate_period(SEP, today=LATE)  # creates the reporting window once
    small_total, small_selects = _queries(lambda: evaluate_period(SEP, today=LATE))
    _projects_with_data(world, 45)
    big_total, big_selects = _queries(lambda: evaluate_period(SEP, today=LATE))
    assert big_selects == small_selects
    # Only the upsert is batched (SQLite: 999 parameters / 6 columns per row); nothing is per project.
    rows = WarningLight.objects.filter(period=SEP).count()
    assert big_total <= small_total + ceil(rows / (999 // 6))
    subset_total, subset_selects = _queries(
        lambda: evaluate_period(SEP, projects=Project.objects.filter(pk__in=Project.objects.values("pk")), today=LATE)
    )
    assert subset_selects == small_selects


# --- overrides -------------------------------------------------------------------------------------------------------


def _override(world, project, *, actor=None, rule="stalled", color="yellow", **fields):
    values = {"reason_code": "data_lag", "reason": "统计数据滞后一个月", "recovery_plan": "11月底前补报并复核"}
    values.update(fields)
    return light_override_set(
        actor=actor or world.office,
        project=project,
        period=OCT,
        rule=WarningRule.objects.get(code=rule),
        color=color,
        **values,
    )


def test_override_replaces_the_colour_and_keeps_the_explanation(world):
    project = building(world)
    evaluate_period(OCT, today=LATE)
    computed = light(project, "stalled", OCT)
    assert computed.color == "red"
    _override(world, project)
    overridden = light(project, "stalled", OCT)
    assert overridden.color == "yellow"
    assert overridden.explanation.startswith(computed.explanation)
    assert overridden.explanation.endswith("（人工调整：数据滞后，统计数据滞后一个月）")
    result = evaluate_period(OCT, today=LATE)  # the monthly run keeps it
    assert light(project, "stalled", OCT).color == "yellow"
    assert result.overridden == 1
    _override(world, project, color="green", reason="已核实")
    assert light(project, "stalled", OCT).color == "green"
    assert LightOverride.objects.get(project=project).version == 2


def test_override_requires_reason_plan_permission_scope_and_a_light(world):
    project = building(world)
    with pytest.raises(ValidationError) as error:
        _override(world, project, reason=" ", recovery_plan="")
    assert set(error.value.message_dict) == {"reason", "recovery_plan"}
    with pytest.raises(PermissionDenied):
        _override(world, project, actor=world.reporter_a)
    foreign_office = make_user("office_other", role=Role.PROJECT_OFFICE, unit=world.foreign_unit)
    with pytest.raises(PermissionDenied):
        _override(world, project, actor=foreign_office)
    with pytest.raises(ApplicationError):
        _override(world, project, rule="progress")  # no annual plan → no progress light
    assert not LightOverride.objects.exists()


def test_override_counts_by_unit(world):
    a1, a2, b1 = building(world), building(world), building(world, unit=world.unit_b)
    _override(world, a1)
    _override(world, a2, color="green")
    _override(world, a2, rule="reporting", color="green")
    _override(world, b1, color="green")
    counts = override_counts_by_unit(world.office, 2025)
    assert [(c.unit_name, c.total, c.to_green, c.to_yellow) for c in counts] == [
        (world.unit_a.name, 3, 2, 1),
        (world.unit_b.name, 1, 1, 0),
    ]
    assert override_counts_by_unit(world.office, 2024) == []
    assert override_counts_by_unit(world.norole, 2025) == []
    foreign_office = make_user("office_other", role=Role.PROJECT_OFFICE, unit=world.foreign_unit)
    assert override_counts_by_unit(foreign_office, 2025) == []


# --- task and command ------------------------------------------------------------------------------------------------


def test_task_and_command(world):
    project = building(world)
    result = evaluate_warnings_task.enqueue("2025-10")
    assert result.return_value["period"] == "2025-10-01"
    assert result.return_value["lights"] == WarningLight.objects.filter(period=OCT).count() > 0
    out = StringIO()
    call_command("evaluate_warnings", "--period", "2025-09", stdout=out)
    assert "2025年9月：评估 1 个项目" in out.getvalue()
    assert WarningLight.objects.filter(project=project, period=SEP).exists()
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("evaluate_warnings", "--period", "oct", stdout=StringIO())
