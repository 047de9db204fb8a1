"""`generate_synthetic`: a tiny dataset (40 projects × 3 months of a past year, so independent of today)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Sum

from tuijin.core.synthetic import OFFICE_USERNAME, generate_synthetic, synthetic_exists
from tuijin.org.models import Membership, OrgUnit, Region
from tuijin.progress.choices import ReportStatus
from tuijin.progress.models import ProgressReport, WarningLight
from tuijin.projects.models import AnnualPlan, ApprovalItem, ApprovalItemType, FundingSource, Project
from tuijin.users.models import User

ARGS = {"projects": 40, "months": 3, "seed": 7, "year": 2025}


class _Rollback(Exception):
    pass


def _totals() -> dict:
    return {
        "projects": Project.objects.count(),
        "total": Project.objects.aggregate(s=Sum("total_investment"))["s"],
        "stages": dict(Project.objects.values_list("stage").annotate(n=Count("pk")).order_by("stage")),
        "reports": dict(ProgressReport.objects.values_list("status").annotate(n=Count("pk")).order_by("status")),
        "invested": ProgressReport.objects.aggregate(s=Sum("month_investment"))["s"],
        "plans": AnnualPlan.objects.aggregate(s=Sum("planned_investment"))["s"],
        "items": dict(ApprovalItem.objects.values_list("status").annotate(n=Count("pk")).order_by("status")),
        "lights": dict(WarningLight.objects.values_list("color").annotate(n=Count("pk")).order_by("color")),
        "units": sorted(OrgUnit.objects.values_list("name", flat=True)),
    }


@pytest.fixture
def password(settings):
    settings.TUIJIN_DEMO_PASSWORD = "Synthetic-Pass-2025!"
    return settings.TUIJIN_DEMO_PASSWORD


def test_dataset_is_complete_and_consistent(db, password):
    result = generate_synthetic(**ARGS)
    assert result.latest == date(2025, 12, 1)
    assert [m.month for m in result.months] == [10, 11, 12]
    assert Project.objects.count() == 40 == result.counts["projects"]
    assert ApprovalItem.objects.count() == 40 * ApprovalItemType.objects.filter(is_active=True).count()
    assert Region.objects.filter(code="99").exists() and Region.objects.filter(level="town").exists()
    # Every workflow state appears; the latest month is mixed, older months are mostly office-approved.
    statuses = set(ProgressReport.objects.values_list("status", flat=True))
    assert statuses == set(ReportStatus.values)
    older = ProgressReport.objects.filter(period__month=10)
    assert older.filter(status=ReportStatus.OFFICE_APPROVED).count() >= 0.8 * older.count()
    # The breakdown sums exactly (the check constraint allows half a cent; the data has none).
    for report in ProgressReport.objects.all():
        assert report.month_investment == report.construction_install + report.equipment + report.other_cost
        assert report.month_investment >= 0 or report.negative_reason
    # Monthly curves sum exactly to the plan; approved plans carry the baseline.
    plans = list(AnnualPlan.objects.all())
    assert plans and any(p.monthly_plan for p in plans)
    for plan in plans:
        if plan.monthly_plan:
            assert len(plan.monthly_plan) == 12
            assert sum(Decimal(v) for v in plan.monthly_plan) == plan.planned_investment
        if plan.status == "approved":
            assert plan.baseline_investment == plan.planned_investment
            assert plan.baseline_monthly_plan == plan.monthly_plan
    # Funding rows add up to the total investment.
    for project in Project.objects.all():
        funded = FundingSource.objects.filter(project=project).aggregate(s=Sum("amount"))["s"]
        assert funded == project.total_investment
    # Lights were evaluated for the latest month only.
    assert set(WarningLight.objects.values_list("period", flat=True)) == {result.latest}
    # Accounts: the office sees every project; one account per unit; the shared password works.
    office = User.objects.get(username=OFFICE_USERNAME)
    assert not office.must_change_password and office.check_password(password)
    assert Project.objects.restrict(office, "view").count() == 40
    reporter = Membership.objects.filter(role="unit_reporter").select_related("user").first()
    assert reporter is not None and reporter.user.username.startswith("syn_u")
    assert Project.objects.restrict(reporter.user, "view").count() < 40


def test_same_seed_same_data(db, password):
    with pytest.raises(_Rollback), transaction.atomic():
        generate_synthetic(**ARGS)
        first = _totals()
        raise _Rollback
    assert not synthetic_exists()
    generate_synthetic(**ARGS)
    assert _totals() == first
    assert first["projects"] == 40 and first["lights"]


def test_second_run_refused(db, password):
    out = io.StringIO()
    call_command("generate_synthetic", "--projects", "5", "--months", "2", "--seed", "1", "--year", "2025", stdout=out)
    assert "合成数据已生成" in out.getvalue()
    with pytest.raises(CommandError, match="已存在合成数据"):
        call_command("generate_synthetic", "--projects", "5", "--months", "2", stdout=io.StringIO())
    assert Project.objects.count() == 5


def test_random_password_must_be_changed(db, settings):
    settings.TUIJIN_DEMO_PASSWORD = ""
    result = generate_synthetic(projects=3, months=1, seed=1, year=2025)
    office = User.objects.get(username=OFFICE_USERNAME)
    assert office.must_change_password and office.check_password(result.password)
    assert not result.password_shared


def test_invalid_arguments(db):
    with pytest.raises(CommandError, match="晚于当前填报年度"):
        call_command("generate_synthetic", "--year", "2999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="月数"):
        call_command("generate_synthetic", "--months", "0", stdout=io.StringIO())
    assert not synthetic_exists()
