"""纳统: the tolerance at its boundaries (by hand), the month's reconciliation and its alerts, the lock after 报送
(for the bureau, and for leaders and the office by permission) with the correction's history, the readiness
checklist, and the pages.

Data are in 2025 so that no month is in the future."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tuijin.core.exceptions import ApplicationError
from tuijin.core.history import object_history
from tuijin.funds import services, stats
from tuijin.funds.models import FundsSettings, StatsFigure
from tuijin.org.choices import Role
from tuijin.progress.models import ProgressReport
from tuijin.projects.choices import ApprovalStatus, StatsStatus
from tuijin.projects.models import ApprovalItem
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.world import TEST_PASSWORD, make_user

D = Decimal
MAR, APR, MAY = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)


def bureau(world):
    return make_user("stats_bureau", role=Role.STATS_BUREAU, unit=world.gov)


def building(world, *, start=date(2025, 1, 10), unit=None, **fields):
    fields.setdefault("code", f"2403-410702-04-01-{next(_codes):05d}X")
    fields.setdefault("stage", "construction")
    return make_project(unit=unit or world.unit_a, actual_start=start, **fields)


_codes = iter(range(1, 10**6))


def report(project, period, amount):
    return ProgressReport.objects.create(
        project=project,
        period=period,
        status="submitted",
        month_investment=D(amount),
        construction_install=D(amount),
    )


def enter(actor, project, month, amount, in_database=True, submit=False):
    figure = services.stats_save(
        actor=actor, project=project, month=month, stats_investment=D(amount), in_database=in_database
    )
    if submit:
        figure = services.stats_submit(actor=actor, figure=figure, version=figure.version)
    return figure


def tolerance_settings(amount="100", pct="20") -> FundsSettings:
    return FundsSettings.objects.create(stats_tolerance_amount=D(amount), stats_tolerance_pct=D(pct))


# --- the tolerance, by hand ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tolerance_boundaries_by_hand():
    s = tolerance_settings("100", "20")
    # statistics 1000: 20% = 200 > 100 → tolerance 200
    assert stats.tolerance(D("1000"), s) == D("200")
    assert not stats.beyond_tolerance(D("1200"), D("1000"), s)  # exactly the tolerance: within
    assert stats.beyond_tolerance(D("1200.01"), D("1000"), s)
    assert not stats.beyond_tolerance(D("800"), D("1000"), s)
    assert stats.beyond_tolerance(D("799.99"), D("1000"), s)  # below by more: a mismatch …
    assert not stats.dispatch_high(D("799.99"), D("1000"), s)  # … but not 调度数远高于统计数
    assert stats.dispatch_high(D("1200.01"), D("1000"), s)
    # statistics 100: 20% = 20 < 100 → tolerance 100
    assert stats.tolerance(D("100"), s) == D("100")
    assert not stats.beyond_tolerance(D("200"), D("100"), s)
    assert stats.beyond_tolerance(D("200.01"), D("100"), s)
    # statistics 0: tolerance is the amount
    assert stats.tolerance(D("0"), s) == D("100")
    # the light: > tolerance yellow, > 2 × tolerance red
    assert stats.gap_level(D("1200"), D("1000"), s) == "green"
    assert stats.gap_level(D("1200.01"), D("1000"), s) == "yellow"
    assert stats.gap_level(D("1400"), D("1000"), s) == "yellow"
    assert stats.gap_level(D("1400.01"), D("1000"), s) == "red"


@pytest.mark.django_db
def test_default_settings_when_none_saved():
    assert stats.tolerance(D("1000")) == D("200")  # defaults 100 万元 / 20%
    assert stats.tolerance(D("100")) == D("100")


# --- the month's rows and alerts ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_month_rows_figures_difference_and_alerts(world):
    tolerance_settings("100", "20")
    user = bureau(world)
    high = building(world, name="调度高项目")
    report(high, APR, "1500")
    enter(user, high, APR, "1000")  # gap 500 > 200
    fine = building(world, name="一致项目")
    report(fine, APR, "1100")
    enter(user, fine, APR, "1000")  # gap 100 ≤ 200
    not_in = building(world, name="未入库项目")
    report(not_in, APR, "50")
    zero = building(world, name="零投资项目")
    report(zero, APR, "0")
    enter(user, zero, APR, "0", in_database=True)
    rows = {r.name: r for r in stats.month_rows(user, APR)}
    assert set(rows) == {"调度高项目", "一致项目", "未入库项目", "零投资项目"}
    r = rows["调度高项目"]
    assert (r.dispatch, r.stats, r.gap, r.tolerance, r.beyond) == (D("1500"), D("1000"), D("500"), D("200"), True)
    assert r.alerts == [stats.DISPATCH_HIGH]
    assert r.alert_labels == ["调度数远高于统计数"]
    assert rows["一致项目"].alerts == [] and not rows["一致项目"].flagged
    # started (actual start 2025-01-10), no figure, project not counted → 已开工未入库
    assert rows["未入库项目"].figure is None and rows["未入库项目"].alerts == [stats.STARTED_NOT_IN_DB]
    assert rows["零投资项目"].alerts == [stats.ZERO_AFTER_DB]
    flagged = {r.name for r in stats.month_rows(user, APR, flagged_only=True)}
    assert flagged == {"调度高项目", "未入库项目", "零投资项目"}
    assert {r.name for r in stats.month_rows(user, APR, unit=world.unit_b)} == set()


@pytest.mark.django_db
def test_in_database_falls_back_to_earlier_figure_then_the_project(world):
    user = bureau(world)
    earlier = building(world, name="早入库")
    enter(user, earlier, MAR, "10", in_database=True)
    report(earlier, APR, "10")
    counted = building(world, name="项目已纳统", stats_status=StatsStatus.COUNTED, stats_month=date(2025, 2, 1))
    report(counted, APR, "10")
    rows = {r.name: r for r in stats.month_rows(user, APR)}
    assert rows["早入库"].in_database and rows["早入库"].alerts == []
    assert rows["项目已纳统"].in_database and rows["项目已纳统"].alerts == []


@pytest.mark.django_db
def test_not_started_project_is_not_started_not_in_db(world):
    user = bureau(world)
    later = building(world, name="五月开工", start=date(2025, 5, 3))
    enter(user, later, APR, "0", in_database=False)
    (row,) = stats.month_rows(user, APR)
    assert not row.started and row.alerts == []
    (row,) = stats.month_rows(user, MAY)
    assert row.started and row.alerts == [stats.STARTED_NOT_IN_DB]


@pytest.mark.django_db
def test_rows_are_scoped(world):
    user = bureau(world)
    a = building(world, name="甲项目")
    b = building(world, name="乙项目", unit=world.unit_b)
    report(a, APR, "1")
    report(b, APR, "1")
    assert {r.name for r in stats.month_rows(world.reporter_a, APR)} == {"甲项目"}
    assert {r.name for r in stats.month_rows(user, APR)} == {"甲项目", "乙项目"}
    assert stats.month_rows(world.foreign_office, APR) == []


@pytest.mark.django_db
def test_district_totals_side_by_side(world):
    user = bureau(world)
    a = building(world)
    b = building(world, unit=world.unit_b)
    report(a, APR, "300")
    report(b, APR, "200")
    enter(user, a, APR, "250")
    totals = stats.district_totals(world.office, APR)
    # like with like: b has no statistics figure, so its 200 of dispatch is left out of both sums
    assert (totals.dispatch, totals.stats, totals.gap, totals.figures) == (D("300"), D("250"), D("50"), 1)
    assert stats.district_totals(world.reporter_b, APR).stats == D("0")


# --- the lock -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitted_figure_is_locked_for_everyone_and_corrected_with_history(world):
    user = bureau(world)
    project = building(world)
    figure = enter(user, project, APR, "100", submit=True)
    assert figure.submitted_at is not None
    with pytest.raises(ApplicationError) as locked:
        enter(user, project, APR, "120")
    assert locked.value.code == "locked"
    assert "已锁定" in locked.value.message and "更正报送" in locked.value.message
    for other in (world.leader, world.office, world.sponsor):
        with pytest.raises(PermissionDenied):
            enter(other, project, APR, "120")
        with pytest.raises(PermissionDenied):
            services.stats_submit(actor=other, figure=figure, version=figure.version, stats_investment=D("1"))
    with pytest.raises(ValidationError) as no_reason:
        services.stats_submit(actor=user, figure=figure, version=figure.version, stats_investment=D("130"))
    assert "correction_reason" in no_reason.value.message_dict
    corrected = services.stats_submit(
        actor=user, figure=figure, version=figure.version, stats_investment=D("130"), correction_reason="联网直报更正"
    )
    assert StatsFigure.objects.get(pk=figure.pk).stats_investment == D("130")
    history = object_history(corrected)
    assert any("更正报送：联网直报更正" in (entry.message or "") for entry in history)


# --- readiness ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readiness_checklist_by_hand(world):
    project = building(world, total="400.00")
    result = stats.readiness(project)
    assert [(i.key, i.ok) for i in result.items] == [
        ("size", False),
        ("approval", False),
        ("evidence", False),
        ("licence", False),
    ]
    assert result.missing == ["计划总投资≥500万元", "审批文件", "施工合同或现场照片", "施工许可证"]
    assert result.items[0].detail == "总投资 400.00 万元，不足500万元"
    assert result.text.startswith("计划总投资≥500万元 ✗（总投资 400.00 万元，不足500万元），审批文件 ✗")

    project.total_investment = D("500")
    project.save()
    items = {a.item_type.code: a for a in ApprovalItem.objects.filter(project=project).select_related("item_type")}
    approval = items["project_approval"]
    approval.status, approval.permit_no, approval.completed_date = ApprovalStatus.DONE, "测发改备〔2025〕1号", MAR
    approval.save()
    permit = items["construction_permit"]
    permit.status, permit.permit_no, permit.completed_date = ApprovalStatus.DONE, "410702202503010101", MAR
    permit.save()
    done = stats.readiness(project)
    assert [(i.key, i.ok) for i in done.items] == [
        ("size", True),
        ("approval", True),
        ("evidence", False),
        ("licence", True),
    ]
    assert done.items[1].detail == "立项（审批/核准/备案）（测发改备〔2025〕1号）"
    assert done.items[3].detail == "410702202503010101"
    assert done.missing == ["施工合同或现场照片"] and not done.ready

    # a done item without a number or file is not an approval document
    approval.permit_no = ""
    approval.save()
    assert not stats.readiness(project).items[1].ok


# --- pages ----------------------------------------------------------------------------------------------------------


def login(client, user):
    assert client.login(username=user.username, password=TEST_PASSWORD)


@pytest.mark.django_db
def test_month_page_shows_both_figures_and_flags(client, world):
    tolerance_settings()
    user = bureau(world)
    project = building(world, name="差异项目")
    report(project, APR, "1500")
    enter(user, project, APR, "1000")
    login(client, user)
    page = client.get(reverse("stats:month"), {"month": "2025-04"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "差异项目" in text and "1,500.00" in text and "1,000.00" in text and "500.00" in text
    assert "调度数远高于统计数" in text and "超差" in text
    flagged = client.get(reverse("stats:month"), {"month": "2025-04", "flagged": "1"})
    assert "差异项目" in flagged.content.decode()
    alerts = client.get(reverse("stats:alerts"), {"month": "2025-04"})
    assert alerts.status_code == 200 and "差异项目" in alerts.content.decode()


@pytest.mark.django_db
def test_inline_entry_error_kept_then_save_and_submit(client, world):
    user = bureau(world)
    project = building(world, name="录入项目")
    report(project, APR, "10")
    login(client, user)
    bad = client.post(
        reverse("stats:save"), {"month": "2025-04", "project": project.pk, "stats_investment": "-5", "version": ""}
    )
    assert bad.status_code == 400
    assert 'value="-5"' in bad.content.decode()
    assert not StatsFigure.objects.exists()
    ok = client.post(
        reverse("stats:save"),
        {"month": "2025-04", "project": project.pk, "stats_investment": "12.5", "in_database": "on", "submit": "1"},
    )
    assert ok.status_code == 302
    figure = StatsFigure.objects.get()
    assert figure.stats_investment == D("12.5") and figure.in_database and figure.submitted_at is not None
    page = client.get(reverse("stats:month"), {"month": "2025-04"}).content.decode()
    assert "已报送" in page and "更正报送" in page
    # editing a locked figure through the page: the service's message, with the row
    again = client.post(
        reverse("stats:save"),
        {"month": "2025-04", "project": project.pk, "stats_investment": "20", "version": figure.version},
    )
    assert again.status_code == 400 and "已锁定" in again.content.decode()
    fixed = client.post(
        reverse("stats:submit", args=[figure.pk]),
        {"version": figure.version, "stats_investment": "20", "in_database": "on", "correction_reason": "核实更正"},
    )
    assert fixed.status_code == 302
    assert StatsFigure.objects.get().stats_investment == D("20")


@pytest.mark.django_db
def test_submit_all_entered_rows_of_the_month(client, world):
    user = bureau(world)
    for _i in range(2):
        p = building(world)
        report(p, APR, "10")
        enter(user, p, APR, "10")
    login(client, user)
    response = client.post(reverse("stats:submit_all"), {"month": "2025-04"})
    assert response.status_code == 302
    assert StatsFigure.objects.filter(submitted_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_pages_permissions_and_scope(client, world):
    project = building(world, name="范围项目")
    login(client, world.sysadmin)  # no funds permission
    assert client.get(reverse("stats:month")).status_code == 403
    login(client, world.reporter_b)  # funds read, but not this unit's project
    assert client.get(reverse("stats:project", args=[project.pk])).status_code == 404
    response = client.post(reverse("stats:save"), {"month": "2025-04", "project": project.pk, "stats_investment": "1"})
    assert response.status_code == 404
    login(client, world.reporter_a)
    page = client.get(reverse("stats:project", args=[project.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "入库条件核对" in text and "施工许可证" in text and "✗" in text
    # a unit may read but not enter
    response = client.post(reverse("stats:save"), {"month": "2025-04", "project": project.pk, "stats_investment": "1"})
    assert response.status_code == 400 and "只有统计局可以录入" in response.content.decode()


@pytest.mark.django_db
def test_a_submitted_in_database_figure_counts_the_project(world):
    """报送 with 已入库 makes the project 已纳统入库 from that month (what the 纳统 light reads); an earlier month
    moves the month back, a later 未入库 does not un-count it."""
    from tuijin.projects.choices import StatsStatus

    user = bureau(world)
    project = building(world)
    row = enter(user, project, APR, "100", in_database=True)
    project.refresh_from_db()
    assert project.stats_status == StatsStatus.NOT_COUNTED  # entered, not yet submitted
    services.stats_submit(actor=user, figure=row, version=row.version)
    project.refresh_from_db()
    assert (project.stats_status, project.stats_month) == (StatsStatus.COUNTED, APR)
    later = enter(user, project, date(2025, 5, 1), "0", in_database=False)
    services.stats_submit(actor=user, figure=later, version=later.version)
    project.refresh_from_db()
    assert (project.stats_status, project.stats_month) == (StatsStatus.COUNTED, APR)
