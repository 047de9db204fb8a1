"""Lead services: the allowed and refused transitions, review (通过/退回 with an opinion, the notification),
termination and restoration, the database invariants, optimistic locking, scope, and the conversion into a key
project (fields filled from the lead, both linked, a second conversion refused) and back (the project's start)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.models import ObjectChange
from tuijin.investment import services
from tuijin.investment.choices import LeadEventType, LeadStage, ReviewStatus
from tuijin.investment.models import Lead
from tuijin.notifications.models import Notification
from tuijin.projects.choices import Stage
from tuijin.projects.models import IndustryChain, Project

from .factories import CREDIT_CODE, STAGE_DATA, advance, make_lead


@pytest.fixture
def lead(world):
    return make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲街道光电模组项目")


def _events(lead):
    return list(lead.events.values_list("type", flat=True))


# --- create / update ------------------------------------------------------------------------------------------------


def test_create_is_negotiating_with_history_and_timeline(world, lead):
    assert lead.stage == LeadStage.NEGOTIATING and lead.review_status == ReviewStatus.NONE
    assert _events(lead) == [LeadEventType.CREATED]
    assert ObjectChange.objects.filter(changed_object_id=lead.pk, object_repr=lead.name).exists()


def test_create_outside_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        make_lead(actor=world.reporter_a, unit=world.unit_b)
    assert not Lead.objects.exists()


def test_create_checks_tags_and_inactive_chain(world):
    chain = IndustryChain.objects.create(name="停用链", is_active=False)
    with pytest.raises(ValidationError) as exc:
        make_lead(actor=world.office, unit=world.unit_a, investor_tags=["nonsense"], chain=chain)
    assert "investor_tags" in exc.value.message_dict and "chain" in exc.value.message_dict
    lead = make_lead(actor=world.office, unit=world.unit_a, investor_tags=["listed", "global500", "listed"])
    assert lead.investor_tags == ["global500", "listed"]


def test_update_is_locked_and_logged(world, lead):
    services.lead_update(actor=world.reporter_a, lead=lead, version=lead.version, data={"tracking_person": "张三"})
    stale = Lead.objects.get(pk=lead.pk)
    with pytest.raises(ConflictError):
        services.lead_update(actor=world.reporter_a, lead=stale, version=1, data={"tracking_person": "李四"})
    assert Lead.objects.get(pk=lead.pk).tracking_person == "张三"
    assert LeadEventType.UPDATED in _events(lead)


def test_update_cannot_move_the_lead_out_of_scope(world, lead):
    with pytest.raises(PermissionDenied):
        services.lead_update(
            actor=world.reporter_a, lead=lead, version=lead.version, data={"tracking_unit": world.unit_b}
        )
    assert Lead.objects.get(pk=lead.pk).tracking_unit == world.unit_a


# --- stages -----------------------------------------------------------------------------------------------------------


def test_forward_one_step_needs_the_stage_data(world, lead):
    with pytest.raises(ValidationError) as exc:
        services.lead_submit_stage(actor=world.reporter_a, lead=lead, version=lead.version, to_stage="signed", data={})
    assert set(exc.value.message_dict) == {"signed_date", "contract_kind", "signed_total"}
    assert "进入“签约”阶段须填写签约时间。" in exc.value.message_dict["signed_date"]
    lead.refresh_from_db()
    assert lead.stage == LeadStage.NEGOTIATING


def test_forward_several_steps_at_once_with_every_stage_data(world, lead):
    data = {
        k: STAGE_DATA[k] for k in ("signed_date", "contract_kind", "signed_total", "registered_name", "registered_date")
    }
    with pytest.raises(ValidationError) as exc:
        services.lead_submit_stage(
            actor=world.reporter_a, lead=lead, version=lead.version, to_stage="started", data=data
        )
    assert list(exc.value.message_dict) == ["start_date"]
    lead = services.lead_submit_stage(
        actor=world.reporter_a,
        lead=lead,
        version=lead.version,
        to_stage="started",
        data={**data, "start_date": date(2025, 6, 1)},
    )
    assert lead.stage == LeadStage.STARTED and lead.review_status == ReviewStatus.PENDING
    event = lead.events.get(type=LeadEventType.SUBMITTED)
    assert event.data == {"from": "negotiating", "to": "started"}


def test_no_next_stage_while_pending_or_returned(world, lead):
    lead = advance(lead, "signed", actor=world.reporter_a)
    with pytest.raises(ApplicationError, match="审核中"):
        services.lead_submit_stage(
            actor=world.reporter_a, lead=lead, version=lead.version, to_stage="registered", data=dict(STAGE_DATA)
        )
    lead = services.lead_review(actor=world.office, lead=lead, version=lead.version, approve=False, opinion="金额有误")
    with pytest.raises(ApplicationError, match="退回"):
        services.lead_submit_stage(
            actor=world.reporter_a, lead=lead, version=lead.version, to_stage="registered", data=dict(STAGE_DATA)
        )
    # the returned stage is submitted again, corrected
    lead = services.lead_submit_stage(
        actor=world.reporter_a,
        lead=lead,
        version=lead.version,
        to_stage="signed",
        data={"signed_total": Decimal("60000")},
    )
    assert lead.review_status == ReviewStatus.PENDING and lead.signed_total == Decimal("60000")
    assert lead.events.filter(type=LeadEventType.RESUBMITTED).exists()


def test_resubmission_corrects_every_stage_the_returned_submission_covered(world, lead):
    data = {
        k: STAGE_DATA[k] for k in ("signed_date", "contract_kind", "signed_total", "registered_name", "registered_date")
    }
    lead = services.lead_submit_stage(
        actor=world.reporter_a, lead=lead, version=lead.version, to_stage="registered", data=data
    )
    assert services.open_stages(lead) == set()  # 审核中: nothing to submit
    lead = services.lead_review(
        actor=world.office, lead=lead, version=lead.version, approve=False, opinion="签约金额有误"
    )
    assert services.open_stages(lead) == {"signed", "registered"}
    lead = services.lead_submit_stage(
        actor=world.reporter_a,
        lead=lead,
        version=lead.version,
        to_stage="registered",
        data={"signed_total": Decimal("70000"), "start_date": STAGE_DATA["start_date"]},
    )
    assert lead.signed_total == Decimal("70000") and lead.start_date is None  # 开工 was not part of it


def test_stage_never_moves_back(world, lead):
    lead = advance(lead, "signed", actor=world.reporter_a, reviewer=world.office)
    for target in ("negotiating", "signed", "terminated", "nonsense"):
        with pytest.raises((ApplicationError, ValidationError)):
            services.lead_submit_stage(
                actor=world.reporter_a, lead=lead, version=lead.version, to_stage=target, data={}
            )
    assert Lead.objects.get(pk=lead.pk).stage == LeadStage.SIGNED


def test_dates_in_order_and_not_in_the_future(world, lead):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {**STAGE_DATA, "start_date": date(2025, 9, 2), "production_date": date(2025, 9, 1)}
    with pytest.raises(ValidationError) as exc:
        services.lead_submit_stage(
            actor=world.reporter_a, lead=lead, version=lead.version, to_stage="producing", data=data
        )
    assert "投产时间不能早于开工时间。" in exc.value.message_dict["production_date"]
    with pytest.raises(ValidationError) as exc:
        services.lead_submit_stage(
            actor=world.reporter_a,
            lead=lead,
            version=lead.version,
            to_stage="signed",
            data={**STAGE_DATA, "signed_date": tomorrow},
        )
    assert "签约时间不能晚于今天。" in exc.value.message_dict["signed_date"]


def test_credit_code_is_validated(world, lead):
    data = {**STAGE_DATA, "credit_code": "91410702MA00000XXX"}
    with pytest.raises(ValidationError) as exc:
        services.lead_submit_stage(
            actor=world.reporter_a, lead=lead, version=lead.version, to_stage="registered", data=data
        )
    assert "credit_code" in exc.value.message_dict


def test_phase1_within_total(world, lead):
    data = {**STAGE_DATA, "phase1_investment": Decimal("90000")}
    with pytest.raises(ValidationError) as exc:
        services.lead_submit_stage(
            actor=world.reporter_a, lead=lead, version=lead.version, to_stage="signed", data=data
        )
    assert "一期投资额不能大于合同（协议）投资总额" in exc.value.messages


# --- review ---------------------------------------------------------------------------------------------------------


def test_approve_and_return(world, lead):
    lead = advance(lead, "signed", actor=world.reporter_a)
    with pytest.raises(PermissionDenied):
        services.lead_review(actor=world.reporter_a, lead=lead, version=lead.version, approve=True)
    with pytest.raises(ValidationError) as exc:
        services.lead_review(actor=world.office, lead=lead, version=lead.version, approve=False, opinion="  ")
    assert "opinion" in exc.value.message_dict
    lead = services.lead_review(
        actor=world.office, lead=lead, version=lead.version, approve=False, opinion="请补合同扫描件"
    )
    assert lead.review_status == ReviewStatus.RETURNED and lead.review_opinion == "请补合同扫描件"
    # the tracking unit's people (and whoever submitted) are told; the office is not
    told = set(Notification.objects.filter(kind="lead_returned").values_list("user__username", flat=True))
    assert {"reporter_a", "approver_a"} <= told and "office" not in told and "reporter_b" not in told
    with pytest.raises(ApplicationError):
        services.lead_review(actor=world.office, lead=lead, version=lead.version, approve=True)
    lead = advance(lead, "signed", actor=world.reporter_a, reviewer=world.office)
    assert lead.review_status == ReviewStatus.APPROVED
    # the approval, then the first signing it brings (签约甄别: counted once, from the approved 签约 data)
    assert _events(lead)[-2:] == [LeadEventType.APPROVED, LeadEventType.SIGNING]
    assert lead.signings.get().kind == "first" and lead.signings.get().total == lead.signed_total


def test_two_reviewers_at_once_exactly_one_wins(world, lead):
    lead = advance(lead, "signed", actor=world.reporter_a)
    first, second = Lead.objects.get(pk=lead.pk), Lead.objects.get(pk=lead.pk)
    services.lead_review(actor=world.office, lead=first, version=lead.version, approve=True)
    with pytest.raises(ConflictError):
        services.lead_review(actor=world.office, lead=second, version=lead.version, approve=False, opinion="退回")
    assert Lead.objects.get(pk=lead.pk).review_status == ReviewStatus.APPROVED


def test_reviewer_of_another_district_cannot_review(world, lead):
    lead = advance(lead, "signed", actor=world.reporter_a)
    with pytest.raises(PermissionDenied):
        services.lead_review(actor=world.foreign_office, lead=lead, version=lead.version, approve=True)


# --- terminate / restore --------------------------------------------------------------------------------------------


def test_terminate_needs_a_reason_and_restore_returns_to_the_stage(world, lead):
    lead = advance(lead, "signed", actor=world.reporter_a, reviewer=world.office)
    with pytest.raises(ValidationError):
        services.lead_terminate(actor=world.reporter_a, lead=lead, version=lead.version, reason=" ")
    lead = services.lead_terminate(actor=world.reporter_a, lead=lead, version=lead.version, reason="投资方战略调整")
    assert lead.stage == LeadStage.TERMINATED and lead.terminated_from == LeadStage.SIGNED
    with pytest.raises(ApplicationError):
        services.lead_submit_stage(
            actor=world.reporter_a, lead=lead, version=lead.version, to_stage="registered", data={}
        )
    with pytest.raises(ApplicationError):
        services.lead_terminate(actor=world.reporter_a, lead=lead, version=lead.version, reason="再次")
    lead = services.lead_restore(actor=world.reporter_a, lead=lead, version=lead.version)
    assert lead.stage == LeadStage.SIGNED and lead.review_status == ReviewStatus.APPROVED
    assert lead.termination_reason == "" and lead.terminated_from == ""
    with pytest.raises(ApplicationError):
        services.lead_restore(actor=world.reporter_a, lead=lead, version=lead.version)


def test_reached_cannot_be_terminated(world, lead):
    lead = advance(lead, "reached", actor=world.reporter_a, reviewer=world.office)
    with pytest.raises(ApplicationError):
        services.lead_terminate(actor=world.reporter_a, lead=lead, version=lead.version, reason="x")


@pytest.mark.parametrize(
    "fields",
    [
        {"stage": "terminated", "terminated_from": "signed", "termination_reason": ""},
        {"stage": "signed", "signed_date": None},
        {"stage": "registered", "signed_date": date(2025, 1, 1), "registered_name": ""},
        {"review_status": "returned", "review_opinion": ""},
        {"planned_investment": Decimal("-1")},
        {"signed_total": Decimal("10"), "phase1_investment": Decimal("20")},
    ],
)
def test_database_refuses_broken_invariants(world, lead, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(**fields)


# --- conversion -----------------------------------------------------------------------------------------------------


def test_convert_fills_the_project_and_links_both(world, lead):
    chain = IndustryChain.objects.create(name="光电信息")
    services.lead_update(
        actor=world.reporter_a, lead=lead, version=lead.version, data={"chain": chain, "content": "建设光电模组产线"}
    )
    lead = advance(lead, "registered", actor=world.reporter_a, reviewer=world.office)
    with pytest.raises(PermissionDenied):
        services.lead_to_project(actor=world.reporter_a, lead=lead, version=lead.version)
    project = services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    assert project.name == "甲街道光电模组项目"
    assert project.owner_name == STAGE_DATA["registered_name"] and project.owner_credit_code == CREDIT_CODE
    assert project.total_investment == Decimal("50000") and not project.total_investment_approx
    assert project.chain == chain and project.responsible_unit == world.unit_a
    assert project.scale_content == "建设光电模组产线" and project.stage == Stage.PREPARATION
    lead.refresh_from_db()
    assert lead.project == project and project.lead == lead
    assert _events(lead)[-1] == LeadEventType.CONVERTED
    with pytest.raises(ApplicationError) as exc:
        services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    assert exc.value.code == "already_converted"
    assert Project.objects.count() == 1


def test_convert_owner_is_the_investor_before_registration(world, lead):
    lead = advance(lead, "signed", actor=world.reporter_a, reviewer=world.office)
    project = services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    assert project.owner_name == lead.investor


def test_convert_refused_before_signing_or_while_pending(world, lead):
    with pytest.raises(ApplicationError, match="签约后"):
        services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    lead = advance(lead, "signed", actor=world.reporter_a)
    with pytest.raises(ApplicationError, match="审核中"):
        services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    assert not Project.objects.exists()


def test_convert_on_a_stale_version_creates_nothing(world, lead):
    lead = advance(lead, "signed", actor=world.reporter_a, reviewer=world.office)
    with pytest.raises(ConflictError):
        services.lead_to_project(actor=world.office, lead=lead, version=lead.version - 1)
    assert not Project.objects.exists() and Lead.objects.get(pk=lead.pk).project is None


def test_started_lead_converts_into_a_project_under_construction(world, lead):
    lead = advance(lead, "started", actor=world.reporter_a, reviewer=world.office)
    project = services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    assert project.stage == Stage.CONSTRUCTION and project.actual_start == STAGE_DATA["start_date"]


def test_project_start_moves_the_registered_lead_to_started(world, lead):
    from tuijin.projects import services as project_services

    lead = advance(lead, "registered", actor=world.reporter_a, reviewer=world.office)
    project = services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    project.refresh_from_db()
    project_services.project_transition(
        actor=world.office,
        project=project,
        version=project.version,
        to_stage=Stage.CONSTRUCTION,
        reason="",
        actual_start=date(2025, 7, 1),
        actual_finish=None,
    )
    lead.refresh_from_db()
    assert lead.stage == LeadStage.STARTED and lead.start_date == date(2025, 7, 1)
    assert lead.review_status == ReviewStatus.APPROVED
    event = lead.events.get(type=LeadEventType.SYNCED)
    assert event.actor is None and event.data["to"] == "started"


def test_project_finish_moves_the_started_lead_to_producing(world, lead):
    """竣工投产: the project's 实际竣工 is the lead's 投产 date; nobody types it twice."""
    from tuijin.projects import services as project_services

    lead = advance(lead, "started", actor=world.reporter_a, reviewer=world.office)
    project = services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    project.refresh_from_db()
    project_services.project_transition(
        actor=world.office,
        project=project,
        version=project.version,
        to_stage=Stage.COMPLETED,
        reason="",
        actual_start=project.actual_start,
        actual_finish=date(2025, 12, 20),
    )
    lead.refresh_from_db()
    assert lead.stage == LeadStage.PRODUCING and lead.production_date == date(2025, 12, 20)
    event = lead.events.filter(type=LeadEventType.SYNCED).latest("created")
    assert event.data["to"] == "producing" and event.data["production_date"] == "2025-12-20"


def test_project_page_context_names_the_source_lead(world, lead):
    from tuijin.investment.project_page import project_page_context

    lead = advance(lead, "signed", actor=world.reporter_a, reviewer=world.office)
    project = services.lead_to_project(actor=world.office, lead=lead, version=lead.version)
    assert project_page_context(world.reporter_a, project, 2026) == {"source_lead": lead}
    assert project_page_context(world.reporter_b, project, 2026) == {"source_lead": None}
    assert project_page_context(world.ent_user_a, project, 2026) == {"source_lead": None}
