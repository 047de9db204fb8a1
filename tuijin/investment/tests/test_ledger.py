"""The promise ledger's services: creating lines (side, category, responsible unit, signed leads only, scope), the
公平竞争审查 flags and their rule, the reason and the second reviewer, signing the agreement (refused while a flagged
line is not reviewed), status changes (the enterprise asked again), the enterprise's confirmation, and overdue
government promises becoming escalated 协调工单 (idempotent; resolved when the promise is kept)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from tuijin.core.attention import attention_for
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.investment import ledger
from tuijin.investment.choices import (
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
    Confirmation,
    LeadEventType,
)
from tuijin.investment.models import Commitment, FairCompetitionCategory, Lead, LeadEvent
from tuijin.notifications.models import Notification
from tuijin.tickets.choices import TicketSource, TicketStatus
from tuijin.tickets.models import Ticket, TicketEscalation
from tuijin.tickets.services import escalate_overdue

from .factories import advance, make_lead

TODAY = timezone.localdate()


@pytest.fixture
def lead(world):
    """A signed lead of unit A whose investor has the enterprise account A."""
    lead = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲街道光电模组招商项目")
    lead = advance(lead, "signed", actor=world.reporter_a, reviewer=world.office)
    Lead.objects.filter(pk=lead.pk).update(enterprise=world.enterprise_a)
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def lead_b(world):
    lead = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙街道智能装备招商项目")
    return advance(lead, "signed", actor=world.reporter_b, reviewer=world.office)


def gov(world, lead, **fields):
    data = {
        "side": CommitmentSide.GOVERNMENT,
        "category": "land",
        "content": "2025年6月底前交付净地80亩",
        "due_date": TODAY + timedelta(days=60),
        "responsible_unit": world.unit_b,
    }
    data.update(fields)
    return ledger.commitment_create(actor=world.reporter_a, lead=lead, **data)


def inv(world, lead, **fields):
    data = {
        "side": CommitmentSide.INVESTOR,
        "category": "jobs",
        "content": "达产后新增就业300人",
        "due_date": TODAY + timedelta(days=400),
        "target_value": Decimal("300"),
        "target_unit": "人",
    }
    data.update(fields)
    return ledger.commitment_create(actor=world.reporter_a, lead=lead, **data)


def fresh(c) -> Commitment:
    return Commitment.objects.get(pk=c.pk)


def sign(world, lead):
    return ledger.agreement_sign(actor=world.reporter_a, lead=Lead.objects.get(pk=lead.pk))


def flagged_line(world, lead):
    return gov(world, lead, category="subsidy", content="按企业地方留成税收给予全额奖励", amount=Decimal("500"))


# --- creating lines -------------------------------------------------------------------------------------------------


class TestCreate:
    def test_a_draft_line_with_its_event(self, world, lead):
        c = gov(world, lead, amount=Decimal("1200"))
        c = fresh(c)
        assert c.state == CommitmentState.DRAFT and c.status == CommitmentStatus.NOT_MET
        assert c.confirmation == Confirmation.PENDING and not c.fc_flagged
        event = LeadEvent.objects.filter(lead=lead, type=LeadEventType.COMMITMENT).last()
        assert event.data["action"] == "created" and event.data["commitment"] == c.pk

    def test_category_must_belong_to_the_side(self, world, lead):
        with pytest.raises(ValidationError) as exc:
            gov(world, lead, category="jobs")
        assert "category" in exc.value.message_dict
        assert "不属于政府承诺" in exc.value.message_dict["category"][0]
        with pytest.raises(ValidationError) as exc:
            inv(world, lead, category="land")
        assert "category" in exc.value.message_dict

    def test_government_line_needs_a_responsible_unit(self, world, lead):
        with pytest.raises(ValidationError) as exc:
            gov(world, lead, responsible_unit=None)
        assert exc.value.message_dict["responsible_unit"] == ["政府承诺须选择责任单位。"]
        assert inv(world, lead).responsible_unit is None  # an investor line does not need one

    def test_an_enterprise_is_not_a_responsible_unit(self, world, lead):
        with pytest.raises(ValidationError) as exc:
            gov(world, lead, responsible_unit=world.enterprise_b)
        assert "responsible_unit" in exc.value.message_dict

    def test_content_and_due_date_required(self, world, lead):
        with pytest.raises(ValidationError) as exc:
            gov(world, lead, content="  ", due_date=None)
        assert set(exc.value.message_dict) >= {"content", "due_date"}

    def test_lead_must_be_signed(self, world):
        talking = make_lead(actor=world.reporter_a, unit=world.unit_a)
        with pytest.raises(ApplicationError) as exc:
            gov(world, talking)
        assert exc.value.code == "not_signed"
        assert not Commitment.objects.exists()

    def test_terminated_lead_refused(self, world, lead):
        from tuijin.investment import services

        lead = services.lead_terminate(actor=world.reporter_a, lead=lead, version=lead.version, reason="投资方撤回")
        with pytest.raises(ApplicationError) as exc:
            gov(world, lead)
        assert exc.value.code == "terminated"

    def test_permission_and_scope(self, world, lead, lead_b):
        with pytest.raises(PermissionDenied):  # a leader reads, does not add
            ledger.commitment_create(
                actor=world.leader, lead=lead, side="investor", category="jobs", content="x", due_date=TODAY
            )
        with pytest.raises(PermissionDenied):  # another unit's lead
            gov(world, lead_b)
        assert not Commitment.objects.exists()


class TestUpdate:
    def test_draft_edited_with_lock(self, world, lead):
        c = gov(world, lead)
        c = ledger.commitment_update(actor=world.reporter_a, commitment=c, version=c.version, content="交付净地100亩")
        assert fresh(c).content == "交付净地100亩" and fresh(c).version == 2
        with pytest.raises(ConflictError):
            ledger.commitment_update(actor=world.reporter_a, commitment=fresh(c), version=1, content="旧版本")
        assert fresh(c).content == "交付净地100亩"

    def test_signed_line_not_edited(self, world, lead):
        c = gov(world, lead)
        sign(world, lead)
        with pytest.raises(ApplicationError) as exc:
            ledger.commitment_update(actor=world.reporter_a, commitment=fresh(c), version=fresh(c).version, content="y")
        assert exc.value.code == "signed"

    def test_other_unit_refused(self, world, lead):
        c = gov(world, lead)
        with pytest.raises(PermissionDenied):
            ledger.commitment_update(actor=world.reporter_b, commitment=c, version=c.version, content="y")
        assert fresh(c).content == c.content

    def test_text_change_drops_the_review(self, world, lead):
        c = flagged_line(world, lead)
        c = ledger.commitment_flag_justify(actor=world.reporter_a, commitment=c, version=c.version, reason="有依据")
        c = ledger.commitment_flag_review(actor=world.office, commitment=c, version=c.version, approve=True)
        assert fresh(c).fc_reviewer == world.office
        c = ledger.commitment_update(
            actor=world.reporter_a, commitment=fresh(c), version=fresh(c).version, content="按地方留成税收给予一半奖励"
        )
        c = fresh(c)
        assert c.fc_flagged and c.fc_reviewer is None and c.fc_reason == "有依据"

    def test_flag_removed_when_the_text_no_longer_matches(self, world, lead):
        c = flagged_line(world, lead)
        c = ledger.commitment_update(
            actor=world.reporter_a, commitment=c, version=c.version, category="service", content="代办施工许可手续"
        )
        c = fresh(c)
        assert not c.fc_flagged and c.fc_flags == []


# --- 公平竞争审查 ---------------------------------------------------------------------------------------------------


class TestFlags:
    def test_keyword_in_content_or_clause(self, db):
        assert "税收优惠" in ledger.fc_flags(category="subsidy", content="按地方留成部分给予奖励")
        assert "选择性财政奖补" in ledger.fc_flags(category="subsidy", content="按地方留成部分给予奖励")
        assert ledger.fc_flags(category="land", content="交付净地", clause="第五条 零地价供地") == ["要素获取优惠"]
        assert ledger.fc_flags(category="land", content="按期交付净地80亩") == []

    def test_government_lines_checked_against_every_category(self, db):
        # 限定本地采购 lists gov_other/factor, yet a government land line naming it is flagged
        assert "限定本地采购/歧视外地经营者" in ledger.fc_flags(category="land", content="优先使用本地企业施工")

    def test_investor_lines_only_against_listed_categories(self, db):
        assert ledger.fc_flags(category="jobs", content="就业人数达标后申请奖励") == []
        row = FairCompetitionCategory.objects.get(name="选择性财政奖补")
        row.commitment_categories = [*row.commitment_categories, "jobs"]
        row.save()
        assert ledger.fc_flags(category="jobs", content="就业人数达标后申请奖励") == ["选择性财政奖补"]

    def test_inactive_category_ignored_and_empty_list_applies_to_all(self, db):
        FairCompetitionCategory.objects.update(is_active=False)
        assert ledger.fc_flags(category="subsidy", content="给予奖励") == []
        FairCompetitionCategory.objects.create(name="全部适用", keywords="独家", commitment_categories=[])
        assert ledger.fc_flags(category="capex", content="独家经营") == ["全部适用"]

    def test_stored_on_the_line(self, world, lead):
        c = fresh(flagged_line(world, lead))
        assert c.fc_flagged and "税收优惠" in c.fc_flags


class TestJustifyAndReview:
    def test_reason_required(self, world, lead):
        c = flagged_line(world, lead)
        with pytest.raises(ValidationError) as exc:
            ledger.commitment_flag_justify(actor=world.reporter_a, commitment=c, version=c.version, reason=" ")
        assert "reason" in exc.value.message_dict

    def test_not_flagged_refused(self, world, lead):
        c = gov(world, lead)
        with pytest.raises(ApplicationError) as exc:
            ledger.commitment_flag_justify(actor=world.reporter_a, commitment=c, version=c.version, reason="x")
        assert exc.value.code == "not_flagged"

    def test_justify_then_second_review(self, world, lead):
        c = flagged_line(world, lead)
        c = ledger.commitment_flag_justify(
            actor=world.reporter_a,
            commitment=c,
            version=c.version,
            reason="区政府常务会议纪要",
            basis="红政〔2025〕3号",
        )
        c = fresh(c)
        assert c.fc_requested_by == world.reporter_a and c.fc_basis == "红政〔2025〕3号"
        assert Notification.objects.filter(user=world.office, title__contains="待复核").exists()
        c = ledger.commitment_flag_review(actor=world.office, commitment=c, version=c.version, approve=True)
        c = fresh(c)
        assert c.fc_reviewer == world.office and c.fc_reviewed_at is not None

    def test_reviewer_must_be_a_second_person(self, world, lead):
        c = flagged_line(world, lead)
        c = ledger.commitment_flag_justify(actor=world.office, commitment=c, version=c.version, reason="有依据")
        with pytest.raises(ApplicationError) as exc:
            ledger.commitment_flag_review(
                actor=world.office, commitment=fresh(c), version=fresh(c).version, approve=True
            )
        assert exc.value.code == "same_person"
        assert fresh(c).fc_reviewer is None

    def test_database_backs_the_second_reviewer(self, world, lead):
        c = flagged_line(world, lead)
        with pytest.raises(IntegrityError), transaction.atomic():
            Commitment.objects.filter(pk=c.pk).update(
                fc_reason="x", fc_requested_by=world.office, fc_reviewer=world.office
            )

    def test_review_needs_permission(self, world, lead):
        c = flagged_line(world, lead)
        c = ledger.commitment_flag_justify(actor=world.reporter_a, commitment=c, version=c.version, reason="有依据")
        with pytest.raises(PermissionDenied):
            ledger.commitment_flag_review(actor=world.approver_a, commitment=c, version=c.version, approve=True)

    def test_review_without_reason_refused(self, world, lead):
        c = flagged_line(world, lead)
        with pytest.raises(ApplicationError) as exc:
            ledger.commitment_flag_review(actor=world.office, commitment=c, version=c.version, approve=True)
        assert exc.value.code == "no_reason"

    def test_reject_clears_and_notifies(self, world, lead):
        c = flagged_line(world, lead)
        c = ledger.commitment_flag_justify(actor=world.reporter_a, commitment=c, version=c.version, reason="有依据")
        with pytest.raises(ValidationError):
            ledger.commitment_flag_review(
                actor=world.office, commitment=fresh(c), version=fresh(c).version, approve=False
            )
        ledger.commitment_flag_review(
            actor=world.office, commitment=fresh(c), version=fresh(c).version, approve=False, opinion="缺少文件依据"
        )
        c = fresh(c)
        assert c.fc_reason == "" and c.fc_requested_by is None and c.fc_reviewer is None
        note = Notification.objects.get(user=world.reporter_a, title__contains="复核未通过")
        assert "缺少文件依据" in note.body


class TestSign:
    def test_all_drafts_signed_together(self, world, lead):
        a, b = gov(world, lead), inv(world, lead)
        signed = sign(world, lead)
        assert {c.pk for c in signed} == {a.pk, b.pk}
        assert all(fresh(c).state == CommitmentState.SIGNED for c in (a, b))
        event = LeadEvent.objects.get(lead=lead, type=LeadEventType.AGREEMENT_SIGNED)
        assert event.data["government"] == 1 and event.data["investor"] == 1
        assert Notification.objects.filter(user=world.ent_user_a, title__contains="请确认承诺台账").exists()

    def test_refused_naming_the_unreviewed_line(self, world, lead):
        ok = gov(world, lead)
        bad = flagged_line(world, lead)
        with pytest.raises(ApplicationError) as exc:
            sign(world, lead)
        assert exc.value.code == "flag_unreviewed"
        assert bad.content[:30] in exc.value.message and ok.content not in exc.value.message
        assert fresh(ok).state == CommitmentState.DRAFT  # nothing signed
        c = ledger.commitment_flag_justify(actor=world.reporter_a, commitment=bad, version=bad.version, reason="依据")
        with pytest.raises(ApplicationError):  # a reason is not enough: the second review is missing
            sign(world, lead)
        ledger.commitment_flag_review(actor=world.office, commitment=fresh(c), version=fresh(c).version, approve=True)
        sign(world, lead)
        assert fresh(bad).state == CommitmentState.SIGNED and fresh(ok).state == CommitmentState.SIGNED

    def test_flags_computed_again_at_signing(self, world, lead):
        c = gov(world, lead, content="免收城市配套费")
        FairCompetitionCategory.objects.filter(name="减免行政事业性收费").update(is_active=False)
        c = ledger.commitment_update(actor=world.reporter_a, commitment=fresh(c), version=fresh(c).version, clause="")
        assert not fresh(c).fc_flagged
        FairCompetitionCategory.objects.filter(name="减免行政事业性收费").update(is_active=True)
        with pytest.raises(ApplicationError):
            sign(world, lead)
        assert fresh(c).fc_flagged  # stored, so it shows in the flags list

    def test_nothing_to_sign(self, world, lead):
        with pytest.raises(ApplicationError) as exc:
            sign(world, lead)
        assert exc.value.code == "no_drafts"

    def test_permission_and_scope(self, world, lead):
        gov(world, lead)
        with pytest.raises(PermissionDenied):
            ledger.agreement_sign(actor=world.leader, lead=lead)
        with pytest.raises(PermissionDenied):
            ledger.agreement_sign(actor=world.reporter_b, lead=lead)
        assert not Commitment.objects.filter(state=CommitmentState.SIGNED).exists()


# --- status and confirmation ----------------------------------------------------------------------------------------


@pytest.fixture
def signed(world, lead):
    g, i = gov(world, lead), inv(world, lead)
    sign(world, lead)
    return fresh(g), fresh(i)


class TestStatus:
    def test_only_signed_lines(self, world, lead):
        c = gov(world, lead)
        with pytest.raises(ApplicationError) as exc:
            ledger.commitment_set_status(actor=world.reporter_a, commitment=c, version=c.version, status="due")
        assert exc.value.code == "not_signed"

    def test_required_fields(self, world, signed):
        g, _i = signed
        with pytest.raises(ValidationError) as exc:
            ledger.commitment_set_status(actor=world.reporter_a, commitment=g, version=g.version, status="fulfilled")
        assert set(exc.value.message_dict) >= {"fulfilled_on", "evidence"}
        with pytest.raises(ValidationError) as exc:
            ledger.commitment_set_status(actor=world.reporter_a, commitment=g, version=g.version, status="partial")
        assert "status_note" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            ledger.commitment_set_status(
                actor=world.reporter_a,
                commitment=g,
                version=g.version,
                status="fulfilled",
                fulfilled_on=TODAY + timedelta(days=1),
                evidence="x",
            )
        assert "fulfilled_on" in exc.value.message_dict

    def test_change_resets_the_confirmation_and_tells_the_enterprise(self, world, signed):
        _g, i = signed
        i = ledger.commitment_confirm(actor=world.ent_user_a, commitment=i, version=i.version, agree=True)
        assert fresh(i).confirmation == Confirmation.CONFIRMED
        Notification.objects.all().delete()
        ledger.commitment_set_status(
            actor=world.reporter_a,
            commitment=fresh(i),
            version=fresh(i).version,
            status="partial",
            realised_value=Decimal("120"),
            status_note="一期已招工120人",
        )
        i = fresh(i)
        assert i.status == CommitmentStatus.PARTIAL and i.confirmation == Confirmation.PENDING
        assert i.confirmed_by is None and i.realised_value == Decimal("120")
        assert Notification.objects.filter(user=world.ent_user_a, title__contains="请确认").exists()

    def test_scope(self, world, signed):
        g, _i = signed
        with pytest.raises(PermissionDenied):
            ledger.commitment_set_status(actor=world.reporter_b, commitment=g, version=g.version, status="due")
        assert fresh(g).status == CommitmentStatus.NOT_MET


class TestConfirm:
    def test_dispute_needs_a_comment_and_notifies(self, world, signed):
        g, _i = signed
        with pytest.raises(ValidationError) as exc:
            ledger.commitment_confirm(actor=world.ent_user_a, commitment=g, version=g.version, agree=False)
        assert "comment" in exc.value.message_dict
        ledger.commitment_confirm(
            actor=world.ent_user_a, commitment=g, version=g.version, agree=False, comment="约定是70亩不是80亩"
        )
        g = fresh(g)
        assert g.confirmation == Confirmation.DISPUTED and g.confirmed_by == world.ent_user_a
        # the tracking unit (A) and the responsible unit (B) are told
        assert Notification.objects.filter(user=world.reporter_a, title__contains="有异议").exists()
        assert Notification.objects.filter(user=world.reporter_b, title__contains="有异议").exists()

    def test_only_its_own_enterprise(self, world, signed):
        g, _i = signed
        with pytest.raises(PermissionDenied):
            ledger.commitment_confirm(actor=world.ent_user_b, commitment=g, version=g.version, agree=True)
        with pytest.raises(PermissionDenied):  # a unit user may not confirm for the enterprise
            ledger.commitment_confirm(actor=world.reporter_a, commitment=g, version=g.version, agree=True)
        assert fresh(g).confirmation == Confirmation.PENDING

    def test_draft_not_confirmed(self, world, lead):
        c = gov(world, lead)
        with pytest.raises(ApplicationError):
            ledger.commitment_confirm(actor=world.ent_user_a, commitment=c, version=c.version, agree=True)


# --- overdue government promises → 协调工单 -------------------------------------------------------------------------


@pytest.fixture
def overdue(world, lead):
    c = gov(world, lead, content="2026年10月底前通水通电", category="utilities", due_date=TODAY - timedelta(days=30))
    late_investor = inv(world, lead, due_date=TODAY - timedelta(days=30))
    kept_in_time = gov(world, lead, content="代办环评手续", category="service", due_date=TODAY + timedelta(days=5))
    sign(world, lead)
    return fresh(c), fresh(late_investor), fresh(kept_in_time)


class TestOverdue:
    def test_ticket_raised_assigned_and_escalated(self, world, overdue):
        c, investor, future = overdue
        result = ledger.check_overdue(TODAY)
        assert result["raised"] == 1 and result["skipped"] == []
        c = fresh(c)
        ticket = Ticket.objects.get(pk=c.ticket_id)
        assert ticket.source == TicketSource.COMMITMENT and ticket.category == "policy"
        assert ticket.lead_unit == world.unit_b and ticket.enterprise == world.enterprise_a
        assert ticket.status == TicketStatus.ASSIGNED and ticket.resolution_due == c.due_date
        assert "甲街道光电模组招商项目" in ticket.title and "通水通电" in ticket.title
        assert fresh(investor).ticket is None and fresh(future).ticket is None
        # the tickets' own escalation applies from the promise's due date
        fired = escalate_overdue(TODAY)
        ticket.refresh_from_db()
        assert fired >= 1 and ticket.escalation_level >= 2
        assert TicketEscalation.objects.filter(ticket=ticket, level=1).exists()

    def test_idempotent(self, world, overdue):
        ledger.check_overdue(TODAY)
        again = ledger.check_overdue(TODAY)
        assert again["raised"] == 0
        assert Ticket.objects.filter(source=TicketSource.COMMITMENT).count() == 1

    def test_not_overdue_yet_no_ticket(self, world, overdue):
        c, _i, _f = overdue
        result = ledger.check_overdue(c.due_date)  # due today: not late yet
        assert result["raised"] == 0 and not Ticket.objects.exists()

    def test_kept_promise_resolves_the_ticket(self, world, overdue):
        c, _i, _f = overdue
        ledger.check_overdue(TODAY)
        c = fresh(c)
        ledger.commitment_set_status(
            actor=world.reporter_a,
            commitment=c,
            version=c.version,
            status="fulfilled",
            fulfilled_on=TODAY,
            evidence="供电局接电通知书",
        )
        ticket = Ticket.objects.get(pk=c.ticket_id)
        assert ticket.status == TicketStatus.RESOLVED and "供电局接电通知书" in ticket.result
        assert ledger.check_overdue(TODAY)["raised"] == 0  # kept: no new ticket

    def test_unable_ends_the_ticket(self, world, overdue):
        c, _i, _f = overdue
        ledger.check_overdue(TODAY)
        c = fresh(c)
        ledger.commitment_set_status(
            actor=world.reporter_a,
            commitment=c,
            version=c.version,
            status="unable",
            status_note="电网规划调整，已与企业沟通改用临时电源",
        )
        ticket = Ticket.objects.get(pk=c.ticket_id)
        assert ticket.status == TicketStatus.UNRESOLVABLE and "电网规划调整" in ticket.unresolvable_reason

    def test_no_project_and_no_enterprise_skipped(self, world, overdue):
        c, _i, _f = overdue
        Lead.objects.filter(pk=c.lead_id).update(enterprise=None)
        result = ledger.check_overdue(TODAY)
        assert result["skipped"] == [c.pk] and not Ticket.objects.exists()

    def test_command_and_task(self, world, overdue):
        from io import StringIO

        out = StringIO()
        call_command("check_commitments", "--today", TODAY.isoformat(), stdout=out)
        assert "1" in out.getvalue() and Ticket.objects.count() == 1
        from tuijin.investment.tasks_ledger import check_commitments_task

        result = check_commitments_task.enqueue(TODAY.isoformat())
        assert result.return_value["raised"] == 0


# --- to-dos and selectors -------------------------------------------------------------------------------------------


class TestAttention:
    def titles(self, user):
        return {item.title: item for item in attention_for(user)}

    def test_enterprise_pending_confirmation(self, world, signed):
        items = self.titles(world.ent_user_a)
        assert items["待确认的承诺"].count == 2 and "confirmation=pending" in items["待确认的承诺"].url
        assert "待确认的承诺" not in self.titles(world.ent_user_b)

    def test_reviewer_and_tracking_unit(self, world, lead):
        c = flagged_line(world, lead)
        assert self.titles(world.reporter_a)["待说明理由的公平竞争审查提示"].count == 1
        ledger.commitment_flag_justify(actor=world.reporter_a, commitment=c, version=c.version, reason="依据")
        assert self.titles(world.office)["待复核的公平竞争审查提示"].count == 1
        assert "待说明理由的公平竞争审查提示" not in self.titles(world.reporter_a)

    def test_responsible_unit_overdue_and_disputes(self, world, overdue):
        c, _i, _f = overdue
        item = self.titles(world.reporter_b)["超期未兑现的政府承诺"]
        assert item.count == 1 and "mine=responsible" in item.url
        assert "超期未兑现的政府承诺" not in self.titles(world.reporter_a)
        ledger.commitment_confirm(
            actor=world.ent_user_a, commitment=c, version=c.version, agree=False, comment="未通电"
        )
        assert self.titles(world.reporter_a)["企业有异议的承诺"].count == 1

    def test_visible_commitments(self, world, overdue, lead_b):
        c, i, f = overdue
        # B is the responsible unit of the two government lines: it reads them, not the investor's
        assert set(ledger.visible_commitments(world.reporter_b)) == {c, f}
        assert set(ledger.visible_commitments(world.ent_user_a)) == {c, i, f}
        assert list(ledger.visible_commitments(world.ent_user_b)) == []

    def test_counts(self, world, overdue):
        counts = ledger.ledger_counts(Commitment.objects.all(), TODAY)
        assert counts["total"] == 3 and counts["overdue"] == 2 and counts["overdue_government"] == 1
        assert counts["confirmation_pending"] == 3 and counts["status_not_met"] == 3


def test_category_save_rules(world):
    with pytest.raises(PermissionDenied):
        ledger.fc_category_save(actor=world.reporter_a, category=None, data={"name": "x", "keywords": "y"})
    with pytest.raises(ValidationError) as exc:
        ledger.fc_category_save(actor=world.office, category=None, data={"name": "税收优惠", "keywords": ""})
    assert set(exc.value.message_dict) == {"name", "keywords"}
    row = ledger.fc_category_save(
        actor=world.office,
        category=None,
        data={"name": "指定交易", "keywords": "指定 \n\n独家，唯一", "commitment_categories": ["gov_other", "land"]},
    )
    assert row.keyword_list == ["指定", "独家", "唯一"] and row.commitment_categories == ["land", "gov_other"]
    row = ledger.fc_category_save(actor=world.office, category=row, version=row.version, data={"is_active": False})
    assert not FairCompetitionCategory.objects.get(pk=row.pk).is_active


def test_demo_ledger(db, monkeypatch):
    """The demo step after org, accounts and leads: both sides, every status, one flagged clause reviewed and one
    waiting, an overdue government promise escalated as a ticket, qiye's own ledger; idempotent."""
    from io import StringIO

    from tuijin.core import demo as core_demo
    from tuijin.users.models import User

    base = [s for s in core_demo.DEMO_STEPS if s.startswith(("tuijin.org.", "tuijin.users."))]
    steps = [*base, "tuijin.investment.demo.load_leads", "tuijin.investment.demo_ledger.load_ledger"]
    monkeypatch.setattr(core_demo, "DEMO_STEPS", steps)
    core_demo.run_demo_steps(StringIO())
    rows = Commitment.objects.all()
    assert rows.count() >= 15 and all(c.is_demo for c in rows)
    assert {c.side for c in rows} == {"government", "investor"}
    signed = rows.filter(state=CommitmentState.SIGNED)
    assert set(signed.values_list("status", flat=True)) == set(CommitmentStatus.values)
    assert set(signed.values_list("confirmation", flat=True)) == set(Confirmation.values)
    reviewed = rows.filter(fc_flagged=True, fc_reviewer__isnull=False)
    assert reviewed.count() == 1 and reviewed.get().state == CommitmentState.SIGNED
    waiting = rows.filter(fc_flagged=True, fc_reviewer__isnull=True)
    assert waiting.count() == 1 and waiting.get().fc_reason and waiting.get().state == CommitmentState.DRAFT
    overdue = rows.filter(ledger.overdue_government_condition())
    assert overdue.exists() and all(c.ticket_id for c in overdue)
    assert Ticket.objects.filter(source=TicketSource.COMMITMENT, escalation_level__gte=1).exists()
    assert all(c.fulfilled_on < TODAY for c in rows.exclude(fulfilled_on=None))
    qiye = User.objects.get(username="qiye")
    mine = ledger.visible_commitments(qiye)
    assert mine.exists() and {c.side for c in mine} == {"government", "investor"}
    counts = (rows.count(), Ticket.objects.count())
    core_demo.run_demo_steps(StringIO())  # idempotent
    assert (Commitment.objects.count(), Ticket.objects.count()) == counts
