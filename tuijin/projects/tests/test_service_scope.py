"""Plans, plan changes, approval items and attachments: each service checks the actor's scope (rolled back when it
fails, tested with real out-of-scope objects) and takes the optimistic lock (a stale version is a ConflictError)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.models import ObjectChange
from tuijin.org.choices import Role
from tuijin.projects import services
from tuijin.projects.choices import PlanStatus
from tuijin.projects.models import AnnualPlan, ApprovalItem, Attachment, PlanChange
from tuijin.utilities.testing.world import make_user

from .factories import make_project

D5 = Decimal("5")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def other_office(world):
    """A project office in the neighbouring district: every permission, none of this district's projects."""
    return make_user("office_other", role=Role.PROJECT_OFFICE, unit=world.foreign_unit)


@pytest.fixture
def approved(world):
    project = make_project(unit=world.unit_a)
    plan = services.annual_plan_save(actor=world.office, project=project, year=2026, planned_investment=Decimal("50"))
    return services.annual_plan_approve(actor=world.office, plan=plan)


class TestAnnualPlanScope:
    def test_out_of_scope_project_is_refused_and_nothing_is_saved(self, world):
        other = make_project(unit=world.unit_b)
        with pytest.raises(PermissionDenied):
            services.annual_plan_save(actor=world.reporter_a, project=other, year=2026, planned_investment=Decimal("1"))
        assert not AnnualPlan.objects.filter(project=other).exists()

    def test_approve_out_of_scope_is_refused(self, world, other_office):
        plan = services.annual_plan_save(
            actor=world.office, project=make_project(unit=world.unit_a), year=2026, planned_investment=Decimal("5")
        )
        with pytest.raises(PermissionDenied):
            services.annual_plan_approve(actor=other_office, plan=plan)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.DRAFT and plan.baseline_investment is None

    def test_change_request_and_decision_out_of_scope_are_refused(self, world, approved, other_office):
        with pytest.raises(PermissionDenied):
            services.plan_change_request(
                actor=world.reporter_b, plan=approved, new_investment=Decimal("9"), reason="越权"
            )
        assert not PlanChange.objects.exists()
        approved.refresh_from_db()
        change = services.plan_change_request(
            actor=world.reporter_a, plan=approved, new_investment=Decimal("9"), reason="征地延误"
        )
        with pytest.raises(PermissionDenied):
            services.plan_change_decide(actor=other_office, change=change, approve=True)
        change.refresh_from_db()
        assert change.status == "pending"


class TestAnnualPlanLocking:
    def test_stale_draft_edit_is_a_conflict(self, world):
        project = make_project(unit=world.unit_a)
        plan = services.annual_plan_save(actor=world.office, project=project, year=2026, planned_investment=D5)
        services.annual_plan_save(
            actor=world.reporter_a, project=project, year=2026, planned_investment=Decimal("6"), version=plan.version
        )
        with pytest.raises(ConflictError):
            services.annual_plan_save(
                actor=world.office, project=project, year=2026, planned_investment=Decimal("7"), version=plan.version
            )
        assert AnnualPlan.objects.get(pk=plan.pk).planned_investment == Decimal("6")

    def test_approving_a_plan_changed_meanwhile_is_a_conflict(self, world):
        project = make_project(unit=world.unit_a)
        plan = services.annual_plan_save(actor=world.office, project=project, year=2026, planned_investment=D5)
        seen = plan.version
        services.annual_plan_save(actor=world.reporter_a, project=project, year=2026, planned_investment=Decimal("8"))
        with pytest.raises(ConflictError):
            services.annual_plan_approve(actor=world.office, plan=AnnualPlan.objects.get(pk=plan.pk), version=seen)
        assert AnnualPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT

    def test_approval_is_in_the_history_with_the_version_step(self, world, approved):
        change = ObjectChange.objects.filter(changed_object_id=approved.pk, postchange_data__status="approved").get()
        assert change.prechange_data["status"] == "draft"
        assert change.postchange_data["version"] == change.prechange_data["version"] + 1

    def test_a_change_is_decided_once_even_by_two_deciders_at_once(self, world, approved):
        change = services.plan_change_request(
            actor=world.reporter_a, plan=approved, new_investment=Decimal("80"), reason="加快建设"
        )
        # both deciders read the pending change; the first one saves
        first, second = PlanChange.objects.get(pk=change.pk), PlanChange.objects.get(pk=change.pk)
        services.plan_change_decide(actor=world.office, change=first, approve=True)
        with pytest.raises(ConflictError):
            services.plan_change_decide(actor=world.office, change=second, approve=False)
        change.refresh_from_db()
        assert change.status == "approved"
        plan = AnnualPlan.objects.get(pk=approved.pk)
        assert plan.status == PlanStatus.APPROVED and plan.planned_investment == Decimal("80")

    def test_a_stale_change_request_is_a_conflict(self, world, approved):
        seen = approved.version
        services.plan_change_request(
            actor=world.reporter_a, plan=AnnualPlan.objects.get(pk=approved.pk), new_investment=Decimal("1"), reason="a"
        )
        plan = AnnualPlan.objects.get(pk=approved.pk)
        plan.status = PlanStatus.APPROVED  # as the second requester read it
        with pytest.raises(ConflictError):
            services.plan_change_request(
                actor=world.reporter_a, plan=plan, new_investment=Decimal("2"), reason="b", version=seen
            )
        assert PlanChange.objects.count() == 1

    def test_self_approval_is_refused(self, world, approved):
        change = services.plan_change_request(actor=world.office, plan=approved, new_investment=D5, reason="x")
        with pytest.raises(ApplicationError) as exc:
            services.plan_change_decide(actor=world.office, change=change, approve=True)
        assert exc.value.code == "self_approval"


class TestApprovalItems:
    def test_out_of_scope_item_is_refused(self, world):
        item = make_project(unit=world.unit_b).approval_items.first()
        with pytest.raises(PermissionDenied):
            services.approval_item_update(actor=world.reporter_a, item=item, status="in_progress")
        assert ApprovalItem.objects.get(pk=item.pk).status != "in_progress"

    def test_stale_item_is_a_conflict(self, world):
        item = make_project(unit=world.unit_a).approval_items.first()
        seen = item.version
        services.approval_item_update(actor=world.office, item=item, status="in_progress", note="先到")
        with pytest.raises(ConflictError):
            services.approval_item_update(
                actor=world.reporter_a, item=ApprovalItem.objects.get(pk=item.pk), status="pending", version=seen
            )
        assert ApprovalItem.objects.get(pk=item.pk).note == "先到"

    def test_the_page_shows_the_conflict_and_saves_nothing(self, client, world):
        item = make_project(unit=world.unit_a).approval_items.first()
        client.force_login(world.reporter_a)
        url = reverse("projects:approval_item_edit", args=[item.pk])
        assert 'name="version"' in client.get(url).content.decode()
        services.approval_item_update(actor=world.office, item=item, status="in_progress", note="先到")
        response = client.post(url, {"status": "pending", "note": "后到", "version": 1})
        assert response.status_code == 200 and "已被他人修改" in response.content.decode()
        assert ApprovalItem.objects.get(pk=item.pk).note == "先到"


def test_attachment_out_of_scope_is_refused_and_nothing_is_saved(world):
    other = make_project(unit=world.unit_b)
    with pytest.raises(PermissionDenied):
        services.attachment_create(
            actor=world.reporter_a, project=other, uploaded=SimpleUploadedFile("a.pdf", PDF), kind="other"
        )
    assert not Attachment.objects.exists()
    mine = make_project(unit=world.unit_a)
    services.attachment_create(
        actor=world.reporter_a, project=mine, uploaded=SimpleUploadedFile("a.pdf", PDF), kind="other"
    )
    assert Attachment.objects.filter(project=mine).count() == 1


def test_constraint_errors_are_keyed_by_the_constraint_not_the_message(world):
    from django.core.exceptions import ValidationError

    project = make_project(unit=world.unit_a)
    data = services.ProjectInput(fields={"actual_start": date(2024, 5, 1), "actual_finish": date(2024, 4, 1)})
    with pytest.raises(ValidationError) as exc:
        services.project_update(actor=world.office, project=project, version=project.version, data=data)
    assert set(exc.value.message_dict) == {"actual_finish"}
