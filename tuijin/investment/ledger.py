"""The two-way promise ledger (承诺台账) and the 公平竞争审查 pre-check: services, selectors, the lead-page panel and
the home-page to-dos.

A signed lead's agreement holds commitments on both sides: the government's (土地交付, 配套, 奖补, 代办…) and the
investor's (投资, 到资, 就业, 产值, 达产, 亩均税收). Each line is drafted (草拟), then all the drafts of a lead are
saved as signed together (`agreement_sign`), after the 公平竞争审查 pre-check:

- `fc_flags` matches a line against the office's `FairCompetitionCategory` list (rule in its docstring);
- a flagged line needs a reason (`commitment_flag_justify`) and a second reviewer (`commitment_flag_review`, by
  someone other than whoever gave the reason) before it can be signed; the database backs both rules up.

A signed line then moves through its status (`commitment_set_status`: 未达条件 / 已达条件待兑现 / 部分兑现 / 已兑现 /
无法兑现-已沟通), and the enterprise confirms or disputes it (`commitment_confirm`); a status change asks the
enterprise again. A government promise past its due date becomes a 协调工单 (`check_overdue`, run daily), escalated
by the tickets' own rules (`tickets.services.escalate_overdue`); keeping the promise resolves the ticket.

Every write runs in one transaction, saves through `core.locking.bump_version`, writes a `LeadEvent` (承诺台账变更 /
承诺保存为已签订) and checks the actor's permission and scope with `check_scope` (PermissionDenied rolls it back).
Errors are ValidationError keyed by field (Chinese), or ApplicationError for a refused step.
"""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention
from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.core.permissions import check_scope

from .choices import (
    GOVERNMENT_CATEGORIES,
    INVESTOR_CATEGORIES,
    OUTSTANDING,
    SIGNED_OR_LATER,
    CommitmentCategory,
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
    Confirmation,
    LeadEventType,
    LeadStage,
)
from .models import Commitment, FairCompetitionCategory, Lead
from .panels import register_panel
from .services import lead_event_create

__all__ = [
    "EDIT_FIELDS",
    "FC_FIELDS",
    "agreement_sign",
    "check_overdue",
    "commitment_confirm",
    "commitment_create",
    "commitment_flag_justify",
    "commitment_flag_review",
    "commitment_set_status",
    "commitment_update",
    "fc_category_save",
    "fc_flags",
    "ledger_counts",
    "ledger_rows",
    "line_actions",
    "overdue_condition",
    "overdue_government_condition",
    "sees_supervision",
    "sign_blockers",
    "visible_commitments",
]

log = logging.getLogger(__name__)

# the fields of a line that commitment_create / commitment_update set
EDIT_FIELDS = (
    "category",
    "content",
    "clause",
    "condition",
    "due_date",
    "amount",
    "target_value",
    "target_unit",
    "responsible_unit",
)
FC_FIELDS = ("name", "keywords", "commitment_categories", "basis", "sort_order", "is_active")
CATEGORIES_OF_SIDE = {
    CommitmentSide.GOVERNMENT: [str(c) for c in GOVERNMENT_CATEGORIES],
    CommitmentSide.INVESTOR: [str(c) for c in INVESTOR_CATEGORIES],
}
KEPT = (CommitmentStatus.FULFILLED, CommitmentStatus.UNABLE)


def _today() -> date:
    return timezone.localdate()


def _label(field: str) -> str:
    return str(getattr(Commitment._meta.get_field(field), "verbose_name", field))


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(str(message))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def side_of(category: str) -> str | None:
    for side, categories in CATEGORIES_OF_SIDE.items():
        if category in categories:
            return str(side)
    return None


# --- 公平竞争审查: the match ----------------------------------------------------------------------------------------


def active_fc_categories() -> list[FairCompetitionCategory]:
    return list(FairCompetitionCategory.objects.filter(is_active=True).order_by("sort_order", "pk"))


def fc_flags(
    *, category: str, content: str, clause: str = "", categories: list[FairCompetitionCategory] | None = None
) -> list[str]:
    """The names of the active 公平竞争审查 categories a commitment matches, in the list's order.

    The rule: a keyword of the category must appear in the commitment's content (承诺事项) or its clause (合同条款);
    case and spaces around the keyword do not matter. Without a keyword in the text nothing is flagged. Then:

    - a **government** commitment (what the district grants) is checked against every active category;
    - an **investor** commitment only against the categories whose `commitment_categories` name its category
      (the seeded list names only government categories, so investor lines are not flagged unless the office
      adds their category to a row);
    - a category with an empty `commitment_categories` applies to every line of either side.

    `categories`: the active categories already loaded (`active_fc_categories()`), to check many lines at once.
    """
    text = f"{content or ''}\n{clause or ''}".lower()
    government = side_of(category) == CommitmentSide.GOVERNMENT
    names = []
    for row in active_fc_categories() if categories is None else categories:
        listed = list(row.commitment_categories or [])
        if not (government or not listed or category in listed):
            continue
        if any(keyword.lower() in text for keyword in row.keyword_list):
            names.append(row.name)
    return names


# --- selectors ------------------------------------------------------------------------------------------------------


def _responsible_condition(user) -> Q | None:
    """The lines whose 责任单位 lies in a unit of the user's (a UNIT-scoped role holding view_commitment): a
    responsible unit reads the government promises it must keep, whoever tracks the lead."""
    from tuijin.org.choices import ScopeKind
    from tuijin.org.roles import ROLE_SPECS
    from tuijin.org.scoping import user_memberships

    permission = "investment.view_commitment"
    condition = None
    for membership in user_memberships(user):
        spec = ROLE_SPECS.get(membership.role)
        if spec and permission in spec.permissions and spec.scope_for(permission) == ScopeKind.UNIT:
            part = Q(side=CommitmentSide.GOVERNMENT, responsible_unit__path__startswith=membership.unit.path)
            condition = part if condition is None else condition | part
    return condition


def sees_supervision(user) -> bool:
    """Whether `user` may read the district's internal supervision of a line: the 公平竞争审查 flags, reasons and
    reviewers, and the 督办工单 with its escalation. The district's staff (who read leads) do; an enterprise account,
    which reads only its own ledger to confirm it, does not."""
    return bool(user.has_perm("investment.view_lead"))


def visible_commitments(user) -> QuerySet:
    """The ledger lines `user` may read: `restrict(user, "view")` (the lead's tracking unit, the district for the
    office, its own leads for an enterprise) plus the government promises of the units the user belongs to."""
    restricted = Commitment.objects.restrict(user, "view")
    extra = _responsible_condition(user)
    if extra is None:
        return restricted
    return Commitment.objects.filter(Q(pk__in=restricted.values("pk")) | extra)


def overdue_condition(today: date | None = None) -> Q:
    """Signed, still to be honoured (未达条件/待兑现/部分兑现), past its 计划兑现时间."""
    return Q(state=CommitmentState.SIGNED, status__in=OUTSTANDING, due_date__lt=today or _today())


def overdue_government_condition(today: date | None = None) -> Q:
    return overdue_condition(today) & Q(side=CommitmentSide.GOVERNMENT)


FLAG_STATES = {
    "pending_reason": Q(fc_flagged=True, state=CommitmentState.DRAFT, fc_reason=""),
    "pending_review": Q(fc_flagged=True, fc_reviewer__isnull=True) & ~Q(fc_reason=""),
    "approved": Q(fc_flagged=True, fc_reviewer__isnull=False),
    "any": Q(fc_flagged=True),
}


def ledger_rows(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "lead", "lead__tracking_unit", "responsible_unit", "fc_reviewer", "fc_requested_by", "ticket", "confirmed_by"
    ).order_by("lead__name", "lead_id", "side", "due_date", "pk")


def ledger_counts(queryset: QuerySet, today: date | None = None) -> dict[str, int]:
    """Counts over `queryset` in one query: all, each status, overdue (and overdue government), each confirmation
    state, flagged (each 公平竞争审查 state), drafts."""
    today = today or _today()
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for status in CommitmentStatus:
        aggregates[f"status_{status.value}"] = Count("pk", filter=Q(status=status, state=CommitmentState.SIGNED))
    for confirmation in Confirmation:
        aggregates[f"confirmation_{confirmation.value}"] = Count(
            "pk", filter=Q(confirmation=confirmation, state=CommitmentState.SIGNED)
        )
    for key, condition in FLAG_STATES.items():
        aggregates[f"flag_{key}"] = Count("pk", filter=condition)
    aggregates["overdue"] = Count("pk", filter=overdue_condition(today))
    aggregates["overdue_government"] = Count("pk", filter=overdue_government_condition(today))
    aggregates["draft"] = Count("pk", filter=Q(state=CommitmentState.DRAFT))
    return queryset.order_by().aggregate(**aggregates)


@dataclass
class SignCheck:
    drafts: list[Commitment]
    blockers: list[Commitment]  # flagged drafts without a reason and a second reviewer
    flags: dict[int, list[str]]  # the flags each draft has now (categories may have changed since it was saved)

    @property
    def ready(self) -> bool:
        return bool(self.drafts) and not self.blockers


def sign_blockers(lead: Lead) -> SignCheck:
    """What 保存为已签订 would do now: the drafts, each one's current flags, and the lines that block it."""
    drafts = list(lead.commitments.filter(state=CommitmentState.DRAFT).order_by("side", "due_date", "pk"))
    categories = active_fc_categories() if drafts else []
    flags = {
        c.pk: fc_flags(category=c.category, content=c.content, clause=c.clause, categories=categories) for c in drafts
    }
    blockers = [c for c in drafts if flags[c.pk] and not (c.fc_reason and c.fc_reviewer_id)]
    return SignCheck(drafts, blockers, flags)


def line_actions(user, commitment: Commitment, *, lead_change: bool | None = None) -> set[str]:
    """The steps `user` may take on a line now (the pages show only these; the services check again).
    `lead_change`: whether the line is in the user's change scope (the caller knows; None = ask)."""
    actions: set[str] = set()
    draft = commitment.state == CommitmentState.DRAFT
    if user.has_perm("investment.change_commitment"):
        if lead_change is None:
            lead_change = Commitment.objects.restrict(user, "change").filter(pk=commitment.pk).exists()
        if lead_change:
            if draft:
                actions.add("edit")
                if commitment.fc_flagged and not commitment.fc_reviewer_id:
                    actions.add("justify")
            else:
                actions.add("status")
    if (
        draft
        and commitment.fc_flagged
        and commitment.fc_reason
        and not commitment.fc_reviewer_id
        and user.has_perm("investment.review_commitment")
        and commitment.fc_requested_by_id != user.pk
    ):
        actions.add("review")
    if not draft and user.has_perm("investment.confirm_commitment") and commitment.lead.enterprise_id:
        from tuijin.org.scoping import user_memberships

        if any(m.unit_id == commitment.lead.enterprise_id for m in user_memberships(user)):
            actions.add("confirm")
    return actions


# --- checks shared by the writes ------------------------------------------------------------------------------------


def _scope(actor, commitment: Commitment, action: str) -> None:
    check_scope(
        actor, commitment, action, message=_("该承诺不在您的管理范围内（例如招商项目的跟踪单位不属于本单位）。")
    )


def _require(actor, permission: str, message: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(message)


def _lead_open(lead: Lead) -> None:
    if lead.stage == LeadStage.TERMINATED:
        raise ApplicationError(_("该招商项目已终止，不能登记或签订承诺。"), code="terminated")
    if lead.stage not in SIGNED_OR_LATER:
        raise ApplicationError(_("招商项目签约后才能登记承诺台账。"), code="not_signed")


def _clean(commitment: Commitment) -> None:
    """Field checks (side and category, the responsible unit of a government promise, amounts) and the flags."""
    errors: dict[str, list[str]] = {}
    commitment.content = (commitment.content or "").strip()
    commitment.clause = (commitment.clause or "").strip()
    commitment.condition = (commitment.condition or "").strip()
    commitment.target_unit = (commitment.target_unit or "").strip()
    if commitment.side not in CommitmentSide.values:
        _add(errors, "side", _("请选择承诺方（政府承诺或企业承诺）。"))
    elif commitment.category not in CATEGORIES_OF_SIDE[CommitmentSide(commitment.side)]:
        _add(
            errors,
            "category",
            _("承诺类别“%(c)s”不属于%(s)s，请重新选择。")
            % {
                "c": dict(CommitmentCategory.choices).get(commitment.category, commitment.category or "—"),
                "s": commitment.get_side_display(),
            },
        )
    if not commitment.content:
        _add(errors, "content", _("请填写承诺事项。"))
    if commitment.due_date is None:
        _add(errors, "due_date", _("请填写计划兑现时间。"))
    if commitment.side == CommitmentSide.GOVERNMENT and commitment.responsible_unit_id is None:
        _add(errors, "responsible_unit", _("政府承诺须选择责任单位。"))
    unit = commitment.responsible_unit if commitment.responsible_unit_id else None
    if unit is not None and unit.unit_type == "enterprise":
        _add(errors, "responsible_unit", _("责任单位应为政府部门或单位，不能是企业。"))
    for name in ("amount", "realised_amount"):
        value = getattr(commitment, name)
        if value is not None and value < 0:
            _add(errors, name, _("%(f)s不能为负数。") % {"f": _label(name)})
    if not errors:
        try:
            commitment.full_clean(
                exclude=["lead", "ticket", "confirmed_by", "fc_requested_by", "fc_reviewer", "responsible_unit"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    _add(errors, key, message)
    _raise(errors)


def _apply_flags(commitment: Commitment) -> bool:
    """Recompute the flags; True when they changed. A line no longer flagged drops its justification."""
    flags = fc_flags(category=commitment.category, content=commitment.content, clause=commitment.clause)
    changed = flags != list(commitment.fc_flags or [])
    commitment.fc_flags = flags
    commitment.fc_flagged = bool(flags)
    if not flags:
        commitment.fc_reason = commitment.fc_basis = ""
        commitment.fc_requested_by = commitment.fc_reviewer = None
        commitment.fc_reviewed_at = None
    return changed


def _event(commitment: Commitment, actor, action: str, **data: Any) -> None:
    lead_event_create(
        lead=commitment.lead,
        actor=actor,
        type=LeadEventType.COMMITMENT,
        data={
            "action": action,
            "commitment": commitment.pk,
            "side": commitment.side,
            "content": commitment.content[:100],
            **data,
        },
    )


# --- notifications --------------------------------------------------------------------------------------------------


def _enterprise_users(lead: Lead) -> list:
    from tuijin.org.choices import Role
    from tuijin.users.models import User

    if lead.enterprise_id is None:
        return []
    return list(
        User.objects.filter(
            memberships__unit_id=lead.enterprise_id, memberships__role=Role.ENTERPRISE, is_active=True
        ).distinct()
    )


def _unit_people(unit, permission: str) -> list:
    from tuijin.org.choices import ScopeKind
    from tuijin.users.recipients import users_covering

    if unit is None:
        return []
    return list(users_covering(unit, permission, kinds=(ScopeKind.UNIT,)))


def _notify(users, title: str, body: str, url: str, *, level: str = "info", kind: str = "commitment") -> None:
    from tuijin.notifications.services import notify

    users = [u for u in users if u is not None]
    if users:
        notify(users=users, title=title, body=body, url=url, level=level, kind=kind)


def _ledger_url(commitment: Commitment) -> str:
    return f"{reverse('investment:ledger')}?lead={commitment.lead_id}#commitment-{commitment.pk}"


# --- writes ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def commitment_create(
    *,
    actor,
    lead: Lead,
    side: str,
    category: str,
    content: str,
    due_date,
    clause: str = "",
    condition: str = "",
    amount=None,
    target_value=None,
    target_unit: str = "",
    responsible_unit=None,
    is_demo: bool = False,
) -> Commitment:
    """A new line of a signed lead's agreement, 草拟, its 公平竞争审查 flags computed."""
    _require(actor, "investment.add_commitment", _("您没有登记承诺台账的权限。"))
    _lead_open(lead)
    commitment = Commitment(
        lead=lead,
        side=side,
        category=category,
        content=content,
        clause=clause,
        condition=condition,
        due_date=due_date,
        amount=amount,
        target_value=target_value,
        target_unit=target_unit,
        responsible_unit=responsible_unit,
        is_demo=is_demo,
    )
    _clean(commitment)
    _apply_flags(commitment)
    commitment.save()
    _event(commitment, actor, "created", flags=commitment.fc_flags)
    _scope(actor, commitment, "add")
    return commitment


@transaction.atomic
def commitment_update(*, actor, commitment: Commitment, version, **fields: Any) -> Commitment:
    """Edit a draft line (a signed one changes only through its status, or a 违约/调整 case). The flags are
    recomputed; a change of the text or the category drops an earlier second review (the new text needs one)."""
    _scope(actor, commitment, "change")
    if commitment.state != CommitmentState.DRAFT:
        raise ApplicationError(_("已签订的承诺不能修改内容，只能更新兑现情况。"), code="signed")
    unknown = set(fields) - set(EDIT_FIELDS) - {"side"}
    if unknown:
        raise ValidationError({k: _("该字段不能修改。") for k in sorted(unknown)})
    changed = []
    for key, value in fields.items():
        if getattr(commitment, key) != value:
            setattr(commitment, key, value)
            changed.append(key)
    _clean(commitment)
    flags_changed = _apply_flags(commitment)
    if commitment.fc_flagged and ({"content", "clause", "category"} & set(changed) or flags_changed):
        commitment.fc_reviewer, commitment.fc_reviewed_at = None, None
    bump_version(commitment, expected_version=version)
    if changed:
        _event(commitment, actor, "updated", fields=[_label(f) for f in changed], flags=commitment.fc_flags)
    _scope(actor, commitment, "change")
    return commitment


@transaction.atomic
def commitment_flag_justify(*, actor, commitment: Commitment, version, reason: str, basis: str = "") -> Commitment:
    """The reason (and legal basis) for keeping a flagged draft line; it then waits for a second reviewer."""
    _scope(actor, commitment, "change")
    if not commitment.fc_flagged:
        raise ApplicationError(_("该承诺未触发公平竞争审查提示，无需说明理由。"), code="not_flagged")
    if commitment.state != CommitmentState.DRAFT:
        raise ApplicationError(_("该承诺已签订，不能再修改保留理由。"), code="signed")
    if commitment.fc_reviewer_id:
        raise ApplicationError(_("该提示已复核通过，不能再修改理由。"), code="reviewed")
    reason, basis = (reason or "").strip(), (basis or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明保留该承诺的理由（例如符合公平竞争审查例外规定的情形）。")})
    commitment.fc_reason, commitment.fc_basis = reason[:500], basis[:300]
    commitment.fc_requested_by = actor
    commitment.fc_reviewer, commitment.fc_reviewed_at = None, None
    bump_version(
        commitment,
        expected_version=version,
        update_fields=["fc_reason", "fc_basis", "fc_requested_by", "fc_reviewer", "fc_reviewed_at"],
        state=CommitmentState.DRAFT,
    )
    _event(commitment, actor, "justified", reason=commitment.fc_reason, basis=commitment.fc_basis)
    reviewers = [
        u
        for u in _reviewers(commitment.lead)
        if actor is None or u.pk != actor.pk  # the second reviewer is someone else
    ]
    _notify(
        reviewers,
        _("公平竞争审查提示待复核：%(c)s") % {"c": commitment.content[:40]},
        _("招商项目“%(l)s”；理由：%(r)s") % {"l": commitment.lead.name, "r": commitment.fc_reason},
        f"{reverse('investment:fc_flags')}?state=pending_review",
        level="warning",
    )
    return commitment


def _reviewers(lead: Lead) -> list:
    from tuijin.users.recipients import users_covering

    return list(users_covering(lead.tracking_unit, "investment.review_commitment"))


@transaction.atomic
def commitment_flag_review(*, actor, commitment: Commitment, version, approve: bool, opinion: str = "") -> Commitment:
    """The second review of a justified flag: approve (the line may be signed), or reject (the reason is cleared and
    whoever gave it is told; an opinion is required). The reviewer must not be whoever gave the reason."""
    _require(actor, "investment.review_commitment", _("您没有公平竞争审查复核的权限。"))
    _scope(actor, commitment, "review")
    opinion = (opinion or "").strip()
    if not commitment.fc_flagged or commitment.state != CommitmentState.DRAFT:
        raise ApplicationError(_("该承诺没有待复核的公平竞争审查提示。"), code="not_pending")
    if not commitment.fc_reason:
        raise ApplicationError(_("跟踪单位尚未说明保留理由，暂不能复核。"), code="no_reason")
    if commitment.fc_reviewer_id:
        raise ApplicationError(_("该提示已复核通过。"), code="not_pending")
    if actor is not None and commitment.fc_requested_by_id == actor.pk:
        raise ApplicationError(
            _("复核须由提出保留理由以外的第二人进行，您不能复核自己提出的理由。"), code="same_person"
        )
    if not approve and not opinion:
        raise ValidationError({"opinion": _("不同意保留须填写复核意见。")})
    requester = commitment.fc_requested_by
    if approve:
        commitment.fc_reviewer, commitment.fc_reviewed_at = actor, timezone.now()
    else:
        commitment.fc_reason = commitment.fc_basis = ""
        commitment.fc_requested_by = None
        commitment.fc_reviewer, commitment.fc_reviewed_at = None, None
    bump_version(
        commitment,
        expected_version=version,
        update_fields=["fc_reason", "fc_basis", "fc_requested_by", "fc_reviewer", "fc_reviewed_at"],
        state=CommitmentState.DRAFT,
        fc_reviewer__isnull=True,
        message=_("该提示已被他人处理（您看到的是第 %(mine)d 版，当前为第 %(now)d 版），您的复核未保存。"),
    )
    _event(commitment, actor, "reviewed" if approve else "review_rejected", approve=approve, opinion=opinion[:300])
    if not approve:
        _notify(
            [requester, *_unit_people(commitment.lead.tracking_unit, "investment.change_commitment")],
            _("公平竞争审查复核未通过：%(c)s") % {"c": commitment.content[:40]},
            _("复核意见：%(o)s。请修改承诺内容或重新说明理由。") % {"o": opinion},
            reverse("investment:lead", args=[commitment.lead_id]) + f"#commitment-{commitment.pk}",
            level="warning",
        )
    return commitment


def _refresh_flags(lead: Lead) -> None:
    """Store each draft's current flags (the office may have changed the list since the line was saved)."""
    with transaction.atomic():
        for commitment in lead.commitments.select_for_update().filter(state=CommitmentState.DRAFT):
            if _apply_flags(commitment):
                if commitment.fc_flagged:
                    commitment.fc_reviewer, commitment.fc_reviewed_at = None, None
                commitment._changelog_message = _("公平竞争审查提示更新")
                commitment.save(
                    update_fields=[
                        "fc_flags",
                        "fc_flagged",
                        "fc_reason",
                        "fc_basis",
                        "fc_requested_by",
                        "fc_reviewer",
                        "fc_reviewed_at",
                        "last_updated",
                    ]
                )


def agreement_sign(*, actor, lead: Lead) -> list[Commitment]:
    """保存为已签订: every draft line of the lead becomes 已签订 in one transaction, after the 公平竞争审查 pre-check
    (the flags are computed again first). Refused, naming the lines, while a flagged line lacks a reason and a
    second reviewer; the enterprise is asked to confirm the signed lines."""
    _require(actor, "investment.change_commitment", _("您没有签订承诺台账的权限。"))
    _lead_open(lead)
    if actor is not None and not Lead.objects.restrict(actor, "view").filter(pk=lead.pk).exists():
        raise PermissionDenied(_("该招商项目不在您的管理范围内。"))
    _refresh_flags(lead)
    return _sign(actor=actor, lead=lead)


@transaction.atomic
def _sign(*, actor, lead: Lead) -> list[Commitment]:
    check = sign_blockers(lead)
    if not check.drafts:
        raise ApplicationError(_("没有草拟的承诺需要签订。"), code="no_drafts")
    if check.blockers:
        names = "；".join(f"“{c.content[:30]}”（{'、'.join(check.flags[c.pk])}）" for c in check.blockers)
        raise ApplicationError(
            _("以下承诺触发公平竞争审查提示，须填写保留理由并经第二人复核后才能签订：%(l)s") % {"l": names},
            code="flag_unreviewed",
            extra={"commitments": [c.pk for c in check.blockers]},
        )
    for commitment in check.drafts:
        commitment.state = CommitmentState.SIGNED
        commitment.confirmation = Confirmation.PENDING
        bump_version(
            commitment,
            expected_version=commitment.version,
            update_fields=["state", "confirmation"],
            state=CommitmentState.DRAFT,
        )
        if actor is not None and not Commitment.objects.restrict(actor, "change").filter(pk=commitment.pk).exists():
            raise PermissionDenied(_("该承诺不在您的管理范围内。"))
    lead_event_create(
        lead=lead,
        actor=actor,
        type=LeadEventType.AGREEMENT_SIGNED,
        data={
            "count": len(check.drafts),
            "government": sum(1 for c in check.drafts if c.side == CommitmentSide.GOVERNMENT),
            "investor": sum(1 for c in check.drafts if c.side == CommitmentSide.INVESTOR),
            "flagged": sum(1 for c in check.drafts if c.fc_flagged),
        },
    )
    _notify(
        _enterprise_users(lead),
        _("请确认承诺台账：%(l)s") % {"l": lead.name},
        _("双方共 %(n)d 项承诺已签订，请逐项确认或提出异议。") % {"n": len(check.drafts)},
        f"{reverse('investment:ledger')}?lead={lead.pk}",
        level="warning",
    )
    return check.drafts


def _clean_status(
    commitment: Commitment, status: str, realised_amount, fulfilled_on, evidence: str, status_note: str
) -> None:
    errors: dict[str, list[str]] = {}
    if status not in CommitmentStatus.values:
        _add(errors, "status", _("请选择兑现状态。"))
    if status == CommitmentStatus.FULFILLED and fulfilled_on is None:
        _add(errors, "fulfilled_on", _("已兑现须填写兑现日期。"))
    if fulfilled_on is not None and fulfilled_on > _today():
        _add(errors, "fulfilled_on", _("兑现日期不能晚于今天。"))
    if status in (CommitmentStatus.PARTIAL, CommitmentStatus.UNABLE) and not status_note:
        _add(errors, "status_note", _("部分兑现或无法兑现须填写情况说明。"))
    if realised_amount is not None and realised_amount < Decimal(0):
        _add(errors, "realised_amount", _("兑现金额不能为负数。"))
    if status == CommitmentStatus.FULFILLED and commitment.side == CommitmentSide.GOVERNMENT and not evidence:
        _add(errors, "evidence", _("政府承诺已兑现须填写兑现佐证（文件、凭证或说明）。"))
    _raise(errors)


@transaction.atomic
def commitment_set_status(
    *,
    actor,
    commitment: Commitment,
    version,
    status: str,
    realised_amount=None,
    realised_value=None,
    fulfilled_on=None,
    evidence: str = "",
    status_note: str = "",
) -> Commitment:
    """The status of a signed line, with the realised figures, the date and the evidence. A change of status asks the
    enterprise to confirm again (待企业确认) and tells it; a kept government promise resolves its 协调工单."""
    _scope(actor, commitment, "change")
    if commitment.state != CommitmentState.SIGNED:
        raise ApplicationError(_("承诺签订后才能更新兑现情况。"), code="not_signed")
    evidence, status_note = (evidence or "").strip(), (status_note or "").strip()
    _clean_status(commitment, status, realised_amount, fulfilled_on, evidence, status_note)
    before = commitment.status
    commitment.status = status
    commitment.realised_amount, commitment.realised_value = realised_amount, realised_value
    commitment.fulfilled_on = fulfilled_on
    commitment.evidence, commitment.status_note = evidence[:500], status_note[:500]
    fields = ["status", "realised_amount", "realised_value", "fulfilled_on", "evidence", "status_note"]
    if status != before:
        commitment.confirmation = Confirmation.PENDING
        commitment.confirmation_comment = ""
        commitment.confirmed_at, commitment.confirmed_by = None, None
        fields += ["confirmation", "confirmation_comment", "confirmed_at", "confirmed_by"]
    bump_version(commitment, expected_version=version, update_fields=fields, state=CommitmentState.SIGNED)
    _event(commitment, actor, "status", before=before, status=status, evidence=commitment.evidence)
    if status != before:
        _notify(
            _enterprise_users(commitment.lead),
            _("承诺兑现情况已更新，请确认：%(c)s") % {"c": commitment.content[:40]},
            _("%(l)s：%(s)s") % {"l": commitment.lead.name, "s": commitment.get_status_display()},
            _ledger_url(commitment),
        )
    if status in KEPT:
        _ticket_finish(commitment)
    return commitment


@transaction.atomic
def commitment_confirm(*, actor, commitment: Commitment, version, agree: bool, comment: str = "") -> Commitment:
    """The enterprise confirms a signed line (企业已确认) or disputes it (企业有异议, with a comment); the tracking
    unit and, for a government promise, the responsible unit are told."""
    _require(actor, "investment.confirm_commitment", _("只有企业用户可以确认承诺台账。"))
    _scope(actor, commitment, "confirm")
    if commitment.state != CommitmentState.SIGNED:
        raise ApplicationError(_("承诺签订后才能确认。"), code="not_signed")
    comment = (comment or "").strip()
    if not agree and not comment:
        raise ValidationError({"comment": _("提出异议须填写企业意见，说明哪里与约定不符。")})
    commitment.confirmation = Confirmation.CONFIRMED if agree else Confirmation.DISPUTED
    commitment.confirmation_comment = comment[:500]
    commitment.confirmed_at, commitment.confirmed_by = timezone.now(), actor
    bump_version(
        commitment,
        expected_version=version,
        update_fields=["confirmation", "confirmation_comment", "confirmed_at", "confirmed_by"],
        state=CommitmentState.SIGNED,
    )
    _event(commitment, actor, "confirmed" if agree else "disputed", comment=commitment.confirmation_comment)
    recipients = _unit_people(commitment.lead.tracking_unit, "investment.change_commitment")
    if commitment.side == CommitmentSide.GOVERNMENT:
        recipients += _unit_people(commitment.responsible_unit, "investment.view_commitment")
    if agree:
        title = _("企业已确认承诺：%(c)s") % {"c": commitment.content[:40]}
    else:
        title = _("企业对承诺有异议：%(c)s") % {"c": commitment.content[:40]}
    _notify(
        recipients,
        title,
        _("%(l)s；企业意见：%(o)s") % {"l": commitment.lead.name, "o": comment or _("无")},
        reverse("investment:lead", args=[commitment.lead_id]) + f"#commitment-{commitment.pk}",
        level="info" if agree else "warning",
    )
    return commitment


# --- overdue government promises → 协调工单 (the tickets' machinery) ------------------------------------------------


def _ticket_raiser(lead: Lead):
    """Whom the ticket is raised in the name of: the tracking unit's own people who may raise tickets, else the
    district's (the office). The ticket's timeline says it came from the ledger (source 招商承诺超期)."""
    from tuijin.org.choices import ScopeKind
    from tuijin.users.recipients import users_covering

    people = users_covering(lead.tracking_unit, "tickets.add_ticket", kinds=(ScopeKind.UNIT,)).exclude(
        memberships__unit__unit_type="enterprise"
    )
    user = people.first()
    if user is None:
        user = (
            users_covering(lead.tracking_unit, "tickets.add_ticket", kinds=(ScopeKind.REGION,))
            .exclude(memberships__unit__unit_type="enterprise")
            .first()
        )
    return user


def _ticket_category() -> str:
    from tuijin.tickets.choices import TicketCategory
    from tuijin.tickets.models import CategorySLA
    from tuijin.tickets.services import problem_category

    if CategorySLA.objects.filter(category=TicketCategory.POLICY, is_active=True).exists():
        return str(TicketCategory.POLICY)
    return problem_category(str(TicketCategory.POLICY.label))


def _raise_ticket(commitment: Commitment, today: date):
    """One 协调工单 for an overdue government promise: raised (source 招商承诺超期, category 政策兑现), assigned to the
    responsible unit, its deadlines the promise's due date so that escalate_overdue escalates it by the tickets'
    rules. Returns the ticket, or None when it cannot be raised (no one to raise it in the name of, no project
    and no enterprise to attach it to)."""
    from tuijin.tickets import services as tickets
    from tuijin.tickets.choices import TicketSource

    lead = commitment.lead
    if lead.project_id is None and lead.enterprise_id is None:
        return None
    raiser = _ticket_raiser(lead)
    if raiser is None:
        return None
    days = (today - commitment.due_date).days
    ticket = tickets.ticket_raise(
        actor=raiser,
        source=TicketSource.COMMITMENT,
        category=_ticket_category(),
        title=_("承诺超期未兑现：%(l)s · %(c)s") % {"l": lead.name[:30], "c": commitment.content[:40]},
        description=_(
            "招商项目“%(l)s”的政府承诺“%(c)s”计划于 %(d)s 兑现，已超期 %(n)d 天，当前状态：%(s)s。"
            "（由承诺台账自动生成，承诺兑现后自动办结。）"
        )
        % {
            "l": lead.name,
            "c": commitment.content,
            "d": commitment.due_date.isoformat(),
            "n": days,
            "s": commitment.get_status_display(),
        },
        help_requested=commitment.condition,
        project=lead.project,
        enterprise=lead.enterprise,
        # the promise's due date is the ticket's deadline: past it, the tickets' escalation rules apply from that day
        resolution_due=commitment.due_date,
    )
    ticket = tickets.ticket_assign(
        actor=None,
        ticket=ticket,
        version=ticket.version,
        lead_unit=commitment.responsible_unit,
        note=_("承诺台账：政府承诺超期未兑现"),
    )
    return ticket


def _link_ticket(commitment: Commitment, ticket) -> None:
    commitment.ticket = ticket
    commitment._changelog_message = _("超期生成协调工单")
    commitment.save(update_fields=["ticket", "last_updated"])


def _ticket_finish(commitment: Commitment) -> None:
    """A kept promise (已兑现) resolves its open ticket with the evidence as the result; one that cannot be kept
    (无法兑现-已沟通) ends it as 无法解决 with the explanation. Through the tickets' services, as the system."""
    from tuijin.tickets import services as tickets
    from tuijin.tickets.choices import TicketStatus
    from tuijin.tickets.models import Ticket

    if commitment.ticket_id is None:
        return
    ticket = Ticket.objects.select_related("lead_unit").get(pk=commitment.ticket_id)
    if ticket.status not in tickets.OPEN:
        return
    if commitment.status == CommitmentStatus.UNABLE:
        tickets.ticket_unresolvable(
            actor=None, ticket=ticket, version=ticket.version, explanation=commitment.status_note or _("无法兑现")
        )
        return
    if ticket.status == TicketStatus.PENDING:
        ticket = tickets.ticket_assign(
            actor=None, ticket=ticket, version=ticket.version, lead_unit=commitment.responsible_unit
        )
    result = _("承诺已兑现（%(d)s）。佐证：%(e)s") % {
        "d": commitment.fulfilled_on.isoformat() if commitment.fulfilled_on else "—",
        "e": commitment.evidence or _("无"),
    }
    tickets.ticket_resolve(actor=None, ticket=ticket, version=ticket.version, result=result)


def check_overdue(today: date | None = None) -> dict[str, Any]:
    """Every signed government promise still outstanding past its due date, without a live ticket, gets a 协调工单
    (see `_raise_ticket`); a promise whose earlier ticket was closed while it is still outstanding gets a new one.
    Kept promises whose ticket is still open have it resolved. Idempotent: run it daily (tasks_ledger, command
    `check_commitments`). Returns {"raised": n, "resolved": n, "skipped": [commitment ids]}."""
    from tuijin.tickets.services import OPEN

    today = today or _today()
    live = list(OPEN) + ["resolved"]
    candidates = (
        Commitment.objects.filter(overdue_government_condition(today))
        .filter(Q(ticket__isnull=True) | ~Q(ticket__status__in=live))
        .select_related("lead", "lead__tracking_unit", "lead__project", "lead__enterprise", "responsible_unit")
        .order_by("due_date", "pk")
    )
    raised, skipped = 0, []
    for commitment in candidates:
        try:
            with transaction.atomic():
                fresh = Commitment.objects.select_for_update().get(pk=commitment.pk)
                if fresh.ticket_id and fresh.ticket_id != commitment.ticket_id:
                    continue  # a concurrent run linked one
                ticket = _raise_ticket(commitment, today)
                if ticket is None:
                    skipped.append(commitment.pk)
                    continue
                _link_ticket(fresh, ticket)
                raised += 1
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            log.warning("commitment %s: no ticket raised: %s", commitment.pk, exc)
            skipped.append(commitment.pk)
    resolved = 0
    kept = Commitment.objects.filter(
        side=CommitmentSide.GOVERNMENT, status__in=KEPT, ticket__status__in=list(OPEN)
    ).select_related("lead")
    for commitment in kept:
        try:
            with transaction.atomic():
                _ticket_finish(commitment)
                resolved += 1
        except (ValidationError, ApplicationError) as exc:
            log.warning("commitment %s: ticket not finished: %s", commitment.pk, exc)
    return {"today": today.isoformat(), "raised": raised, "resolved": resolved, "skipped": skipped}


# --- the office's category list -------------------------------------------------------------------------------------


@transaction.atomic
def fc_category_save(*, actor, category: FairCompetitionCategory | None, version=None, data: dict[str, Any]):
    """Add (category None) or edit a 公平竞争审查 category. Never deleted: deactivate it (`is_active`)."""
    permission = "add" if category is None else "change"
    _require(actor, f"investment.{permission}_faircompetitioncategory", _("您没有维护公平竞争审查类别的权限。"))
    row = category or FairCompetitionCategory()
    for key in FC_FIELDS:
        if key in data:
            setattr(row, key, data[key])
    errors: dict[str, list[str]] = {}
    row.name = (row.name or "").strip()
    if not row.name:
        _add(errors, "name", _("请填写类别名称。"))
    elif FairCompetitionCategory.objects.filter(name=row.name).exclude(pk=row.pk).exists():
        _add(errors, "name", _("已有同名的类别“%(n)s”。") % {"n": row.name})
    row.keywords = "\n".join(row.keyword_list)
    if not row.keywords:
        _add(errors, "keywords", _("请至少填写一个关键词（每行一个）。"))
    listed = list(row.commitment_categories or [])
    if any(c not in CommitmentCategory.values for c in listed):
        _add(errors, "commitment_categories", _("对应承诺类别只能从列表中选择。"))
    else:
        row.commitment_categories = [c for c in CommitmentCategory.values if c in listed]
    _raise(errors)
    if category is None:
        row.save()
    else:
        bump_version(row, expected_version=version)
    return row


# --- the lead page's section and the home page's to-dos -------------------------------------------------------------


@register_panel
def ledger_panel(user, lead: Lead) -> dict | None:
    """承诺台账 on the lead page (order 30): both sides, each line's actions, the add form, the sign preview."""
    if not user.has_perm("investment.view_commitment"):
        return None
    from .views_ledger import panel_context

    return panel_context(user, lead)


def _ledger_link(query: str) -> str:
    return f"{reverse('investment:ledger')}?{query}"


@register_attention
def ledger_attention(user) -> list[AttentionItem]:
    """待确认的承诺 (enterprise), 待复核的公平竞争审查提示 (reviewer), 超期未兑现的政府承诺 (responsible unit),
    企业有异议的承诺 and 待说明理由的公平竞争审查提示 (tracking unit). One query per group."""
    items: list[AttentionItem] = []
    if not user.has_perm("investment.view_commitment"):
        return items
    today = _today()
    if user.has_perm("investment.confirm_commitment"):
        pending = (
            Commitment.objects.restrict(user, "confirm")
            .filter(state=CommitmentState.SIGNED, confirmation=Confirmation.PENDING)
            .aggregate(n=Count("pk"))["n"]
        )
        if pending:
            items.append(AttentionItem(_("待确认的承诺"), pending, _ledger_link("confirmation=pending"), "warning"))
    if user.has_perm("investment.review_commitment"):
        waiting = (
            Commitment.objects.restrict(user, "review")
            .filter(FLAG_STATES["pending_review"], state=CommitmentState.DRAFT)
            .exclude(fc_requested_by=user)
            .aggregate(n=Count("pk"))["n"]
        )
        if waiting:
            items.append(
                AttentionItem(
                    _("待复核的公平竞争审查提示"),
                    waiting,
                    f"{reverse('investment:fc_flags')}?state=pending_review",
                    "warning",
                )
            )
    responsible = _responsible_condition(user)
    if responsible is not None:
        overdue = Commitment.objects.filter(responsible, overdue_government_condition(today)).aggregate(n=Count("pk"))[
            "n"
        ]
        if overdue:
            items.append(
                AttentionItem(
                    _("超期未兑现的政府承诺"),
                    overdue,
                    _ledger_link("overdue=1&side=government&mine=responsible"),
                    "danger",
                )
            )
    if user.has_perm("investment.change_commitment"):
        counts = (
            Commitment.objects.restrict(user, "change")
            .order_by()
            .aggregate(
                disputed=Count("pk", filter=Q(state=CommitmentState.SIGNED, confirmation=Confirmation.DISPUTED)),
                reason=Count("pk", filter=FLAG_STATES["pending_reason"]),
            )
        )
        if counts["disputed"]:
            items.append(
                AttentionItem(
                    _("企业有异议的承诺"), counts["disputed"], _ledger_link("confirmation=disputed"), "danger"
                )
            )
        if counts["reason"]:
            items.append(
                AttentionItem(
                    _("待说明理由的公平竞争审查提示"),
                    counts["reason"],
                    f"{reverse('investment:fc_flags')}?state=pending_reason",
                    "warning",
                )
            )
    return items
