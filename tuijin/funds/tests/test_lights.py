"""The funds and 纳统 lights (dispatch.warnings: funds_idle, funds_start, stats_gap), their relight after a funds
write, and the notice's 纳统 section and the dashboard's two 口径."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.dispatch.notice import build_notice, notice_docx, notice_sections
from tuijin.dispatch.warnings import evaluate_period
from tuijin.funds import services
from tuijin.funds.choices import ApplicationStatus, Channel
from tuijin.funds.models import FundApplication, FundingBatch, FundsSettings
from tuijin.progress.models import WarningLight, WarningRule
from tuijin.projects.services import annual_plan_approve, annual_plan_save

from .test_stats import APR, building, bureau, enter, login, report, tolerance_settings

D = Decimal
LATE = date(2026, 1, 20)  # 2025 is over: every period's cut-off is its last day
_numbers = iter(range(1, 10**6))


def grant(world, project, *, arrived=None, deadline=None, approved=date(2025, 1, 5)):
    batch = FundingBatch.objects.create(
        channel=Channel.SPECIAL_BOND,
        name="2025年专项债第一批",
        opens_on=date(2024, 11, 1),
        deadline=date(2024, 12, 31),
        organiser=world.office_unit,
    )
    return FundApplication.objects.create(
        number=f"ZJ2025-{next(_numbers):04d}",
        project=project,
        batch=batch,
        requested_amount=D("1000"),
        status=ApplicationStatus.APPROVED,
        approved_amount=D("800"),
        approval_doc="财预〔2025〕1号",
        approval_date=approved,
        arrived_on=arrived,
        start_deadline=deadline,
        created_by=world.office,
    )


def light(project, code, period):
    found = WarningLight.objects.filter(project=project, period=period, rule__code=code).first()
    return (found.color, found.explanation) if found else (None, "")


@pytest.mark.django_db
def test_rules_are_seeded_by_the_migration():
    rules = {r.code: r for r in WarningRule.objects.filter(code__in=["funds_idle", "funds_start", "stats_gap"])}
    assert {c: (r.dimension, r.is_active) for c, r in rules.items()} == {
        "funds_idle": ("funds_idle", True),
        "funds_start": ("funds_start", True),
        "stats_gap": ("stats_gap", True),
    }


@pytest.mark.django_db
def test_funds_idle_yellow_then_red_then_cleared_by_a_payment(world, django_capture_on_commit_callbacks):
    FundsSettings.objects.create(idle_months=6)
    project = building(world)
    application = grant(world, project, arrived=date(2025, 1, 15))
    for month in (5, 6, 7):
        evaluate_period(date(2025, month, 1), projects=[project.pk], today=LATE)
    may, june, july = (light(project, "funds_idle", date(2025, m, 1)) for m in (5, 6, 7))
    assert may[0] == "green" and "须于2025年7月15日前支付" in may[1]
    assert june == (
        "yellow",
        "“2025年专项债第一批”资金于2025年1月15日到位，已满5个月仍未支付，须于2025年7月15日前支付（逾期为红灯）。",
    )
    assert july[0] == "red" and "满6个月仍未支付" in july[1]
    # a July light is the same on the 14th (today) — cut-off is today while the month runs
    evaluate_period(date(2025, 7, 1), projects=[project.pk], today=date(2025, 7, 14))
    assert light(project, "funds_idle", date(2025, 7, 1))[0] == "yellow"
    evaluate_period(date(2025, 7, 1), projects=[project.pk], today=LATE)
    # a payment re-evaluates the project's lights after commit: the red clears
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_add(actor=world.office, application=application, paid_on=date(2025, 7, 20), amount=D("100"))
    color, text = light(project, "funds_idle", date(2025, 7, 1))
    assert color == "green" and "已于2025年7月20日开始支付" in text
    # before the payment's day the month still counts it unpaid
    assert light(project, "funds_idle", date(2025, 6, 1))[0] == "yellow"


@pytest.mark.django_db
def test_funds_idle_without_arrival_gives_no_light(world):
    project = building(world)
    grant(world, project, arrived=None)
    evaluate_period(date(2025, 9, 1), projects=[project.pk], today=LATE)
    assert light(project, "funds_idle", date(2025, 9, 1)) == (None, "")


@pytest.mark.django_db
def test_funds_start_red_after_the_deadline_until_started(world):
    project = building(world, start=None, stage="preparation")
    grant(world, project, deadline=date(2025, 3, 31))
    evaluate_period(date(2025, 3, 1), projects=[project.pk], today=LATE)
    evaluate_period(date(2025, 4, 1), projects=[project.pk], today=LATE)
    assert light(project, "funds_start", date(2025, 3, 1))[0] == "green"
    color, text = light(project, "funds_start", date(2025, 4, 1))
    assert color == "red"
    assert text == "“2025年专项债第一批”资金下达后须于2025年3月31日前开工，截至2025年4月30日仍未开工。"
    project.actual_start = date(2025, 4, 20)
    project.stage = "construction"
    project.save()
    evaluate_period(date(2025, 4, 1), projects=[project.pk], today=LATE)
    assert light(project, "funds_start", date(2025, 4, 1))[0] == "green"


@pytest.mark.django_db
def test_stats_gap_light_yellow_and_red(world):
    tolerance_settings("100", "20")
    user = bureau(world)
    yellow = building(world)
    red = building(world)
    within = building(world)
    for project, dispatch, statistics in ((yellow, "1300", "1000"), (red, "1500", "1000"), (within, "1200", "1000")):
        report(project, APR, dispatch)
        enter(user, project, APR, statistics)
    no_figure = building(world)
    report(no_figure, APR, "10")
    evaluate_period(APR, today=LATE)
    assert light(yellow, "stats_gap", APR)[0] == "yellow"
    color, text = light(red, "stats_gap", APR)
    assert color == "red"
    assert text == (
        "4月调度口径完成投资 1,500.00 万元，统计口径 1,000.00 万元，"
        "调度数高出 500.00 万元，超过容忍度 200.00 万元的2倍（红灯）。"
    )
    assert light(within, "stats_gap", APR)[0] == "green"
    assert light(no_figure, "stats_gap", APR) == (None, "")


@pytest.mark.django_db
def test_many_figures_in_one_transaction_relight_once(world, django_capture_on_commit_callbacks, monkeypatch):
    """An import of 纳统 figures for many projects relights them all in one pass after commit, not once a row."""
    from django.db import transaction

    from tuijin.dispatch import warnings

    tolerance_settings("100", "20")
    user = bureau(world)
    projects = [building(world) for _ in range(4)]
    for project in projects:
        report(project, APR, "1500")
    calls: list[tuple[list[int], date | None]] = []
    real = warnings.relight
    monkeypatch.setattr(
        warnings, "relight", lambda ids, since=None, **kw: calls.append((ids, since)) or real(ids, since)
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for n, project in enumerate(projects):
            enter(user, project, date(2025, 4 - n % 2, 1), "1000")
    funds_calls = [c for c in calls if len(c[0]) == len(projects)]
    assert funds_calls == [(sorted(p.pk for p in projects), date(2025, 3, 1))], calls


@pytest.mark.django_db
def test_notice_lists_the_mismatch_and_the_funds_lights(world):
    import docx

    tolerance_settings("100", "20")
    user = bureau(world)
    project = building(world, name="纳统差异项目")
    annual_plan_approve(
        actor=None, plan=annual_plan_save(actor=None, project=project, year=2025, planned_investment=D("5000"))
    )
    report(project, APR, "1500")
    enter(user, project, APR, "1000")
    idle = building(world, name="资金闲置项目")
    grant(world, idle, arrived=date(2024, 9, 1))
    evaluate_period(APR, today=LATE)
    data = build_notice(world.office, 2025, 4)
    assert [r.name for r in data.stats.mismatches] == ["纳统差异项目"]
    problems = notice_sections(data)["主要问题"]
    assert any("差异超过容忍度的项目1个" in getattr(b, "text", "") for b in problems)
    document = docx.Document(io.BytesIO(notice_docx(data)))
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["1", "纳统差异项目", "甲街道办事处", "1,500.00", "1,000.00", "500.00", "已入库"] in cells
    assert any(row[1] == "资金闲置项目" and row[3] == "资金闲置预警" and row[4] == "红灯" for row in cells)
    # the 统计口径差异 light is the mismatch table's row, not repeated under 资金使用预警
    assert not any(row[1] == "纳统差异项目" and row[3] == "统计口径差异预警" for row in cells)


@pytest.mark.django_db
def test_dashboard_shows_both_measures(client, world):
    user = bureau(world)
    project = building(world)
    report(project, APR, "300")
    enter(user, project, APR, "250")
    login(client, world.office)
    page = client.get(reverse("dispatch:dashboard"), {"year": 2025, "month": 4})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="tj-stats-compare"' in text
    assert page.context["stats_totals"].dispatch == D("300")
    assert page.context["stats_totals"].stats == D("250")
    assert page.context["stats_totals"].gap == D("50")


@pytest.mark.django_db
def test_dashboard_totals_are_cached_until_a_figure_changes(
    client, world, real_cache, django_capture_on_commit_callbacks
):
    user = bureau(world)
    project = building(world)
    report(project, APR, "300")
    login(client, world.office)
    url = reverse("dispatch:dashboard")
    assert client.get(url, {"year": 2025, "month": 4}).context["stats_totals"].figures == 0
    with django_capture_on_commit_callbacks(execute=True):
        enter(user, project, APR, "250")
    totals = client.get(url, {"year": 2025, "month": 4}).context["stats_totals"]
    assert (totals.figures, totals.stats) == (1, D("250"))
