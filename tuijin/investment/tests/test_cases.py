"""违约/调整 services (cases.py): who may open a case and on which commitments, one open case per commitment, each
decision with its rule (重新约定 moves the commitment, 追回奖补 within the paid 奖补, a reason always), the
notifications, the timeline, optimistic locking, scope, and the home-page to-dos."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tuijin.core.attention import attention_for
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.investment import cases
from tuijin.investment.cases import CaseDecisionInput
from tuijin.investment.choices import CaseDecision, CaseStatus, CommitmentStatus, LeadEventType
from tuijin.investment.models import Commitment, CommitmentCase, LeadEvent
from tuijin.notifications.models import Notification

from .factories import make_lead

D = Decimal
PAST = date(2025, 1, 31)


def make_commitment(lead, *, side="investor", category="output", status="not_met", due=PAST, **fields):
    """A signed ledger line made directly (the ledger's services are another part of the app)."""
    data = {
        "lead": lead,
        "side": side,
        "category": category,
        "content": fields.pop("content", f"{lead.name}承诺事项"),
        "due_date": due,
        "status": status,
        "state": fields.pop("state", "signed"),
        "target_value": fields.pop("target_value", D("10000")),
    }
    if side == "government":
        data["responsible_unit"] = fields.pop("responsible_unit", lead.tracking_unit)
    if status in ("partial", "unable"):
        data["status_note"] = "完成情况不足"
    if status == "fulfilled":
        data["fulfilled_on"] = due
    data.update(fields)
    return Commitment.objects.create(**data)


def open_case(world, commitment, actor=None, shortfall="承诺产值10000万元，实际完成4000万元"):
    return cases.case_open(actor=actor or world.reporter_a, commitment=commitment, shortfall=shortfall)


def decide(case, actor, decision, reason="经协商", version=None, **fields):
    case.refresh_from_db()
    return cases.case_decide(
        actor=actor,
        case=case,
        version=case.version if version is None else version,
        data=CaseDecisionInput(decision=decision, reason=reason, **fields),
    )


@pytest.fixture
def lead_a(world):
    return make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲违约测试项目")


@pytest.fixture
def lead_b(world):
    return make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙违约测试项目")


# --- eligibility -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "eligible"),
    [
        ({"status": "not_met"}, True),  # past due, not fulfilled
        ({"status": "due"}, True),
        ({"status": "partial", "due": date(2099, 1, 1)}, True),  # partial: at any time
        ({"status": "unable", "due": date(2099, 1, 1)}, True),
        ({"status": "fulfilled"}, False),
        ({"status": "not_met", "due": date(2099, 1, 1)}, False),  # not due yet
        ({"status": "not_met", "state": "draft"}, False),  # not signed
        ({"status": "not_met", "side": "government", "category": "land"}, False),  # the government's own
    ],
)
def test_eligibility(world, lead_a, fields, eligible):
    commitment = make_commitment(lead_a, **fields)
    assert cases.is_eligible(commitment) is eligible
    in_query = Commitment.objects.filter(cases.eligible_condition(), pk=commitment.pk).exists()
    assert in_query is eligible  # the query and the object agree
    if not eligible:
        with pytest.raises(ApplicationError) as exc:
            open_case(world, commitment)
        assert exc.value.code == "not_eligible"
        assert not CommitmentCase.objects.exists()


# --- opening ---------------------------------------------------------------------------------------


def test_open_writes_the_case_the_timeline_and_tells_the_deciders(world, lead_a):
    commitment = make_commitment(lead_a)
    case = open_case(world, commitment)
    assert case.status == CaseStatus.OPEN and case.opened_by == world.reporter_a
    event = LeadEvent.objects.get(lead=lead_a, type=LeadEventType.CASE)
    assert event.data["action"] == "opened" and "4000" in event.data["text"]
    told = set(Notification.objects.filter(kind="case_opened").values_list("user__username", flat=True))
    assert "office" in told and "reporter_a" not in told


def test_open_needs_a_shortfall(world, lead_a):
    with pytest.raises(ValidationError) as exc:
        open_case(world, make_commitment(lead_a), shortfall="  ")
    assert "shortfall" in exc.value.message_dict
    assert not CommitmentCase.objects.exists()


def test_one_open_case_per_commitment(world, lead_a):
    commitment = make_commitment(lead_a)
    open_case(world, commitment)
    with pytest.raises(ApplicationError) as exc:
        open_case(world, commitment)
    assert exc.value.code == "case_open"
    assert CommitmentCase.objects.count() == 1


def test_the_database_refuses_a_second_open_case(world, lead_a):
    commitment = make_commitment(lead_a)
    open_case(world, commitment)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentCase.objects.create(commitment=commitment, shortfall="重复", opened_by=world.reporter_a)


def test_a_closed_case_allows_a_new_one(world, lead_a):
    commitment = make_commitment(lead_a, status="partial")
    decide(open_case(world, commitment), world.office, CaseDecision.EXCUSE, reason="不可抗力")
    again = open_case(world, commitment)
    assert again.status == CaseStatus.OPEN


def test_open_out_of_scope_is_refused(world, lead_b):
    commitment = make_commitment(lead_b)
    with pytest.raises(PermissionDenied):
        open_case(world, commitment, actor=world.reporter_a)
    assert not CommitmentCase.objects.exists()


# --- deciding --------------------------------------------------------------------------------------


def test_renegotiate_moves_the_commitment_back_to_not_met(world, lead_a):
    commitment = make_commitment(lead_a, status="partial", target_value=D("10000"))
    case = open_case(world, commitment)
    version = Commitment.objects.get(pk=commitment.pk).version
    new_due = timezone.localdate() + timedelta(days=365)
    decide(case, world.office, CaseDecision.RENEGOTIATE, new_due_date=new_due, new_target_value=D("8000"))
    case.refresh_from_db()
    commitment.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.decided_by == world.office and case.decided_at
    assert commitment.due_date == new_due and commitment.target_value == D("8000")
    assert commitment.status == CommitmentStatus.NOT_MET
    assert commitment.version == version + 1  # through bump_version (the change log records it)
    event = LeadEvent.objects.filter(lead=lead_a, type=LeadEventType.CASE).last()
    assert event.data["decision"] == "renegotiate" and event.data["before"]["due_date"] == "2025-01-31"


def test_renegotiate_without_a_target_keeps_it(world, lead_a):
    commitment = make_commitment(lead_a, target_value=D("500"))
    new_due = timezone.localdate() + timedelta(days=30)
    decide(open_case(world, commitment), world.office, CaseDecision.RENEGOTIATE, new_due_date=new_due)
    commitment.refresh_from_db()
    assert commitment.target_value == D("500") and commitment.due_date == new_due


@pytest.mark.parametrize(
    ("new_due", "message"),
    [(None, "新的兑现时间"), (date(2024, 1, 1), "不能早于今天")],
)
def test_renegotiate_needs_a_valid_new_date(world, lead_a, new_due, message):
    commitment = make_commitment(lead_a)
    case = open_case(world, commitment)
    with pytest.raises(ValidationError) as exc:
        decide(case, world.office, CaseDecision.RENEGOTIATE, new_due_date=new_due)
    assert message in " ".join(exc.value.message_dict["new_due_date"])
    case.refresh_from_db()
    commitment.refresh_from_db()
    assert case.status == CaseStatus.OPEN and commitment.due_date == PAST


def test_new_date_must_be_later_than_the_old_one(world, lead_a):
    later = timezone.localdate() + timedelta(days=60)
    commitment = make_commitment(lead_a, status="partial", due=later)
    with pytest.raises(ValidationError) as exc:
        decide(open_case(world, commitment), world.office, CaseDecision.RENEGOTIATE, new_due_date=later)
    assert "晚于原计划兑现时间" in exc.value.message_dict["new_due_date"][0]


def test_every_decision_needs_a_reason(world, lead_a):
    case = open_case(world, make_commitment(lead_a))
    with pytest.raises(ValidationError) as exc:
        decide(case, world.office, CaseDecision.EXCUSE, reason=" ")
    assert "reason" in exc.value.message_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_database_refuses_a_closed_case_without_a_reason(world, lead_a):
    case = open_case(world, make_commitment(lead_a))
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, decision="excuse", reason="")


def test_unknown_decision_is_refused(world, lead_a):
    with pytest.raises(ValidationError) as exc:
        decide(open_case(world, make_commitment(lead_a)), world.office, "forgive")
    assert "decision" in exc.value.message_dict


def _paid_subsidy(lead, realised, **fields):
    return make_commitment(
        lead, side="government", category="subsidy", status="fulfilled", realised_amount=realised, **fields
    )


def test_clawback_is_limited_to_the_subsidy_paid(world, lead_a):
    """The limit: the 兑现金额 of the lead's signed government 奖补 lines (300 + 200), less earlier clawbacks."""
    _paid_subsidy(lead_a, D("300"))
    _paid_subsidy(lead_a, D("200"))
    _paid_subsidy(lead_a, D("999"), state="draft")  # not signed: not paid
    make_commitment(lead_a, side="government", category="land", status="fulfilled", realised_amount=D("800"))
    assert cases.clawback_limit(lead_a) == D("500")
    first = open_case(world, make_commitment(lead_a, content="产值承诺"))
    with pytest.raises(ValidationError) as exc:
        decide(first, world.office, CaseDecision.CLAW_BACK, clawback_amount=D("500.01"))
    assert "500" in exc.value.message_dict["clawback_amount"][0]
    decide(first, world.office, CaseDecision.CLAW_BACK, clawback_amount=D("350"))
    first.refresh_from_db()
    assert first.clawback_amount == D("350") and first.new_due_date is None
    assert cases.clawback_limit(lead_a) == D("150")
    second = open_case(world, make_commitment(lead_a, content="就业承诺", category="jobs"))
    with pytest.raises(ValidationError):
        decide(second, world.office, CaseDecision.CLAW_BACK, clawback_amount=D("151"))
    decide(second, world.office, CaseDecision.CLAW_BACK, clawback_amount=D("150"))
    assert cases.clawback_limit(lead_a) == D("0")


@pytest.mark.parametrize(("amount", "message"), [(None, "追回金额"), (D("0"), "大于0"), (D("10"), "没有已兑现")])
def test_clawback_refusals(world, lead_a, amount, message):
    case = open_case(world, make_commitment(lead_a))  # no subsidy paid at all
    with pytest.raises(ValidationError) as exc:
        decide(case, world.office, CaseDecision.CLAW_BACK, clawback_amount=amount)
    assert message in exc.value.message_dict["clawback_amount"][0]


def test_excuse_clears_the_other_fields(world, lead_a):
    case = open_case(world, make_commitment(lead_a))
    decide(case, world.office, CaseDecision.EXCUSE, reason="政策调整", new_due_date=date(2099, 1, 1))
    case.refresh_from_db()
    assert case.decision == CaseDecision.EXCUSE and case.new_due_date is None and case.clawback_amount is None


def test_decision_notifies_the_unit_and_the_enterprise(world, lead_a):
    lead_a.enterprise = world.enterprise_a
    lead_a.save(update_fields=["enterprise"])
    case = open_case(world, make_commitment(lead_a))
    decide(case, world.office, CaseDecision.EXCUSE, reason="政策调整")
    told = set(Notification.objects.filter(kind="case_decided").values_list("user__username", flat=True))
    assert {"reporter_a", "approver_a", "ent_user_a"} <= told
    assert "reporter_b" not in told and "ent_user_b" not in told and "office" not in told
    url = Notification.objects.get(kind="case_decided", user=world.ent_user_a).url
    assert url.startswith("/investment/ledger/?lead=") and "/cases/" not in url  # its ledger, not the case page


def test_decided_case_cannot_be_decided_again(world, lead_a):
    case = open_case(world, make_commitment(lead_a))
    decide(case, world.office, CaseDecision.EXCUSE)
    with pytest.raises(ApplicationError) as exc:
        decide(case, world.office, CaseDecision.EXCUSE)
    assert exc.value.code == "not_open"


def test_stale_version_writes_nothing(world, lead_a):
    commitment = make_commitment(lead_a)
    case = open_case(world, commitment)
    before = LeadEvent.objects.filter(type=LeadEventType.CASE).count()
    with pytest.raises(ConflictError):
        decide(case, world.office, CaseDecision.EXCUSE, version=case.version + 5)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.decision == "" and case.decided_by is None
    assert LeadEvent.objects.filter(type=LeadEventType.CASE).count() == before
    assert not Notification.objects.filter(kind="case_decided").exists()


def test_only_deciders_in_scope_decide(world, lead_a, lead_b):
    case = open_case(world, make_commitment(lead_a))
    with pytest.raises(PermissionDenied):  # a unit opens but does not decide
        decide(case, world.reporter_a, CaseDecision.EXCUSE)
    with pytest.raises(PermissionDenied):  # the neighbouring district's office
        decide(case, world.foreign_office, CaseDecision.EXCUSE)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


# --- to-dos ----------------------------------------------------------------------------------------


def _titles(user):
    return {item.title: item.count for item in attention_for(user)}


def test_attention(world, lead_a, lead_b):
    make_commitment(lead_a, content="甲产值")
    make_commitment(lead_a, content="甲就业", category="jobs")
    make_commitment(lead_b, content="乙产值")
    assert _titles(world.reporter_a)["企业承诺未兑现待处理"] == 2
    assert "待处理的违约/调整" not in _titles(world.office)
    case = open_case(world, Commitment.objects.get(content="甲产值"))
    assert _titles(world.reporter_a)["企业承诺未兑现待处理"] == 1  # the one with a case left the list
    assert _titles(world.office)["待处理的违约/调整"] == 1
    assert "企业承诺未兑现待处理" not in _titles(world.office)  # the decider sees the decisions waiting
    decide(case, world.office, CaseDecision.EXCUSE)
    assert "待处理的违约/调整" not in _titles(world.office)
    assert "待处理的违约/调整" not in _titles(world.foreign_office)


# --- demo ------------------------------------------------------------------------------------------------------------


def test_demo(db, monkeypatch):
    """load_cases after the leads (without the ledger demo: it writes the lines it needs through the ledger's
    services): one open case, one per decision, results on every produced lead, one below the line; idempotent."""
    from io import StringIO

    from tuijin.core import demo as core_demo
    from tuijin.investment import results
    from tuijin.investment.demo_cases import load_cases
    from tuijin.investment.models import InvestmentSettings, Lead, YearlyResult

    steps = [s for s in core_demo.DEMO_STEPS if s.startswith(("tuijin.org.", "tuijin.users."))]
    monkeypatch.setattr(core_demo, "DEMO_STEPS", [*steps, "tuijin.investment.demo.load_leads"])
    context = core_demo.run_demo_steps(StringIO())
    load_cases(context, StringIO())
    demo_cases = CommitmentCase.objects.filter(commitment__is_demo=True)
    assert demo_cases.filter(status=CaseStatus.OPEN).count() == 1
    assert set(demo_cases.exclude(status=CaseStatus.OPEN).values_list("decision", flat=True)) == set(
        CaseDecision.values
    )
    now = timezone.now()
    assert all(c.created <= now and (c.decided_at is None or c.decided_at <= now) for c in demo_cases)
    produced = Lead.objects.filter(is_demo=True, stage__in=["producing", "reached"])
    assert produced.exists() and not produced.filter(land_mu__isnull=True).exists()
    for lead in produced:
        assert 1 <= lead.yearly_results.count() <= 3
    assert not YearlyResult.objects.filter(year__gt=timezone.localdate().year).exists()
    low = results.with_latest_result(produced).filter(results.low_condition(InvestmentSettings.current()))
    assert low.count() == 1
    counts = (CommitmentCase.objects.count(), YearlyResult.objects.count())
    load_cases(context, StringIO())  # idempotent
    assert (CommitmentCase.objects.count(), YearlyResult.objects.count()) == counts
