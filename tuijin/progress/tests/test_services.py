"""Report workflow: fill, submit, two-level review, return with reason, lock, correction, concurrency, guards."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.progress import services
from tuijin.progress.choices import ReportStatus
from tuijin.progress.models import ProgressReport, ReportCorrection
from tuijin.projects.services import annual_plan_approve, annual_plan_save
from tuijin.projects.tests.factories import make_project

from .factories import make_report

OCT = date(2026, 10, 1)


@pytest.fixture
def project(world):
    p = make_project(unit=world.unit_a, actor=world.office, total="10000.00")
    plan = annual_plan_save(actor=world.office, project=p, year=2026, planned_investment=Decimal("4000"))
    annual_plan_approve(actor=world.office, plan=plan)
    return p


def fill(world, project, amount="300.00", **extra):
    report = services.report_get_or_create(actor=world.reporter_a, project=project, period=OCT)
    data = {
        "month_investment": Decimal(amount),
        "construction_install": Decimal(amount),
        "equipment": Decimal("0"),
        "other_cost": Decimal("0"),
        "physical_progress": "主体施工",
        **extra,
    }
    return services.report_save(actor=world.reporter_a, report=report, version=report.version, data=data)


def test_full_workflow_with_timeline(world, project):
    report = fill(world, project)
    report = services.report_submit(actor=world.reporter_a, report=report, version=report.version)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == world.reporter_a
    report = services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    report = services.report_office_approve(actor=world.office, report=report, version=report.version)
    assert report.status == ReportStatus.OFFICE_APPROVED and report.is_locked
    types = list(report.events.order_by("created", "pk").values_list("type", flat=True))
    assert types == ["created", "saved", "submitted", "unit_approved", "office_approved"]


def test_computed_figures(world, project):
    make_report(project, date(2026, 8, 1), "1000.00", status="office_approved")
    make_report(project, date(2026, 9, 1), "700.00", status="unit_approved")
    make_report(project, date(2025, 12, 1), "500.00", status="office_approved")
    report = fill(world, project, "300.00")
    figures = services.report_figures(report)
    assert figures.ytd == Decimal("2000.00") and figures.annual_plan == Decimal("4000")
    assert figures.ytd_rate == Decimal("50") and figures.cumulative == Decimal("2500.00")
    assert figures.cumulative_rate == Decimal("25")
    assert services.report_figures_bulk([report])[report.pk].ytd == Decimal("2000.00")


def test_roles_are_enforced(world, project):
    report = fill(world, project)
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=world.reporter_b, report=report, version=report.version)  # other unit
    report = services.report_submit(actor=world.reporter_a, report=report, version=report.version)
    with pytest.raises(PermissionDenied):
        services.report_unit_approve(actor=world.reporter_a, report=report, version=report.version)
    with pytest.raises(ConflictError):
        services.report_office_approve(actor=world.office, report=report, version=report.version)  # not unit-approved


def test_return_needs_reason_and_goes_back_to_draft(world, project):
    report = fill(world, project)
    report = services.report_submit(actor=world.reporter_a, report=report, version=report.version)
    with pytest.raises(ApplicationError):
        services.report_return(actor=world.approver_a, report=report, version=report.version, reason=" ")
    report = services.report_return(
        actor=world.approver_a, report=report, version=report.version, reason="投资构成与合同不符"
    )
    assert report.status == ReportStatus.DRAFT and report.return_reason == "投资构成与合同不符"
    report = fill(world, project, "280.00")
    report = services.report_submit(actor=world.reporter_a, report=report, version=report.version)
    assert report.return_reason == ""


def test_office_can_return_a_unit_approved_report(world, project):
    report = fill(world, project)
    report = services.report_submit(actor=world.reporter_a, report=report, version=report.version)
    report = services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    report = services.report_return(actor=world.office, report=report, version=report.version, reason="请补充照片")
    assert report.status == ReportStatus.DRAFT


def test_locked_report_cannot_be_edited_only_corrected(world, project):
    report = fill(world, project)
    for step, actor in (
        (services.report_submit, world.reporter_a),
        (services.report_unit_approve, world.approver_a),
        (services.report_office_approve, world.office),
    ):
        report = step(actor=actor, report=report, version=report.version)
    with pytest.raises(ApplicationError):
        services.report_save(actor=world.reporter_a, report=report, version=report.version, data={})
    with pytest.raises(PermissionDenied):
        services.report_correct(
            actor=world.approver_a,
            report=report,
            version=report.version,
            data={"funds_arrived": Decimal("1")},
            reason="x",
        )
    with pytest.raises(ApplicationError):
        services.report_correct(
            actor=world.office, report=report, version=report.version, data={"funds_arrived": Decimal("1")}, reason=""
        )
    report = services.report_correct(
        actor=world.office,
        report=report,
        version=report.version,
        data={"month_investment": Decimal("250.00"), "construction_install": Decimal("250.00")},
        reason="统计口径更正",
    )
    correction = ReportCorrection.objects.get(report=report)
    assert correction.before["month_investment"] == "300.00" and correction.after["month_investment"] == "250.00"
    assert report.status == ReportStatus.OFFICE_APPROVED


def test_guards(world, project):
    report = services.report_get_or_create(actor=world.reporter_a, project=project, period=OCT)

    def save(**data):
        fresh = ProgressReport.objects.get(pk=report.pk)  # a failed save rolls back; start from the database
        return services.report_save(actor=world.reporter_a, report=fresh, version=fresh.version, data=data)

    with pytest.raises(ValidationError) as exc:
        save(
            month_investment=Decimal("100"),
            construction_install=Decimal("60"),
            equipment=Decimal("30"),
            other_cost=Decimal("0"),
        )
    assert "投资构成合计 90.00 万元，应等于当月完成投资 100.00 万元" in str(exc.value)  # as people write amounts
    with pytest.raises(ValidationError) as exc:
        save(month_investment=Decimal("-50"), construction_install=Decimal("-50"))
    assert "核减" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        save(month_investment=Decimal("20000"), construction_install=Decimal("20000"))
    assert "超过总投资" in str(exc.value) and "20,000.00 万元" in str(exc.value)
    saved = save(
        month_investment=Decimal("20000"), construction_install=Decimal("20000"), over_total_reason="总投资调增待批复"
    )
    assert saved.month_investment == Decimal("20000")
    with pytest.raises(ApplicationError):
        services.report_get_or_create(actor=world.reporter_a, project=project, period=date(2030, 1, 1))


def test_two_reviewers_at_once_one_wins(world, project):
    """Two reviewers act on the same version: exactly one succeeds, the other gets a conflict — no lost update."""
    report = fill(world, project)
    report = services.report_submit(actor=world.reporter_a, report=report, version=report.version)
    second_approver = Membership.objects.create(user=world.norole, unit=world.unit_a, role=Role.UNIT_APPROVER).user
    stale_a = ProgressReport.objects.get(pk=report.pk)
    stale_b = ProgressReport.objects.get(pk=report.pk)
    services.report_unit_approve(actor=world.approver_a, report=stale_a, version=stale_a.version)
    with pytest.raises(ConflictError) as exc:
        services.report_return(actor=second_approver, report=stale_b, version=stale_b.version, reason="另一意见")
    assert "刚被他人处理" in exc.value.message or "状态" in exc.value.message
    final = ProgressReport.objects.get(pk=report.pk)
    assert final.status == ReportStatus.UNIT_APPROVED and final.return_reason == ""


def test_reports_are_scoped_through_their_projects(world, project):
    """restrict() on reports filters by `project_id IN (allowed projects)`: same rows, no scan of every report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = make_project(unit=world.unit_b, actor=world.office)
    mine, theirs = make_report(project, OCT), make_report(other, OCT)
    with CaptureQueriesContext(connection) as ctx:
        visible = list(ProgressReport.objects.restrict(world.reporter_a, "view"))
    assert visible == [mine] and theirs not in visible
    sql = ctx.captured_queries[-1]["sql"]
    assert '"project_id" IN (SELECT' in sql and "projects_project" in sql
    assert set(ProgressReport.objects.restrict(world.office, "view")) == {mine, theirs}
    assert not ProgressReport.objects.restrict(world.ent_user_a, "view").exists()


# ---------------------------------------------------------------------------------------------------------------
# One write for a new report; 代填 (on behalf of the unit) by the project office
# ---------------------------------------------------------------------------------------------------------------

DATA = {
    "month_investment": Decimal("300.00"),
    "construction_install": Decimal("300.00"),
    "equipment": Decimal("0"),
    "other_cost": Decimal("0"),
    "physical_progress": "主体施工",
}


def test_report_create_writes_the_report_once_with_the_form_s_timeline(world, project):
    from tuijin.core.models import ObjectChange

    report = services.report_create(
        actor=world.reporter_a, project=project, period=OCT, data=DATA, problems=[{"description": "征地未完成"}]
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.month_investment == Decimal("300.00")
    assert list(report.problems.values_list("description", flat=True)) == ["征地未完成"]
    events = list(report.events.order_by("created", "pk").values_list("type", "actor"))
    assert events == [("created", world.reporter_a.pk), ("saved", world.reporter_a.pk)]
    changes = ObjectChange.objects.filter(
        changed_object_type__model="progressreport", changed_object_id=report.pk
    ).count()
    assert changes == 1  # inserted with its values, not created empty and then saved


def test_report_create_validates_like_the_form_and_writes_nothing_when_invalid(world, project):
    with pytest.raises(ValidationError) as caught:
        services.report_create(
            actor=world.reporter_a, project=project, period=OCT, data={**DATA, "month_investment": Decimal("1")}
        )
    assert "month_investment" in caught.value.message_dict
    assert not ProgressReport.objects.exists()


def test_report_create_refuses_a_user_without_fill_permission_and_an_existing_report(world, project):
    with pytest.raises(PermissionDenied):  # no fill permission
        services.report_create(actor=world.leader, project=project, period=OCT, data=DATA)
    with pytest.raises(PermissionDenied):  # another unit's reporter: the insert is rolled back
        services.report_create(actor=world.reporter_b, project=project, period=OCT, data=DATA)
    assert not ProgressReport.objects.exists()
    services.report_create(actor=world.reporter_a, project=project, period=OCT, data=DATA)
    with pytest.raises(ConflictError):
        services.report_create(actor=world.reporter_a, project=project, period=OCT, data=DATA)
    assert ProgressReport.objects.count() == 1


def test_on_behalf_create_and_save_are_recorded_under_the_office_user(world, project):
    report = services.report_create(
        actor=world.office, project=project, period=OCT, data=DATA, on_behalf_reason=" 填报员休假 "
    )
    report = services.report_save(
        actor=world.office,
        report=report,
        version=report.version,
        data={**DATA, "physical_progress": "封顶"},
        on_behalf_reason="电话核实",
    )
    events = list(report.events.order_by("created", "pk").values_list("type", "actor", "data"))
    assert [(t, a) for t, a, _d in events] == [
        ("created", world.office.pk),
        ("saved", world.office.pk),
        ("proxy_filled", world.office.pk),
        ("saved", world.office.pk),
        ("proxy_filled", world.office.pk),
    ]
    assert [d["reason"] for t, _a, d in events if t == "proxy_filled"] == ["填报员休假", "电话核实"]
    assert ProgressReport.objects.get().physical_progress == "封顶"


def test_on_behalf_needs_a_reason_and_the_office_s_permission(world, project):
    with pytest.raises(ApplicationError):
        services.report_create(actor=world.office, project=project, period=OCT, data=DATA, on_behalf_reason=" ")
    with pytest.raises(PermissionDenied):  # a reporter fills in as itself, never on behalf
        services.report_create(actor=world.reporter_a, project=project, period=OCT, data=DATA, on_behalf_reason="代填")
    with pytest.raises(PermissionDenied):  # without on_behalf the office lacks the fill permissions
        services.report_create(actor=world.office, project=project, period=OCT, data=DATA)
    assert not ProgressReport.objects.exists()
    report = fill(world, project)
    with pytest.raises(PermissionDenied):
        services.report_save(
            actor=world.reporter_a, report=report, version=report.version, data=DATA, on_behalf_reason="代填"
        )


def test_on_behalf_out_of_the_office_s_scope_is_refused(world, project):
    with pytest.raises(PermissionDenied):
        services.report_create(
            actor=world.foreign_office, project=project, period=OCT, data=DATA, on_behalf_reason="代填"
        )
    assert not ProgressReport.objects.exists()
    report = fill(world, project)
    with pytest.raises(PermissionDenied):
        services.report_save(
            actor=world.foreign_office, report=report, version=report.version, data=DATA, on_behalf_reason="代填"
        )
    assert ProgressReport.objects.get().events.filter(type="proxy_filled").count() == 0
