"""Project services: validation, lifecycle, yearly category, plans and baselines, approvals and 拿地即开工."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.models import ObjectChange
from tuijin.projects import services
from tuijin.projects.choices import Stage, YearlyCategory
from tuijin.projects.models import ApprovalItem, ApprovalItemType, Project, ProjectEvent
from tuijin.projects.validators import parse_project_code
from tuijin.projects.yearly import yearly_category
from tuijin.utilities.codes import credit_code_check_char

from .factories import make_project


def valid_credit(seed: str = "91410702MA4ABCDE1") -> str:
    return seed + credit_code_check_char(seed)


class TestProjectCode:
    def test_current_format(self):
        code = parse_project_code("2403-410702-04-01-12345x", region_codes={"410702"})
        assert code.value == "2403-410702-04-01-12345X" and not code.is_legacy

    def test_legacy_format_is_accepted_and_flagged(self):
        assert parse_project_code("2017-410702-04-03-123456").is_legacy

    @pytest.mark.parametrize(
        "bad",
        [
            "2403-410702-04-01-1234",
            "2413-410702-04-01-12345X",
            "abc",
            "2403410702040112345X",
            "2403-41070-04-01-12345XX",
        ],
    )
    def test_bad_formats_are_rejected_in_chinese(self, bad):
        with pytest.raises(ValidationError) as exc:
            parse_project_code(bad)
        assert "项目代码" in exc.value.messages[0]

    def test_region_must_match(self):
        with pytest.raises(ValidationError) as exc:
            parse_project_code("2403-110101-04-01-12345X", region_codes={"410702", "410700", "410000"})
        assert "区划代码" in exc.value.messages[0]

    def test_full_width_hyphens_are_normalised(self):
        assert parse_project_code("2403－410702－04－01－12345X").value == "2403-410702-04-01-12345X"


def test_create_records_history_event_and_approval_items(world):
    project = make_project(
        unit=world.unit_a, actor=world.office, code="2403-410702-04-01-12345X", owner_credit_code=valid_credit()
    )
    assert project.code_is_legacy is False and project.version == 1
    assert ObjectChange.objects.filter(changed_object_id=project.pk, action="create").exists()
    assert ProjectEvent.objects.filter(project=project, type="created").count() == 1
    assert project.approval_items.count() == ApprovalItemType.objects.filter(is_active=True).count()


def test_duplicate_code_rejected(world):
    make_project(unit=world.unit_a, code="2403-410702-04-01-12345X")
    with pytest.raises(ValidationError) as exc:
        make_project(unit=world.unit_a, code="2403-410702-04-01-12345X")
    assert "项目代码已存在" in str(exc.value)


def test_bad_credit_code_rejected(world):
    with pytest.raises(ValidationError) as exc:
        make_project(unit=world.unit_a, owner_credit_code="91410702MA4ABCDE10")
    assert "统一社会信用代码" in str(exc.value.message_dict["owner_credit_code"])


def test_funding_must_sum_or_be_explained(world):
    data = services.ProjectInput(
        fields={
            "name": "资金测试",
            "owner_name": "某公司",
            "responsible_unit": world.unit_a,
            "total_investment": Decimal("1000.00"),
        },
        funding=[services.FundingRow("self", Decimal("600")), services.FundingRow("bank_loan", Decimal("300.01"))],
    )
    with pytest.raises(ValidationError) as exc:
        services.project_create(actor=None, data=data)
    assert "900.01" in str(exc.value.message_dict["funding_note"])
    data.fields["funding_note"] = "剩余资金待落实"
    assert services.project_create(actor=None, data=data).funding_sources.count() == 2


def test_negative_total_and_future_actual_start_rejected(world):
    with pytest.raises(ValidationError):
        make_project(unit=world.unit_a, total="-1")
    with pytest.raises(ValidationError) as exc:
        make_project(unit=world.unit_a, actual_start=timezone.localdate() + timedelta(days=3))
    assert "不能晚于今天" in str(exc.value)


def test_construction_stage_needs_actual_start(world):
    with pytest.raises(ValidationError) as exc:
        make_project(unit=world.unit_a, stage=Stage.CONSTRUCTION)
    assert "实际开工日期" in str(exc.value)


def test_optimistic_locking_detects_stale_edit(world):
    project = make_project(unit=world.unit_a, actor=world.office)
    first = Project.objects.get(pk=project.pk)
    second = Project.objects.get(pk=project.pk)
    services.project_update(
        actor=world.office, project=first, version=1, data=services.ProjectInput(fields={"address": "第一次修改"})
    )
    with pytest.raises(ConflictError) as exc:
        services.project_update(
            actor=world.reporter_a,
            project=second,
            version=1,
            data=services.ProjectInput(fields={"address": "第二次修改"}),
        )
    assert exc.value.current.version == 2 and exc.value.changes
    assert Project.objects.get(pk=project.pk).address == "第一次修改"


def test_reporter_cannot_move_project_out_of_own_scope(world):
    project = make_project(unit=world.unit_a, actor=world.office)
    with pytest.raises(PermissionDenied):
        services.project_update(
            actor=world.reporter_a,
            project=project,
            version=project.version,
            data=services.ProjectInput(fields={"responsible_unit": world.unit_b}),
        )


class TestLifecycle:
    def test_rules_and_timeline(self, world):
        project = make_project(unit=world.unit_a, actor=world.office)
        with pytest.raises(ApplicationError):
            services.project_transition(
                actor=world.office, project=project, version=project.version, to_stage=Stage.CONSTRUCTION
            )
        started = timezone.localdate() - timedelta(days=10)
        project = services.project_transition(
            actor=world.office,
            project=project,
            version=project.version,
            to_stage=Stage.CONSTRUCTION,
            actual_start=started,
        )
        project.refresh_from_db()
        assert project.stage == Stage.CONSTRUCTION and project.actual_start == started
        with pytest.raises(ApplicationError):
            services.project_transition(
                actor=world.office, project=project, version=project.version, to_stage=Stage.OPERATING
            )
        with pytest.raises(ApplicationError) as exc:
            services.project_transition(
                actor=world.office, project=project, version=project.version, to_stage=Stage.SUSPENDED
            )
        assert "原因" in exc.value.message
        services.project_transition(
            actor=world.office, project=project, version=project.version, to_stage=Stage.SUSPENDED, reason="资金未到位"
        )
        project.refresh_from_db()
        assert project.stage_reason == "资金未到位"
        events = list(ProjectEvent.objects.filter(project=project, type="stage_changed").values_list("data", flat=True))
        assert [e["to"] for e in events] == ["suspended", "construction"]


@pytest.mark.parametrize(
    ("stage", "start", "finish", "expected"),
    [
        (Stage.CONSTRUCTION, date(2026, 3, 1), None, YearlyCategory.NEW),
        (Stage.CONSTRUCTION, date(2025, 3, 1), date(2027, 6, 1), YearlyCategory.CONTINUING),
        (Stage.COMPLETED, date(2026, 1, 5), date(2026, 9, 1), YearlyCategory.NEW_COMPLETED),
        (Stage.COMPLETED, date(2024, 1, 5), date(2026, 9, 1), YearlyCategory.CONTINUING_COMPLETED),
        (Stage.COMPLETED, date(2023, 1, 5), date(2025, 9, 1), None),
        (Stage.PREPARATION, None, None, YearlyCategory.PREPARATION),
        (Stage.RESERVE, None, None, None),
    ],
)
def test_yearly_category_python_and_sql_agree(world, stage, start, finish, expected):
    fields = {}
    if start:
        fields["actual_start"] = start
    if finish:
        fields["actual_finish" if stage == Stage.COMPLETED else "planned_finish"] = finish
    project = make_project(unit=world.unit_a, stage=stage, **fields)
    assert yearly_category(project, 2026) == expected
    annotated = Project.objects.with_yearly_category(2026).get(pk=project.pk)
    assert annotated.yearly_category == expected


def test_planned_start_this_year_counts_as_new(world):
    project = make_project(unit=world.unit_a, planned_start=date(2026, 5, 1))
    assert yearly_category(project, 2026) == YearlyCategory.NEW
    assert yearly_category(project, 2025) == YearlyCategory.PREPARATION


class TestAnnualPlans:
    def test_monthly_curve_must_sum_exactly(self, world):
        project = make_project(unit=world.unit_a)
        with pytest.raises(ValidationError) as exc:
            services.annual_plan_save(
                actor=world.office,
                project=project,
                year=2026,
                planned_investment=Decimal("1200.00"),
                monthly_plan=["100"] * 11 + ["100.01"],
            )
        assert "1200.01" in str(exc.value)
        plan = services.annual_plan_save(
            actor=world.office,
            project=project,
            year=2026,
            planned_investment=Decimal("1200.00"),
            monthly_plan=["100"] * 12,
        )
        assert plan.monthly_plan == ["100"] * 12

    def test_baseline_kept_and_changes_need_reason_and_approval(self, world):
        project = make_project(unit=world.unit_a)
        plan = services.annual_plan_save(
            actor=world.office, project=project, year=2026, planned_investment=Decimal("5000")
        )
        services.annual_plan_approve(actor=world.office, plan=plan)
        with pytest.raises(ApplicationError):
            services.annual_plan_save(actor=world.office, project=project, year=2026, planned_investment=Decimal("1"))
        with pytest.raises(ApplicationError):
            services.plan_change_request(actor=world.reporter_a, plan=plan, new_investment=Decimal("3000"), reason=" ")
        change = services.plan_change_request(
            actor=world.reporter_a, plan=plan, new_investment=Decimal("3000"), reason="征地延误"
        )
        with pytest.raises(PermissionDenied):  # a unit reporter may not approve plans
            services.plan_change_decide(actor=world.reporter_a, change=change, approve=True)
        services.plan_change_decide(actor=world.office, change=change, approve=True, note="同意")
        plan.refresh_from_db()
        assert plan.planned_investment == Decimal("3000") and plan.baseline_investment == Decimal("5000")
        assert plan.ranking_investment == Decimal("5000")


class TestFastTrack:
    def test_working_days_land_to_permit_to_start(self, world):
        project = make_project(unit=world.unit_a, is_fast_track=True, land_deal_date=date(2024, 9, 27))
        permit = ApprovalItem.objects.get(project=project, item_type__code="construction_permit")
        services.approval_item_update(
            actor=world.office,
            item=permit,
            status="done",
            completed_date=date(2024, 10, 9),
            permit_no="410702202410090101",
        )
        project.refresh_from_db()
        # 2024-09-27 (Fri) → 2024-10-09 (Wed): 09-29 is a make-up workday, 10-01..07 National Day.
        from tuijin.workdays.services import workdays_between

        assert project.ndl_days_to_permit == workdays_between(date(2024, 9, 27), date(2024, 10, 9)) == 4
        services.project_transition(
            actor=world.office,
            project=project,
            version=project.version,
            to_stage=Stage.CONSTRUCTION,
            actual_start=date(2024, 10, 14),
        )
        project.refresh_from_db()
        assert project.ndl_days_to_start == 4  # 10-10, 10-11, 10-12 (make-up Saturday), 10-14

    def test_done_needs_completion_date(self, world):
        project = make_project(unit=world.unit_a)
        item = project.approval_items.first()
        with pytest.raises(ValidationError):
            services.approval_item_update(actor=world.office, item=item, status="done")


def test_relation_changes_are_in_the_history(world):
    project = make_project(unit=world.unit_a, actor=world.office)
    services.project_update(
        actor=world.office,
        project=project,
        version=project.version,
        data=services.ProjectInput(fields={}, sponsors=[world.leader_person]),
    )
    change = ObjectChange.objects.filter(changed_object_id=project.pk, postchange_data__sponsors__isnull=False).first()
    assert change is not None and change.postchange_data["sponsors"] == ["测试副区长"]
