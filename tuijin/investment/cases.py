"""违约/调整 (CommitmentCase): an investor's shortfall on a signed commitment, opened by the tracking unit and decided
by the 商务局/项目办 — 重新约定 (a new due date and, optionally, a new target), 追回奖补 (an amount) or 免予追究 —
always with a reason.

Services (writes, one transaction each, a `LeadEvent` of type CASE for the lead's timeline):

- `case_open(actor, commitment, shortfall)`: `investment.add_commitmentcase` in the lead's scope, on an eligible
  commitment (`eligible_condition`), one open case per commitment (a database constraint backs the check);
- `case_decide(actor, case, version, decision, reason, …)`: `investment.decide_commitmentcase` in scope, the case
  open; 重新约定 moves the commitment's due date (and target) through `bump_version` and back to 未达条件; 追回奖补 is
  limited by `clawback_limit`; the tracking unit's people and the enterprise's accounts are notified.

Selectors: `eligible_condition`, `eligible_commitments`, `clawback_limit`, `cases_for`. The lead-page panel (order 40)
and the home-page to-dos are registered here (this module is imported by `InvestmentConfig.ready()`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention
from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.core.permissions import check_scope

from .choices import (
    CaseDecision,
    CaseStatus,
    CommitmentCategory,
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
    LeadEventType,
)
from .models import Commitment, CommitmentCase, Lead
from .panels import register_panel

__all__ = [
    "CaseDecisionInput",
    "case_decide",
    "case_open",
    "cases_for",
    "clawback_limit",
    "eligible_commitments",
    "eligible_condition",
    "is_eligible",
]

DECIDE = "investment.decide_commitmentcase"
ADD = "investment.add_commitmentcase"


def _today() -> date:
    return timezone.localdate()


# --- selectors -------------------------------------------------------------------------------------


def eligible_condition(today: date | None = None, prefix: str = "") -> Q:
    """A signed investor commitment with a shortfall: past its due date and not 已兑现, or 部分兑现 / 无法兑现."""
    today = today or _today()
    p = prefix
    shortfall = Q(**{f"{p}status__in": [CommitmentStatus.PARTIAL, CommitmentStatus.UNABLE]}) | (
        Q(**{f"{p}due_date__lt": today}) & ~Q(**{f"{p}status": CommitmentStatus.FULFILLED})
    )
    return Q(**{f"{p}side": CommitmentSide.INVESTOR, f"{p}state": CommitmentState.SIGNED}) & shortfall


def is_eligible(commitment: Commitment, today: date | None = None) -> bool:
    today = today or _today()
    if commitment.side != CommitmentSide.INVESTOR or commitment.state != CommitmentState.SIGNED:
        return False
    if commitment.status in (CommitmentStatus.PARTIAL, CommitmentStatus.UNABLE):
        return True
    return commitment.due_date < today and commitment.status != CommitmentStatus.FULFILLED


def _open_case_exists() -> Exists:
    return Exists(CommitmentCase.objects.filter(commitment=OuterRef("pk"), status=CaseStatus.OPEN))


def eligible_commitments(user, *, action: str = "view", today: date | None = None) -> QuerySet:
    """The commitments in `user`'s scope on which a case may be opened now (no open case yet)."""
    return (
        Commitment.objects.restrict(user, action)
        .filter(eligible_condition(today))
        .exclude(_open_case_exists())
        .select_related("lead", "lead__tracking_unit")
        .order_by("due_date", "pk")
    )


def clawback_limit(lead: Lead, *, exclude_case: CommitmentCase | None = None) -> Decimal:
    """The most that may still be clawed back on `lead`: what the government has paid on its signed 奖补资金
    commitments (the sum of their 兑现金额) less what earlier 追回奖补 decisions on the same lead already reclaim."""
    paid = Commitment.objects.filter(
        lead=lead,
        side=CommitmentSide.GOVERNMENT,
        category=CommitmentCategory.SUBSIDY,
        state=CommitmentState.SIGNED,
    ).aggregate(s=Sum("realised_amount"))["s"] or Decimal("0")
    earlier = CommitmentCase.objects.filter(
        commitment__lead=lead, status=CaseStatus.CLOSED, decision=CaseDecision.CLAW_BACK
    )
    if exclude_case is not None and exclude_case.pk:
        earlier = earlier.exclude(pk=exclude_case.pk)
    reclaimed = earlier.aggregate(s=Sum("clawback_amount"))["s"] or Decimal("0")
    return max(paid - reclaimed, Decimal("0"))


def cases_for(user, lead: Lead) -> list[CommitmentCase]:
    return list(
        CommitmentCase.objects.restrict(user, "view")
        .filter(commitment__lead=lead)
        .select_related("commitment", "opened_by", "decided_by")
    )


# --- services --------------------------------------------------------------------------------------


def _check(actor, obj, action: str) -> None:
    check_scope(actor, obj, action, message=_("该招商项目不在您的管理范围内（例如跟踪单位不属于本单位）。"))


def _event(lead: Lead, actor, data: dict[str, Any]) -> None:
    from .services import lead_event_create

    lead_event_create(lead=lead, actor=actor, type=LeadEventType.CASE, data=data)


def _notify_opened(case: CommitmentCase) -> None:
    from tuijin.notifications.models import NotificationLevel
    from tuijin.notifications.services import notify
    from tuijin.users.recipients import users_covering

    lead = case.commitment.lead
    notify(
        users=users_covering(lead.tracking_unit, DECIDE),
        title=_("招商项目“%(n)s”有待处理的违约/调整事项") % {"n": lead.name},
        body=_("企业承诺：%(c)s；差距说明：%(s)s") % {"c": case.commitment.content, "s": case.shortfall},
        url=reverse("investment:case", args=[case.pk]),
        level=NotificationLevel.WARNING,
        kind="case_opened",
    )


@transaction.atomic
def case_open(*, actor, commitment: Commitment, shortfall: str) -> CommitmentCase:
    """Open a 违约/调整 case on an investor commitment that fell short. One open case per commitment."""
    commitment = Commitment.objects.select_related("lead", "lead__tracking_unit").get(pk=commitment.pk)
    _check(actor, commitment, "view")
    shortfall = (shortfall or "").strip()
    if not is_eligible(commitment):
        raise ApplicationError(
            _("只有已签订、逾期未兑现或部分兑现、无法兑现的企业承诺才能开启违约/调整。"), code="not_eligible"
        )
    if not shortfall:
        raise ValidationError({"shortfall": _("请填写差距说明：承诺了什么、实际完成多少、差在哪里。")})
    if CommitmentCase.objects.filter(commitment=commitment, status=CaseStatus.OPEN).exists():
        raise ApplicationError(_("该承诺已有待处理的违约/调整事项。"), code="case_open")
    case = CommitmentCase(commitment=commitment, shortfall=shortfall[:500], opened_by=actor)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # opened by someone else since the check above
        raise ApplicationError(_("该承诺已有待处理的违约/调整事项。"), code="case_open") from exc
    _check(actor, case, "add")
    text = _("开启：%(c)s；差距：%(s)s") % {"c": commitment.content, "s": case.shortfall}
    _event(commitment.lead, actor, {"action": "opened", "case": case.pk, "commitment": commitment.pk, "text": text})
    _notify_opened(case)
    return case


@dataclass
class CaseDecisionInput:
    decision: str
    reason: str
    new_due_date: date | None = None
    new_target_value: Decimal | None = None
    clawback_amount: Decimal | None = None


def _validate_decision(case: CommitmentCase, data: CaseDecisionInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.decision not in CaseDecision.values:
        errors["decision"] = [_("请选择处理方式：重新约定、追回奖补或免予追究。")]
    if not (data.reason or "").strip():
        errors["reason"] = [_("请填写处理理由。")]
    if data.decision == CaseDecision.RENEGOTIATE:
        if data.new_due_date is None:
            errors["new_due_date"] = [_("重新约定须填写新的兑现时间。")]
        elif data.new_due_date < _today():
            errors["new_due_date"] = [_("新的兑现时间不能早于今天。")]
        elif data.new_due_date <= case.commitment.due_date:
            errors["new_due_date"] = [
                _("新的兑现时间须晚于原计划兑现时间（%(d)s）。") % {"d": case.commitment.due_date.isoformat()}
            ]
        if data.new_target_value is not None and data.new_target_value < 0:
            errors["new_target_value"] = [_("新的指标值不能为负数。")]
    if data.decision == CaseDecision.CLAW_BACK:
        limit = clawback_limit(case.commitment.lead, exclude_case=case)
        if data.clawback_amount is None:
            errors["clawback_amount"] = [_("追回奖补须填写追回金额（万元）。")]
        elif data.clawback_amount <= 0:
            errors["clawback_amount"] = [_("追回金额须大于0。")]
        elif limit <= 0:
            errors["clawback_amount"] = [_("该项目没有已兑现（尚未追回）的奖补资金，不能追回。")]
        elif data.clawback_amount > limit:
            errors["clawback_amount"] = [
                _("追回金额不能超过该项目已兑现且尚未追回的奖补资金 %(m)s 万元。") % {"m": f"{limit:f}"}
            ]
    return errors


def _notify_decided(case: CommitmentCase) -> None:
    from tuijin.notifications.models import NotificationLevel
    from tuijin.notifications.services import Message, notify_many
    from tuijin.org.choices import Role, ScopeKind
    from tuijin.users.models import User
    from tuijin.users.recipients import users_covering

    lead = case.commitment.lead
    title = _("招商项目“%(n)s”的违约/调整事项已处理：%(d)s") % {"n": lead.name, "d": case.get_decision_display()}
    body = _("企业承诺：%(c)s；处理理由：%(r)s") % {"c": case.commitment.content, "r": case.reason}
    if case.decision == CaseDecision.RENEGOTIATE and case.new_due_date:
        body += _("；新的兑现时间：%(d)s") % {"d": case.new_due_date.isoformat()}
    if case.decision == CaseDecision.CLAW_BACK and case.clawback_amount is not None:
        body += _("；追回金额：%(a)s 万元") % {"a": f"{case.clawback_amount:f}"}
    url = reverse("investment:case", args=[case.pk])
    unit_users = list(users_covering(lead.tracking_unit, ADD, kinds=(ScopeKind.UNIT,)))
    if case.opened_by_id and all(u.pk != case.opened_by_id for u in unit_users):
        unit_users.append(case.opened_by)
    messages = [Message(u, title, body, url, NotificationLevel.INFO, "case_decided") for u in unit_users]
    if lead.enterprise_id:
        # the enterprise reads its own ledger (承诺台账), not the case page
        ledger_url = f"{reverse('investment:ledger')}?lead={lead.pk}#commitment-{case.commitment_id}"
        enterprise_users = User.objects.filter(
            memberships__unit_id=lead.enterprise_id, memberships__role=Role.ENTERPRISE, is_active=True
        ).distinct()
        level = NotificationLevel.WARNING
        messages += [Message(u, title, body, ledger_url, level, "case_decided") for u in enterprise_users]
    notify_many(messages)


def case_decide(*, actor, case: CommitmentCase, version, data: CaseDecisionInput) -> CommitmentCase:
    """Decide an open case. Refused: nothing written and `case` reloaded."""
    try:
        return _decide(actor=actor, case=case, version=version, data=data)
    except Exception:
        if case.pk:
            case.refresh_from_db()
        raise


@transaction.atomic
def _decide(*, actor, case: CommitmentCase, version, data: CaseDecisionInput) -> CommitmentCase:
    _check(actor, case, "decide")
    case.commitment = Commitment.objects.select_related("lead", "lead__tracking_unit").get(pk=case.commitment_id)
    if case.status != CaseStatus.OPEN:
        raise ApplicationError(_("该违约/调整事项已处理，不能再次处理。"), code="not_open")
    errors = _validate_decision(case, data)
    if errors:
        raise ValidationError(errors)
    case.decision = data.decision
    case.reason = data.reason.strip()[:500]
    renegotiate = data.decision == CaseDecision.RENEGOTIATE
    case.new_due_date = data.new_due_date if renegotiate else None
    case.new_target_value = data.new_target_value if renegotiate else None
    case.clawback_amount = data.clawback_amount if data.decision == CaseDecision.CLAW_BACK else None
    case.status = CaseStatus.CLOSED
    case.decided_by = actor
    case.decided_at = timezone.now()
    bump_version(
        case,
        expected_version=version,
        status=CaseStatus.OPEN,
        message=_("该违约/调整事项已被他人处理（您看到的是第 %(mine)d 版，当前为第 %(now)d 版），您的处理未保存。"),
    )
    commitment = case.commitment
    lead = commitment.lead
    text = _("%(d)s：%(c)s；理由：%(r)s") % {
        "d": case.get_decision_display(),
        "c": commitment.content,
        "r": case.reason,
    }
    event: dict[str, Any] = {"action": "decided", "case": case.pk, "commitment": commitment.pk}
    event["decision"] = case.decision
    if renegotiate:
        before = {"due_date": commitment.due_date.isoformat(), "target_value": _plain(commitment.target_value)}
        assert case.new_due_date is not None  # checked by _validate_decision
        commitment.due_date = case.new_due_date
        fields = ["due_date", "status"]
        if case.new_target_value is not None:
            commitment.target_value = case.new_target_value
            fields.append("target_value")
        commitment.status = CommitmentStatus.NOT_MET
        bump_version(commitment, expected_version=commitment.version, update_fields=fields)
        event["before"] = before
        event["after"] = {"due_date": commitment.due_date.isoformat(), "target_value": _plain(commitment.target_value)}
        text += _("；新的兑现时间 %(d)s") % {"d": commitment.due_date.isoformat()}
        if case.new_target_value is not None:
            text += _("，新的指标值 %(v)s") % {"v": _plain(case.new_target_value)}
    elif case.decision == CaseDecision.CLAW_BACK:
        text += _("；追回 %(a)s 万元") % {"a": _plain(case.clawback_amount)}
    event["text"] = text
    _event(lead, actor, event)
    _notify_decided(case)
    return case


def _plain(value) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- the lead page's section and the home page's to-dos --------------------------------------------


@register_panel
def case_panel(user, lead: Lead) -> dict | None:
    """违约/调整 on the lead page: the lead's cases and, for a user who may open one, the eligible investor
    commitments without an open case."""
    if not user.has_perm("investment.view_commitmentcase"):
        return None
    cases = cases_for(user, lead)
    eligible: list[Commitment] = []
    if user.has_perm(ADD):
        eligible = list(eligible_commitments(user).filter(lead=lead))
    if not cases and not eligible:
        return None
    return {"template": "investment/panels/cases.html", "order": 40, "cases": cases, "eligible": eligible}


def _case_list(query: str) -> str:
    return f"{reverse('investment:case_list')}?{query}"


@register_attention
def case_attention(user) -> list[AttentionItem]:
    if user.has_perm(DECIDE):
        n = CommitmentCase.objects.restrict(user, "decide").filter(status=CaseStatus.OPEN).aggregate(n=Count("pk"))["n"]
        return [AttentionItem(_("待处理的违约/调整"), n, _case_list("status=open"), "warning")] if n else []
    if user.has_perm(ADD):
        n = eligible_commitments(user).aggregate(n=Count("pk"))["n"]
        if n:
            return [
                AttentionItem(_("企业承诺未兑现待处理"), n, reverse("investment:case_list") + "#tj-eligible", "danger")
            ]
    return []
