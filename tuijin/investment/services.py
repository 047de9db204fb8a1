"""Writes for investment leads: create, update, stage submission (forward one or more steps with each stage's data),
review (通过/退回 with an opinion), termination (with a reason) and restoration, and the conversion of a signed lead
into a key project (`lead_to_project`, through projects.services.project_create).

Every service runs in one transaction, saves through `core.locking.bump_version` (a stale version raises
ConflictError and writes nothing), writes a `LeadEvent` for the timeline, and checks the actor's permission and scope
with `restrict()` (PermissionDenied rolls the write back). Errors are ValidationError keyed by field, in Chinese, or
ApplicationError for a refused step.
"""

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.core.permissions import check_scope
from tuijin.projects.validators import validate_credit_code

from .choices import PIPELINE, InvestorTag, LeadEventType, LeadStage, ReviewStatus
from .models import Lead, LeadEvent

__all__ = [
    "LEAD_FIELDS",
    "STAGE_FIELDS",
    "STAGE_REQUIRED",
    "allowed_targets",
    "lead_create",
    "lead_event_create",
    "lead_restore",
    "lead_review",
    "lead_submit_stage",
    "lead_terminate",
    "lead_to_project",
    "lead_update",
]

# The fields of the lead itself (在谈), edited by lead_create / lead_update.
LEAD_FIELDS = [
    "name",
    "investor",
    "investor_tags",
    "industry",
    "chain",
    "content",
    "planned_investment",
    "planned_investment_approx",
    "planned_site",
    "land_need_mu",
    "tracking_unit",
    "tracking_person",
    "contact_name",
    "contact_position",
    "contact_phone",
    "recommender",
    # kept up to date by the tracking unit as the lead moves on (registration details, site and land, funds arrived,
    # output), and the investor's enterprise account that sees and confirms the promise ledger
    "reg_capital",
    "legal_person",
    "shareholders",
    "site",
    "land_mu",
    "arrived_funds",
    "capacity",
    "monthly_sales",
    "enterprise",
]
# The data each stage brings, submitted with it (lead_submit_stage).
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    LeadStage.SIGNED: ("signed_date", "contract_kind", "signed_total", "phase1_investment"),
    LeadStage.REGISTERED: ("registered_name", "credit_code", "registered_date"),
    LeadStage.STARTED: ("start_date",),
    LeadStage.PRODUCING: ("production_date",),
    LeadStage.REACHED: ("reached_date",),
}
STAGE_REQUIRED: dict[str, tuple[str, ...]] = {
    LeadStage.SIGNED: ("signed_date", "contract_kind", "signed_total"),
    LeadStage.REGISTERED: ("registered_name", "registered_date"),
    LeadStage.STARTED: ("start_date",),
    LeadStage.PRODUCING: ("production_date",),
    LeadStage.REACHED: ("reached_date",),
}
FINAL = (LeadStage.REACHED, LeadStage.TERMINATED)
DATE_ORDER = [("start_date", _("开工时间")), ("production_date", _("投产时间")), ("reached_date", _("达产时间"))]


def _label(field: str) -> str:
    return str(getattr(Lead._meta.get_field(field), "verbose_name", field))


def _stage_label(stage: str) -> str:
    return str(dict(LeadStage.choices).get(stage, stage))


def lead_event_create(*, lead: Lead, actor, type: str, data: dict | None = None) -> LeadEvent:
    return LeadEvent.objects.create(lead=lead, actor=actor, type=type, data=data or {})


def allowed_targets(lead: Lead) -> list[str]:
    """The stages a submission may move `lead` to now: its own stage again after a return (重新提交), else every later
    stage of the pipeline once the current stage is not waiting for or sent back from review."""
    if lead.stage == LeadStage.TERMINATED:
        return []
    if lead.review_status == ReviewStatus.RETURNED:
        return [lead.stage]
    if lead.review_status == ReviewStatus.PENDING:
        return []
    index = PIPELINE.index(LeadStage(lead.stage))
    return list(PIPELINE[index + 1 :])


def _returned_span(lead: Lead) -> list[str]:
    """The stages a returned submission covered (it may have moved several steps at once): their data may be
    corrected when it is submitted again."""
    last = LeadEvent.objects.filter(lead=lead, type=LeadEventType.SUBMITTED).order_by("-created", "-pk").first()
    before = (last.data or {}).get("from") if last is not None else None
    end = PIPELINE.index(LeadStage(lead.stage))
    start = (
        PIPELINE.index(LeadStage(before)) + 1 if before in LeadStage.values and before != LeadStage.TERMINATED else end
    )
    return [str(s) for s in PIPELINE[min(start, end) : end + 1]]


def open_stages(lead: Lead) -> set[str]:
    """The stages whose data a submission may set now: those of a returned submission, or every stage the lead may
    move to."""
    if lead.stage != LeadStage.TERMINATED and lead.review_status == ReviewStatus.RETURNED:
        return set(_returned_span(lead))
    return {str(s) for s in allowed_targets(lead)}


# --- validation ---------------------------------------------------------------------------------------------------


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(str(message))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _clean_lead(lead: Lead, *, chain_before: int | None = None) -> None:
    """Field checks, investor tags, the chain (a deactivated one only if the lead already had it), the constraints."""
    errors: dict[str, list[str]] = {}
    try:
        lead.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                _add(errors, key, message)
    tags = lead.investor_tags
    if not isinstance(tags, list) or any(t not in InvestorTag.values for t in tags):
        _add(errors, "investor_tags", _("投资方性质只能从列表中选择。"))
    else:
        lead.investor_tags = [t for t in InvestorTag.values if t in tags]  # the list's order, each once
    if lead.chain is not None and not lead.chain.is_active and lead.chain_id != chain_before:
        _add(errors, "chain", _("产业链“%(c)s”已停用，请选择其他产业链。") % {"c": lead.chain})
    if lead.planned_investment is None:
        lead.planned_investment_approx = False
    if lead.enterprise is not None and lead.enterprise.unit_type != "enterprise":
        _add(errors, "enterprise", _("企业账号只能选择企业。"))
    if lead.credit_code:
        try:
            lead.credit_code = validate_credit_code(lead.credit_code)
        except ValidationError as exc:
            _add(errors, "credit_code", exc.messages[0])
    today = timezone.localdate()
    for name in ("signed_date", "registered_date", "start_date", "production_date", "reached_date"):
        value = getattr(lead, name)
        if value and value > today:
            _add(errors, name, _("%(f)s不能晚于今天。") % {"f": _label(name)})
    for (earlier, earlier_label), (later, later_label) in zip(DATE_ORDER, DATE_ORDER[1:], strict=False):
        a, b = getattr(lead, earlier), getattr(lead, later)
        if a and b and b < a:
            _add(errors, later, _("%(b)s不能早于%(a)s。") % {"a": earlier_label, "b": later_label})
    if not errors:
        for constraint in Lead._meta.constraints:
            try:
                constraint.validate(Lead, lead)  # type: ignore[attr-defined]
            except ValidationError as exc:
                for message in exc.messages:
                    _add(errors, NON_FIELD_ERRORS, message)
    _raise(errors)


def _check(actor, lead: Lead, action: str) -> None:
    check_scope(actor, lead, action, message=_("该招商项目不在您的管理范围内（例如跟踪单位不属于本单位）。"))


# --- create / update ----------------------------------------------------------------------------------------------


@transaction.atomic
def lead_create(*, actor, data: dict[str, Any]) -> Lead:
    """A new lead, 在谈 (its own data needs no review)."""
    lead = Lead(**{k: v for k, v in data.items() if k in LEAD_FIELDS})
    if "is_demo" in data:
        lead.is_demo = bool(data["is_demo"])
    _clean_lead(lead)
    lead.save()
    lead_event_create(lead=lead, actor=actor, type=LeadEventType.CREATED)
    _check(actor, lead, "add")
    return lead


@transaction.atomic
def lead_update(*, actor, lead: Lead, version, data: dict[str, Any]) -> Lead:
    """Edit the lead's own fields (not its stage data, which goes through lead_submit_stage)."""
    _check(actor, lead, "change")
    chain_before = lead.chain_id
    changed = []
    for key, value in data.items():
        if key in LEAD_FIELDS and getattr(lead, key) != value:
            setattr(lead, key, value)
            changed.append(key)
    _clean_lead(lead, chain_before=chain_before)
    bump_version(lead, expected_version=version)
    if changed:
        lead_event_create(
            lead=lead, actor=actor, type=LeadEventType.UPDATED, data={"fields": [_label(f) for f in changed]}
        )
    _check(actor, lead, "change")
    return lead


# --- the stage workflow -------------------------------------------------------------------------------------------


def lead_submit_stage(*, actor, lead: Lead, version, to_stage: str, data: dict[str, Any]) -> Lead:
    """Move the lead forward to `to_stage` (one or more steps) with the data of every stage it reaches, or submit the
    current stage again after it was returned. The submission is 审核中 until a reviewer approves or returns it.
    When refused, nothing is written and `lead` is as it was stored."""
    try:
        return _submit_stage(actor=actor, lead=lead, version=version, to_stage=to_stage, data=data)
    except Exception:
        if lead.pk:
            lead.refresh_from_db()
        raise


@transaction.atomic
def _submit_stage(*, actor, lead: Lead, version, to_stage: str, data: dict[str, Any]) -> Lead:
    _check(actor, lead, "change")
    if lead.stage == LeadStage.TERMINATED:
        raise ApplicationError(_("该招商项目已终止，须先恢复才能变更阶段。"), code="terminated")
    if to_stage not in LeadStage.values or to_stage == LeadStage.TERMINATED:
        raise ValidationError({"to_stage": _("请选择要提交的阶段。")})
    resubmit = to_stage == lead.stage
    if to_stage not in allowed_targets(lead):
        if lead.review_status == ReviewStatus.PENDING:
            message = _("“%(s)s”阶段的资料正在审核中，审核通过后才能进入下一阶段。")
        elif lead.review_status == ReviewStatus.RETURNED:
            message = _("“%(s)s”阶段的资料已被退回，请按审核意见修改后重新提交，通过后才能进入下一阶段。")
        elif resubmit or PIPELINE.index(LeadStage(to_stage)) < PIPELINE.index(LeadStage(lead.stage)):
            message = _("招商项目当前处于“%(s)s”阶段，阶段不能倒退或原地提交。")
        else:
            message = _("当前（“%(s)s”阶段）不能提交该阶段。")
        raise ApplicationError(message % {"s": _stage_label(lead.stage)}, code="stage_not_allowed")
    if resubmit:
        stages = _returned_span(lead)
    else:
        stages = [
            str(s)
            for s in PIPELINE[PIPELINE.index(LeadStage(lead.stage)) + 1 : PIPELINE.index(LeadStage(to_stage)) + 1]
        ]
    allowed_fields = {f for s in stages for f in STAGE_FIELDS.get(s, ())}
    for key, value in data.items():
        if key in allowed_fields:
            setattr(
                lead, key, "" if value is None and key in ("contract_kind", "registered_name", "credit_code") else value
            )
    errors: dict[str, list[str]] = {}
    for stage in stages:
        for name in STAGE_REQUIRED.get(stage, ()):
            if getattr(lead, name) in (None, ""):
                _add(errors, name, _("进入“%(s)s”阶段须填写%(f)s。") % {"s": _stage_label(stage), "f": _label(name)})
    _raise(errors)
    before = lead.stage
    lead.stage = to_stage
    lead.review_status = ReviewStatus.PENDING
    lead.review_opinion = ""
    _clean_lead(lead, chain_before=lead.chain_id)
    bump_version(lead, expected_version=version)
    lead_event_create(
        lead=lead,
        actor=actor,
        type=LeadEventType.RESUBMITTED if resubmit else LeadEventType.SUBMITTED,
        data={"from": before, "to": to_stage},
    )
    _check(actor, lead, "change")
    return lead


def _notify_returned(lead: Lead, opinion: str) -> None:
    from tuijin.notifications.models import NotificationLevel
    from tuijin.notifications.services import notify
    from tuijin.org.choices import ScopeKind
    from tuijin.users.recipients import users_covering

    recipients = list(users_covering(lead.tracking_unit, "investment.change_lead", kinds=(ScopeKind.UNIT,)))
    submitter = (
        LeadEvent.objects.filter(lead=lead, type__in=[LeadEventType.SUBMITTED, LeadEventType.RESUBMITTED])
        .exclude(actor=None)
        .select_related("actor")
        .order_by("-created", "-pk")
        .first()
    )
    if submitter is not None:
        recipients.append(submitter.actor)
    notify(
        users=recipients,
        title=_("招商项目“%(n)s”的“%(s)s”阶段资料被退回") % {"n": lead.name, "s": _stage_label(lead.stage)},
        body=_("审核意见：%(o)s") % {"o": opinion},
        url=reverse("investment:lead", args=[lead.pk]),
        level=NotificationLevel.WARNING,
        kind="lead_returned",
    )


@transaction.atomic
def lead_review(*, actor, lead: Lead, version, approve: bool, opinion: str = "") -> Lead:
    """Approve or return the submitted stage (审核中 → 通过 / 退回). A return needs an opinion and tells the tracking
    unit (and whoever submitted). Of two reviewers acting at once, exactly one wins."""
    _check(actor, lead, "review")
    opinion = (opinion or "").strip()
    if lead.stage == LeadStage.TERMINATED or lead.review_status != ReviewStatus.PENDING:
        raise ApplicationError(_("该招商项目没有待审核的阶段资料。"), code="not_pending")
    if not approve and not opinion:
        raise ValidationError({"opinion": _("退回须填写审核意见，说明需要修改的内容。")})
    lead.review_status = ReviewStatus.APPROVED if approve else ReviewStatus.RETURNED
    lead.review_opinion = opinion[:500]
    bump_version(
        lead,
        expected_version=version,
        update_fields=["review_status", "review_opinion"],
        review_status=ReviewStatus.PENDING,
        message=_("该招商项目已被他人处理（您看到的是第 %(mine)d 版，当前为第 %(now)d 版），您的审核未保存。"),
    )
    lead_event_create(
        lead=lead,
        actor=actor,
        type=LeadEventType.APPROVED if approve else LeadEventType.RETURNED,
        data={"stage": lead.stage, "opinion": lead.review_opinion},
    )
    if approve:  # 签约甄别: the approved 签约 data is the lead's first signing (counted once, from then on)
        from .signing import ensure_first_signing  # signing.py imports this module

        ensure_first_signing(actor=actor, lead=lead)
    if not approve:
        _notify_returned(lead, lead.review_opinion)
    return lead


@transaction.atomic
def lead_terminate(*, actor, lead: Lead, version, reason: str) -> Lead:
    """终止 from any stage before 达产, with a reason; the stage it left is kept for 恢复."""
    _check(actor, lead, "change")
    reason = (reason or "").strip()
    if lead.stage in FINAL:
        raise ApplicationError(
            _("“%(s)s”的招商项目不能终止。") % {"s": _stage_label(lead.stage)}, code="stage_not_allowed"
        )
    if not reason:
        raise ValidationError({"reason": _("终止须填写原因。")})
    before = lead.stage
    lead.terminated_from, lead.stage, lead.termination_reason = before, LeadStage.TERMINATED, reason[:300]
    bump_version(lead, expected_version=version, update_fields=["stage", "terminated_from", "termination_reason"])
    lead_event_create(lead=lead, actor=actor, type=LeadEventType.TERMINATED, data={"from": before, "reason": reason})
    return lead


@transaction.atomic
def lead_restore(*, actor, lead: Lead, version, note: str = "") -> Lead:
    """恢复 a terminated lead to the stage it left (its review state as it was)."""
    _check(actor, lead, "change")
    if lead.stage != LeadStage.TERMINATED:
        raise ApplicationError(_("只有已终止的招商项目可以恢复。"), code="stage_not_allowed")
    to = lead.terminated_from or LeadStage.NEGOTIATING
    lead.stage, lead.terminated_from, lead.termination_reason = to, "", ""
    bump_version(lead, expected_version=version, update_fields=["stage", "terminated_from", "termination_reason"])
    lead_event_create(lead=lead, actor=actor, type=LeadEventType.RESTORED, data={"to": to, "note": (note or "")[:300]})
    return lead


# --- conversion into a key project ---------------------------------------------------------------------------------


def convertible(lead: Lead) -> tuple[bool, str]:
    """(may it be converted now, why not)."""
    if lead.project_id:
        return False, _("该招商项目已转为重点项目，不能重复转化。")
    if lead.stage == LeadStage.TERMINATED:
        return False, _("已终止的招商项目不能转为重点项目。")
    if lead.stage == LeadStage.NEGOTIATING:
        return False, _("签约后才能转为重点项目。")
    if lead.review_status in (ReviewStatus.PENDING, ReviewStatus.RETURNED):
        state = _("正在审核中") if lead.review_status == ReviewStatus.PENDING else _("已被退回")
        return False, _("“%(s)s”阶段的资料%(r)s，审核通过后才能转为重点项目。") % {
            "s": _stage_label(lead.stage),
            "r": state,
        }
    return True, ""


def project_fields(lead: Lead) -> dict[str, Any]:
    """The key project's fields, filled from the lead (nothing typed twice)."""
    from tuijin.projects.choices import ProjectDomain

    total = lead.signed_total if lead.signed_total is not None else lead.planned_investment
    fields: dict[str, Any] = {
        "name": lead.name,
        "owner_name": lead.registered_name or lead.investor,
        "owner_credit_code": lead.credit_code,
        "scale_content": lead.content,
        "address": lead.planned_site,
        "industry": lead.industry,
        "chain": lead.chain,
        "domain": ProjectDomain.INDUSTRY,
        "responsible_unit": lead.tracking_unit,
        "total_investment": total,
        "total_investment_approx": lead.signed_total is None and lead.planned_investment_approx,
        "land_area_mu": lead.land_need_mu,
        "remarks": _("由招商项目转化（签约 %(d)s，%(k)s）")
        % {
            "d": lead.signed_date or "—",
            "k": lead.get_contract_kind_display() or "—",
        },
    }
    if lead.start_date:
        fields["actual_start"] = lead.start_date
    return fields


@transaction.atomic
def lead_to_project(*, actor, lead: Lead, version):
    """A signed lead becomes a key project in one step (projects.services.project_create, so the project's own
    checks, history and timeline apply); both are linked. Converting twice is refused."""
    from tuijin.projects import services as project_services
    from tuijin.projects.choices import Stage

    _check(actor, lead, "convert")
    ok, why = convertible(lead)
    if not ok:
        raise ApplicationError(why, code="already_converted" if lead.project_id else "not_convertible")
    data = project_services.ProjectInput(fields=project_fields(lead), message=_("招商项目转化"))
    if lead.start_date:
        data.stage = Stage.CONSTRUCTION
    try:
        project = project_services.project_create(actor=actor, data=data)
    except ValidationError as exc:
        texts = (
            [f"{m}" for messages in exc.message_dict.values() for m in messages]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        raise ApplicationError(
            _("转为重点项目未完成：%(e)s 请先修改招商项目的资料。") % {"e": "；".join(texts)}, code="project_invalid"
        ) from exc
    lead.project = project
    bump_version(
        lead,
        expected_version=version,
        update_fields=["project"],
        project__isnull=True,
        message=_(
            "该招商项目已被他人修改或已转为重点项目（您看到的是第 %(mine)d 版，当前为第 %(now)d 版），未重复转化。"
        ),
    )
    lead_event_create(
        lead=lead, actor=actor, type=LeadEventType.CONVERTED, data={"project": project.pk, "name": project.name}
    )
    return project


def lead_follow_project(*, lead: Lead, project) -> Lead | None:
    """The project moves its lead (system steps, already reviewed on the project's side; nobody types them twice):

    - its 实际开工 moves the lead to 开工: from 注册, or from 签约 when the registration is known; otherwise only the
      start date is noted;
    - its 实际竣工 moves a lead at 开工 to 投产 (竣工投产) with that date as the production date.

    A lead whose stage data waits for review is left alone. None when nothing changes."""
    start, finish = project.actual_start, project.actual_finish
    before = lead.stage
    fields: list[str] = []
    if start is not None and lead.stage in (LeadStage.SIGNED, LeadStage.REGISTERED):
        moves = bool(lead.registered_name) and lead.review_status != ReviewStatus.PENDING
        if lead.start_date != start:
            lead.start_date = start
            fields.append("start_date")
        if moves:
            lead.stage = LeadStage.STARTED
    if (
        finish is not None
        and lead.stage == LeadStage.STARTED
        and lead.review_status != ReviewStatus.PENDING
        and (lead.start_date is None or finish >= lead.start_date)
    ):
        lead.stage, lead.production_date = LeadStage.PRODUCING, finish
        fields.append("production_date")
    if lead.stage != before:
        lead.review_status, lead.review_opinion = ReviewStatus.APPROVED, ""
        fields += ["stage", "review_status", "review_opinion"]
    if not fields:
        return None
    bump_version(lead, expected_version=lead.version, update_fields=fields)
    data = {"from": before, "to": lead.stage, "project": project.name}
    if "start_date" in fields:
        data["start_date"] = start.isoformat()
    if "production_date" in fields:
        data["production_date"] = finish.isoformat()
    lead_event_create(lead=lead, actor=None, type=LeadEventType.SYNCED, data=data)
    return lead


def pending_review_condition() -> Q:
    return Q(review_status=ReviewStatus.PENDING) & ~Q(stage=LeadStage.TERMINATED)


def today() -> date:
    return timezone.localdate()
