"""Writes for assessment: rounds (open → 试算, 发布, 定稿), rubric versions, bonuses and deductions, exemptions,
appeals and the 容错 register. Each write goes through the change log (ChangeLoggedModel) and, where the state
changes, optimistic locking (`bump_version`); whoever the write needs next is notified."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.core.periods import add_months, month_end, month_start
from tuijin.core.permissions import check_scope

from . import scoring
from .choices import AppealStatus, CaseDecision, PeriodType, RoundStatus
from .models import Adjustment, Appeal, Exemption, LeniencyCase, Round, Rubric, RubricVersion, ScoreLine

__all__ = [
    "adjustment_create",
    "adjustment_withdraw",
    "appeal_decide",
    "appeal_submit",
    "case_create",
    "case_decide",
    "config_save",
    "exemption_create",
    "mark_open_rounds_stale",
    "period_bounds",
    "round_close",
    "round_create",
    "round_publish",
    "round_recompute",
    "rubric_create",
    "version_copy",
]

APPEAL_DAYS = 5  # 申诉期: 5 working days after 发布 unless the office sets the date


def period_bounds(period_type: str, anchor: date) -> tuple[date, date, str]:
    """(first day, last day, label) of the period of `period_type` that contains `anchor`."""
    year = anchor.year
    if period_type == PeriodType.MONTH:
        start = month_start(anchor)
        return start, month_end(start), _("%(y)d年%(m)d月") % {"y": year, "m": start.month}
    if period_type == PeriodType.QUARTER:
        q = (anchor.month - 1) // 3 + 1
        start = date(year, 3 * q - 2, 1)
        return start, month_end(add_months(start, 2)), _("%(y)d年第%(q)d季度") % {"y": year, "q": q}
    if period_type == PeriodType.HALF:
        first = anchor.month <= 6
        start = date(year, 1 if first else 7, 1)
        label = _("%(y)d年上半年") if first else _("%(y)d年下半年")
        return start, month_end(add_months(start, 5)), label % {"y": year}
    return date(year, 1, 1), date(year, 12, 31), _("%(y)d年度") % {"y": year}


def _notify_units(round_: Round, unit_ids, title: str, body: str, url: str, kind: str) -> None:
    from tuijin.notifications.services import Message, notify_many
    from tuijin.org.models import OrgUnit
    from tuijin.users.recipients import users_covering

    messages = []
    for unit in OrgUnit.objects.filter(pk__in=list(unit_ids)):
        for user in users_covering(unit, "assessment.view_unitscore", kinds=("unit",)):
            messages.append(
                Message(user, title, body, url, "info", kind, "%s:%d:%d:%d" % (kind, round_.pk, unit.pk, user.pk))
            )
    notify_many(messages)


def _office_users(unit):
    """Who decides an appeal of `unit`: the holders of `decide_appeal` whose scope reaches it (the 项目办)."""
    from tuijin.users.recipients import users_covering

    return list(users_covering(unit, "assessment.decide_appeal"))


@transaction.atomic
def round_create(*, actor, rubric: Rubric, anchor: date) -> Round:
    """Open the round of `rubric` for the period containing `anchor`, scored with the version in force then."""
    start, end, label = period_bounds(rubric.period_type, anchor)
    version = scoring.version_in_force(rubric, start)
    if version is None:
        raise ApplicationError(
            _("“%(r)s”在 %(d)s 尚无施行的版本，请先建立版本。") % {"r": rubric.name, "d": start.isoformat()},
            code="no_version",
        )
    if Round.objects.filter(rubric=rubric, period_start=start).exists():
        raise ApplicationError(_("“%(r)s”已有 %(l)s 的考核。") % {"r": rubric.name, "l": label}, code="duplicate")
    round_ = Round(
        rubric=rubric, rubric_version=version, period_start=start, period_end=end, label="%s %s" % (label, rubric.name)
    )
    round_._changelog_message = _("建立考核期")
    round_.save()
    scoring.compute(round_)
    return Round.objects.get(pk=round_.pk)


def round_recompute(*, actor, round_: Round) -> Round:
    """Recompute an open round now (a published one only re-applies appeals and 容错 decisions)."""
    return scoring.compute(round_)


@transaction.atomic
def round_publish(*, actor, round_: Round, expected_version: int, appeal_until: date | None = None) -> Round:
    """Freeze the figures, record the published total and rank of every unit, open the appeal window and tell the
    units."""
    if round_.status != RoundStatus.OPEN:
        raise ApplicationError(_("该考核已发布。"), code="state")
    scoring.compute(round_)
    round_.refresh_from_db()
    if appeal_until is None:
        from tuijin.workdays.services import add_workdays

        appeal_until = add_workdays(timezone.localdate(), APPEAL_DAYS)
    if appeal_until < timezone.localdate():
        raise ApplicationError(_("申诉截止日期不能早于今天。"), code="appeal_until")
    round_.status = RoundStatus.PUBLISHED
    round_.published_at = timezone.now()
    round_.published_by = actor
    round_.appeal_until = appeal_until
    bump_version(
        round_,
        expected_version=expected_version,
        update_fields=["status", "published_at", "published_by", "appeal_until"],
        message=_("发布考核结果"),
        status=RoundStatus.OPEN,
    )
    from django.db.models import F

    round_.scores.update(published_total=F("total"), published_rank=F("rank"))
    RubricVersion.objects.filter(pk=round_.rubric_version_id).update(locked=True)
    audit_event_record(
        event_type=AuditEventType.EXPORT,
        user=actor,
        object_repr=str(round_),
        detail={"action": "assessment_publish", "round": round_.pk},
    )
    unit_ids = list(round_.scores.values_list("unit_id", flat=True))
    transaction.on_commit(
        lambda: _notify_units(
            round_,
            unit_ids,
            _("考核结果已发布：%(l)s") % {"l": round_.label},
            _("如对得分有异议，请于 %(d)s 前在线申诉。") % {"d": appeal_until.isoformat()},
            round_.get_absolute_url(),
            "assessment_published",
        )
    )
    return round_


@transaction.atomic
def round_close(*, actor, round_: Round, expected_version: int) -> Round:
    if round_.status != RoundStatus.PUBLISHED:
        raise ApplicationError(_("只有已发布的考核可以定稿。"), code="state")
    if round_.scores.filter(lines__appeals__status=AppealStatus.SUBMITTED).exists():
        raise ApplicationError(_("尚有待审核的申诉，审核后才能定稿。"), code="open_appeals")
    round_.status = RoundStatus.CLOSED
    bump_version(round_, expected_version=expected_version, update_fields=["status"], message=_("考核定稿"))
    return round_


def mark_open_rounds_stale(since: date | None = None) -> int:
    """Figures from `since` on changed (None: any figure): the open rounds whose period reaches that month are
    recomputed before they are shown next (a change in November moves the next year's cumulative figures too)."""
    rows = Round.objects.filter(status=RoundStatus.OPEN, stale=False)
    if since is not None:
        rows = rows.filter(period_end__gte=since)
    return rows.update(stale=True)


@transaction.atomic
def version_copy(*, actor, version: RubricVersion, effective_from: date, note: str = "") -> RubricVersion:
    """A new version of the rubric from `version` (its groups, indicators and exemptions), in force from
    `effective_from`; rounds whose period starts on or after that date are scored with it."""
    rubric = version.rubric
    if rubric.versions.filter(effective_from=effective_from).exists():
        raise ApplicationError(_("同一考核办法的两个版本不能在同一天施行。"), code="duplicate")
    number = (rubric.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    new = RubricVersion.objects.create(rubric=rubric, number=number, effective_from=effective_from, note=note)
    groups = {}
    for group in version.groups.all():
        old_pk = group.pk
        units, excluded = list(group.units.all()), list(group.excluded_units.all())
        group.pk = None
        group.id = None
        group.rubric_version = new
        group._state.adding = True
        group.save()
        group.units.set(units)
        group.excluded_units.set(excluded)
        groups[old_pk] = group
    for indicator in version.indicators.prefetch_related("groups", "exemptions"):
        applies = [groups[g.pk] for g in indicator.groups.all()]
        exemptions = list(indicator.exemptions.all())
        indicator.pk = None
        indicator.id = None
        indicator.rubric_version = new
        indicator._state.adding = True
        indicator.save()
        indicator.groups.set(applies)
        for exemption in exemptions:
            Exemption.objects.create(
                indicator=indicator,
                unit_id=exemption.unit_id,
                starts=exemption.starts,
                ends=exemption.ends,
                reason=exemption.reason,
            )
    return new


def _stale_for(rubric_id: int, on: date) -> None:
    Round.objects.filter(rubric_id=rubric_id, status=RoundStatus.OPEN, period_start__lte=on, period_end__gte=on).update(
        stale=True
    )


@transaction.atomic
def adjustment_create(*, actor, data: dict[str, Any]) -> Adjustment:
    adjustment = Adjustment(entered_by=actor, **data)
    adjustment.full_clean()
    adjustment._changelog_message = _("录入加减分")
    adjustment.save()
    _stale_for(adjustment.rubric_id, adjustment.occurred_on)
    return adjustment


@transaction.atomic
def adjustment_withdraw(*, actor, adjustment: Adjustment, expected_version: int, reason: str) -> Adjustment:
    if not reason.strip():
        raise ApplicationError(_("请填写撤销理由。"), code="reason")
    adjustment.withdrawn = True
    bump_version(
        adjustment,
        expected_version=expected_version,
        update_fields=["withdrawn"],
        message=_("撤销加减分：%(r)s") % {"r": reason.strip()},
    )
    _stale_for(adjustment.rubric_id, adjustment.occurred_on)
    return adjustment


@transaction.atomic
def exemption_create(*, actor, data: dict[str, Any]) -> Exemption:
    exemption = Exemption(**data)
    exemption.full_clean()
    exemption._changelog_message = _("设定免考")
    exemption.save()
    Round.objects.filter(rubric_version=exemption.indicator.rubric_version, status=RoundStatus.OPEN).update(stale=True)
    return exemption


@transaction.atomic
def appeal_submit(
    *, actor, line: ScoreLine, reason: str, evidence: str = "", requested_points: Decimal | None = None
) -> Appeal:
    """A unit contests one line of its published score, within the appeal window."""
    check_scope(actor, line.score, "appeal", message=_("只能对本单位的得分申诉。"))
    round_ = line.score.round
    if round_.status != RoundStatus.PUBLISHED:
        raise ApplicationError(_("只能对已发布、尚未定稿的考核结果申诉。"), code="state")
    if round_.appeal_until and timezone.localdate() > round_.appeal_until:
        raise ApplicationError(
            _("申诉期已于 %(d)s 截止。") % {"d": round_.appeal_until.isoformat()}, code="appeal_closed"
        )
    if not reason.strip():
        raise ApplicationError(_("请填写申诉理由。"), code="reason")
    if line.appeals.filter(status=AppealStatus.SUBMITTED).exists():
        raise ApplicationError(_("该得分项已有待审核的申诉。"), code="duplicate")
    appeal = Appeal(
        line=line,
        unit_id=line.score.unit_id,
        reason=reason.strip(),
        evidence=evidence.strip(),
        requested_points=requested_points,
        submitted_by=actor,
    )
    appeal._changelog_message = _("提交申诉")
    appeal.save()
    from tuijin.notifications.services import notify

    notify(
        users=_office_users(line.score.unit),
        title=_("考核申诉待审核：%(u)s · %(l)s") % {"u": line.score.unit, "l": line.label},
        body=reason.strip()[:200],
        url=round_.get_absolute_url() + "appeals/",
        level="warning",
        kind="assessment_appeal",
        dedup_key="assessment_appeal:%d" % appeal.pk,
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    actor,
    appeal: Appeal,
    expected_version: int,
    accept: bool,
    reason: str,
    points: Decimal | None = None,
) -> Appeal:
    """The 项目办 accepts (the line's points become `points`, the round is re-totalled and re-ranked) or rejects."""
    if appeal.status != AppealStatus.SUBMITTED:
        raise ApplicationError(_("该申诉已审核。"), code="state")
    if not reason.strip():
        raise ApplicationError(_("请填写审核意见。"), code="reason")
    if accept and points is None:
        raise ApplicationError(_("采纳申诉须填写调整后得分。"), code="points")
    line = appeal.line
    round_ = line.score.round
    if round_.status != RoundStatus.PUBLISHED:
        raise ApplicationError(_("考核已定稿，不能再审核申诉。"), code="state")
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.decided_points = points if accept else None
    appeal.decision_reason = reason.strip()
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    bump_version(
        appeal,
        expected_version=expected_version,
        update_fields=["status", "decided_points", "decision_reason", "decided_by", "decided_at"],
        message=_("采纳申诉") if accept else _("不予采纳申诉"),
        status=AppealStatus.SUBMITTED,
    )
    if accept:
        ScoreLine.objects.filter(pk=line.pk).update(appeal_points=points)
        scoring.retotal(round_)
    from tuijin.notifications.services import notify

    notify(
        users=[appeal.submitted_by],
        title=(_("申诉已采纳：%(l)s") if accept else _("申诉未采纳：%(l)s")) % {"l": line.label},
        body=reason.strip()[:200],
        url=round_.get_absolute_url() + "units/%d/" % line.score.unit_id,
        level="info",
        kind="assessment_appeal_decided",
        dedup_key="assessment_appeal_decided:%d" % appeal.pk,
    )
    return appeal


@transaction.atomic
def case_create(*, actor, data: dict[str, Any], adjustments=()) -> LeniencyCase:
    case = LeniencyCase(entered_by=actor, **data)
    if not case.number:
        year = timezone.localdate().year
        n = LeniencyCase.objects.filter(number__startswith="RC%d-" % year).count() + 1
        case.number = "RC%d-%03d" % (year, n)
    case.full_clean()
    case._changelog_message = _("登记容错纠错案例")
    case.save()
    case.adjustments.set(adjustments)
    return case


@transaction.atomic
def case_decide(
    *, actor, case: LeniencyCase, expected_version: int, decision: str, note: str, reduce_percent: int | None = None
) -> LeniencyCase:
    """认定: 容错免责 neutralises the linked deductions, 减轻责任 reduces them by `reduce_percent`; every round the
    deductions count in is re-scored (open rounds marked for recomputation, published ones re-totalled)."""
    if decision not in (CaseDecision.EXEMPT, CaseDecision.REDUCE, CaseDecision.DENY):
        raise ApplicationError(_("请选择认定结果。"), code="decision")
    if not note.strip():
        raise ApplicationError(_("请填写认定意见。"), code="note")
    if decision == CaseDecision.REDUCE and not reduce_percent:
        raise ApplicationError(_("减轻责任须填写减轻比例。"), code="reduce_percent")
    case.decision = decision
    case.reduce_percent = reduce_percent if decision == CaseDecision.REDUCE else None
    case.decision_note = note.strip()
    case.decided_by = actor
    case.decided_at = timezone.now()
    bump_version(
        case,
        expected_version=expected_version,
        update_fields=["decision", "reduce_percent", "decision_note", "decided_by", "decided_at"],
        message=_("容错认定：%(d)s") % {"d": case.get_decision_display()},
    )
    adjustment_ids = list(case.adjustments.values_list("pk", flat=True))
    rounds = Round.objects.filter(scores__lines__adjustment_id__in=adjustment_ids).distinct()
    for round_ in rounds:
        if round_.is_open:
            Round.objects.filter(pk=round_.pk).update(stale=True)
        elif round_.status == RoundStatus.PUBLISHED:
            scoring.retotal(round_)
    for adjustment in Adjustment.objects.filter(pk__in=adjustment_ids):
        _stale_for(adjustment.rubric_id, adjustment.occurred_on)
    return case


def _editable(version: RubricVersion) -> None:
    if version.locked:
        raise ApplicationError(
            _("第 %(n)d 版已用于发布考核结果，不能再修改；请以它为底稿建立新版本。") % {"n": version.number},
            code="locked",
        )


@transaction.atomic
def rubric_create(*, actor, data: dict[str, Any], effective_from: date) -> Rubric:
    """A new rubric with its first version (no groups or indicators yet: the office adds them)."""
    rubric = Rubric(**data)
    rubric.full_clean()
    rubric._changelog_message = _("新建考核办法")
    rubric.save()
    RubricVersion.objects.create(rubric=rubric, number=1, effective_from=effective_from, note=_("首版"))
    return rubric


@transaction.atomic
def config_save(*, actor, obj, version: RubricVersion, expected_version: int | None = None, m2m: dict | None = None):
    """Save an indicator, a group or an exemption of `version` (a form's instance, values set): refused when the
    version is locked; an edit is checked against the version the user opened (optimistic locking); the version's
    open rounds are recomputed before they are shown next."""
    _editable(version)
    obj.full_clean()
    if obj.pk is None:
        obj._changelog_message = _("新增")
        obj.save()
    else:
        bump_version(obj, expected_version=expected_version, message=_("修改"))
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    Round.objects.filter(rubric_version=version, status=RoundStatus.OPEN).update(stale=True)
    return obj
