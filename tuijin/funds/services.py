"""Writes of 争取上级资金: a project's 谋划/入库 record, the funding windows, applications from 编制 to 下达 (with
the per-channel checklist and the duplicate-application check), payments, the batch deadline reminders, and the
statistics bureau's 统计口径 figures (locked once submitted).

Each write checks the permission and the row's scope itself, saves through the optimistic lock and lands in the
change history."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.escalation import Escalator
from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.core.permissions import check_scope

from .choices import APPLICATION_FLOW, ApplicationStatus, Channel
from .models import (
    ApplicationEvent,
    ApplicationFile,
    BatchReminder,
    FundApplication,
    FundingBatch,
    FundPayment,
    FundsSettings,
    ProjectPrep,
    StatsFigure,
)

__all__ = [
    "BATCH_FIELDS",
    "CENTRAL_CHANNELS",
    "CHANNEL_DOCUMENTS",
    "PREP_FIELDS",
    "application_advance",
    "application_create",
    "application_decide",
    "application_file_add",
    "application_return",
    "application_withdraw",
    "batch_save",
    "document_labels",
    "missing_documents",
    "payment_add",
    "prep_for",
    "prep_save",
    "remind_batches",
    "settings_save",
    "stats_save",
    "stats_submit",
]

# The documents each channel asks for (the office may change a batch's list); key → label.
CHANNEL_DOCUMENTS: dict[str, list[tuple[str, object]]] = {
    Channel.CENTRAL_BUDGET: [
        ("application_report", gettext_lazy("资金申请报告（可研深度）")),
        ("approval_doc", gettext_lazy("可研或初设批复")),
        ("performance_targets", gettext_lazy("绩效目标表")),
        ("credit_report", gettext_lazy("项目单位信用报告")),
    ],
    Channel.LONG_BOND_MAJOR: [
        ("application_report", gettext_lazy("资金申请报告")),
        ("approval_doc", gettext_lazy("审批、核准或备案文件")),
        ("performance_targets", gettext_lazy("绩效目标表")),
    ],
    Channel.LONG_BOND_NEW: [
        ("application_report", gettext_lazy("设备更新项目申请表")),
        ("approval_doc", gettext_lazy("备案文件")),
    ],
    Channel.SPECIAL_BOND: [
        ("implementation_plan", gettext_lazy("实施方案")),
        ("financial_assessment", gettext_lazy("财务评估报告")),
        ("legal_opinion", gettext_lazy("法律意见书")),
        ("approval_doc", gettext_lazy("可研批复")),
    ],
    Channel.PROVINCIAL: [("application_report", gettext_lazy("申报书")), ("approval_doc", gettext_lazy("审批文件"))],
    Channel.MUNICIPAL: [("application_report", gettext_lazy("申报书"))],
    Channel.POLICY_FINANCE: [
        ("application_report", gettext_lazy("融资申请")),
        ("feasibility", gettext_lazy("可行性研究报告")),
    ],
}
# central money: the same project may not be funded twice; a second live application must say why
CENTRAL_CHANNELS = (Channel.CENTRAL_BUDGET, Channel.LONG_BOND_MAJOR, Channel.LONG_BOND_NEW)

PREP_FIELDS = (
    "prep_stage",
    "library_status",
    "in_debt_system",
    "land_secured",
    "capital_in_place",
    "revenue_coverage",
    "note",
)
BATCH_FIELDS = (
    "channel",
    "name",
    "programme",
    "opens_on",
    "deadline",
    "eligibility_notes",
    "document_title",
    "document_url",
    "organiser",
    "is_active",
    "domains",
    "min_total_investment",
    "max_total_investment",
    "min_prep_stage",
    "min_library_status",
    "require_code",
    "require_land",
    "require_capital",
    "require_debt_system",
    "require_approvals",
    "min_revenue_coverage",
    "required_documents",
)


def _today() -> date:
    return timezone.localdate()


def _require(actor, permission: str, message: str = "") -> None:
    if actor is not None and not actor.has_perm(f"funds.{permission}"):
        raise PermissionDenied(message or _("您没有执行此操作的权限。"))


def _own_unit(actor):
    from tuijin.org.scoping import user_memberships

    memberships = user_memberships(actor)
    if not memberships:
        raise PermissionDenied(_("您的账户没有所属单位。"))
    return memberships[0].unit


def _notify(users, title: str, url: str, level: str = "info", body: str = "") -> list[int]:
    from tuijin.notifications.services import notify

    users = list({u.pk: u for u in users if u is not None}.values())
    if users:
        notify(users=users, title=title, body=body[:200], url=url, level=level, kind="funds")
    return [u.pk for u in users]


def _unit_users(unit) -> list:
    from tuijin.users.models import User

    return list(
        User.objects.filter(
            memberships__unit=unit, memberships__role__in=["unit_reporter", "unit_approver"], is_active=True
        ).distinct()
    )


def _office_users(unit) -> list:
    from tuijin.org.scoping import _county_path
    from tuijin.users.models import User

    county = _county_path(unit.region.path)
    return list(
        User.objects.filter(
            is_active=True, memberships__unit__region__path__startswith=county, memberships__role="project_office"
        ).distinct()
    )


# -- 谋划 and 储备 -----------------------------------------------------------------------------------------------


def prep_for(project) -> ProjectPrep:
    """The project's record, or an unsaved default one (nothing recorded yet)."""
    try:
        return project.prep
    except ProjectPrep.DoesNotExist:
        return ProjectPrep(project=project)


@transaction.atomic
def prep_save(*, actor, project, version: int | None, data: dict) -> ProjectPrep:
    """Save a project's 谋划/入库 record on the version the user saw (0 or None for the first save)."""
    _require(actor, "change_projectprep")
    check_scope(actor, project, "change", message=_("该项目不在您的管理范围内。"))
    prep = prep_for(project)
    for name in PREP_FIELDS:
        if name in data:
            value = data[name]
            setattr(prep, name, value.strip() if isinstance(value, str) else value)
    prep.full_clean()
    if prep.pk is None:
        if version not in (None, 0, "0", ""):
            raise ApplicationError(_("该项目的谋划与储备信息刚被他人创建，请刷新后重试。"), code="conflict")
        prep.save()
    else:
        bump_version(prep, expected_version=version)
    return prep


# -- funding windows ----------------------------------------------------------------------------------------------


def document_labels(batch: FundingBatch) -> list[tuple[str, str]]:
    """The batch's checklist as (key, label): its own list (keys of the channel's, or "label" entries written by the
    office), else the channel's default."""
    defaults = {k: str(v) for k, v in CHANNEL_DOCUMENTS.get(batch.channel, [])}
    if not batch.required_documents:
        return list(defaults.items())
    out = []
    for entry in batch.required_documents:
        key = str(entry)
        out.append((key, defaults.get(key, key)))
    return out


@transaction.atomic
def batch_save(*, actor, data: dict, batch: FundingBatch | None = None, version: int | None = None) -> FundingBatch:
    """Create or edit a funding window and its rules (the office). A new batch gets its channel's checklist."""
    if batch is None:
        _require(actor, "add_fundingbatch")
        batch = FundingBatch()
    else:
        _require(actor, "change_fundingbatch")
        check_scope(actor, batch, "change", message=_("该批次不在您的管理范围内。"))
    chains = data.pop("chains", None)
    for name in BATCH_FIELDS:
        if name in data:
            value = data[name]
            setattr(batch, name, value.strip() if isinstance(value, str) else value)
    if batch.organiser_id is None:
        batch.organiser = _own_unit(actor)
    if not batch.required_documents:
        batch.required_documents = [k for k, _label in CHANNEL_DOCUMENTS.get(batch.channel, [])]
    batch.full_clean()
    if batch.pk is None:
        batch.save()
    else:
        bump_version(batch, expected_version=version)
    if chains is not None:
        batch.chains.set(chains)
    check_scope(actor, batch, "change", message=_("组织单位不在您的管理范围内。"))
    return batch


class _BatchReminders(Escalator):
    """The batch deadline reminder on the shared machinery (core.escalation.Escalator.remind)."""

    def __init__(self, eligible_units) -> None:
        self.eligible_units = eligible_units

    def due(self, batch):
        return batch.deadline

    def due_soon(self, today, until):
        return list(
            FundingBatch.objects.filter(is_active=True, deadline__gte=today, deadline__lte=until).select_related(
                "organiser__region"
            )
        )

    def mark_reminder(self, batch):
        return BatchReminder.objects.create(batch=batch, deadline=batch.deadline)

    def send_reminder(self, batch, workdays_left, reminder):
        users = _office_users(batch.organiser)
        for unit in self.eligible_units(batch):
            users += _unit_users(unit)
        reminder.notified = _notify(
            users,
            _("资金申报即将截止（%(d)s）：%(n)s") % {"d": batch.deadline.isoformat(), "n": batch.name},
            batch.get_absolute_url(),
            "warning",
        )
        reminder.save(update_fields=["notified"])


def remind_batches(today: date | None = None) -> int:
    """Tell the office, and the units with eligible projects, once per batch and deadline, when a batch closes within
    FundsSettings.remind_days (calendar days)."""
    from datetime import timedelta

    from tuijin.workdays.services import workday_calendar

    from .matching import eligible_units

    today = today or _today()
    until = today + timedelta(days=FundsSettings.current().remind_days)
    return _BatchReminders(eligible_units).remind(today, workday_calendar(today, until), until)


# -- applications -------------------------------------------------------------------------------------------------


def _number(day: date) -> str:
    prefix = f"ZJ{day:%Y}-"
    last = FundApplication.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _event(application, actor, from_status: str, to_status: str, note: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application, actor=actor, from_status=from_status, to_status=to_status, note=note[:500]
    )


def duplicates(project, batch: FundingBatch, exclude_pk: int | None = None):
    """Live applications of the project for central money in the batch's year (中央资金不得重复申请)."""
    if batch.channel not in CENTRAL_CHANNELS:
        return FundApplication.objects.none()
    rows = FundApplication.objects.filter(
        project=project,
        batch__channel__in=CENTRAL_CHANNELS,
        batch__deadline__year=batch.deadline.year,
        status__in=[*APPLICATION_FLOW, ApplicationStatus.APPROVED],
    ).select_related("batch")
    return rows.exclude(pk=exclude_pk) if exclude_pk else rows


@transaction.atomic
def application_create(
    *, actor, project, batch: FundingBatch, requested_amount: Decimal, other_funds_statement: str = ""
) -> FundApplication:
    """Start an application (编制) for a project in the actor's scope to an open batch."""
    _require(actor, "add_fundapplication")
    check_scope(actor, project, "view", message=_("该项目不在您的管理范围内。"))
    if not FundingBatch.objects.restrict(actor, "view").filter(pk=batch.pk, is_active=True).exists():
        raise ValidationError({"batch": _("该申报批次不存在或已停用。")})
    today = _today()
    if batch.deadline < today:
        raise ValidationError({"batch": _("该批次已于 %(d)s 截止申报。") % {"d": batch.deadline.isoformat()}})
    if not project.code:
        raise ValidationError({"project": _("项目尚无项目代码：资金申请报告须载明项目代码，请先赋码。")})
    if requested_amount is None or requested_amount <= 0:
        raise ValidationError({"requested_amount": _("申请金额须大于 0。")})
    if project.total_investment is not None and requested_amount > project.total_investment:
        raise ValidationError({"requested_amount": _("申请金额不能超过项目总投资。")})
    statement = (other_funds_statement or "").strip()
    others = list(duplicates(project, batch))
    if others and not statement:
        names = "、".join(f"{a.batch.name}（{a.get_status_display()}）" for a in others)
        raise ValidationError(
            {
                "other_funds_statement": _(
                    "该项目本年度已申报中央资金：%(names)s。同一项目不得重复申请，如确属不同建设内容，请说明。"
                )
                % {"names": names}
            }
        )
    application = FundApplication(
        number=_number(today),
        project=project,
        batch=batch,
        requested_amount=requested_amount,
        other_funds_statement=statement[:300],
        created_by=actor,
    )
    application.full_clean(exclude=["number"])
    for attempt in range(3):
        try:
            with transaction.atomic():
                application.save()
            break
        except IntegrityError:
            if (
                FundApplication.objects.filter(project=project, batch=batch)
                .exclude(status__in=[ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED])
                .exists()
            ):
                raise ValidationError({"batch": _("该项目已申报此批次。")}) from None
            if attempt == 2:
                raise
            application.number = _number(today)
    _event(application, actor, "", ApplicationStatus.DRAFTING)
    return application


def missing_documents(application: FundApplication) -> list[tuple[str, str]]:
    """The checklist entries without a file yet."""
    have = set(application.files.values_list("doc_key", flat=True))
    return [(key, label) for key, label in document_labels(application.batch) if key not in have]


@transaction.atomic
def application_file_add(*, actor, application: FundApplication, doc_key: str, uploaded) -> ApplicationFile:
    from tuijin.projects.constants import ATTACHMENT_TYPES
    from tuijin.utilities.uploads import store_checked_upload

    _require(actor, "add_applicationfile")
    check_scope(actor, application, "change", message=_("该申报不在您的管理范围内。"))
    if application.status not in (ApplicationStatus.DRAFTING, ApplicationStatus.DISTRICT_REVIEW):
        raise ApplicationError(_("申报已转报，材料不能再修改。"), code="locked")
    if doc_key not in dict(document_labels(application.batch)):
        raise ValidationError({"doc_key": _("该批次的材料清单中没有此项。")})
    stored = ApplicationFile(application=application, doc_key=doc_key, uploaded_by=actor)
    store_checked_upload(stored, uploaded, ATTACHMENT_TYPES)
    return stored


def _move(application, version, allowed, message: str = "", **fields) -> FundApplication:
    for name, value in fields.items():
        setattr(application, name, value)
    bump_version(
        application,
        expected_version=version,
        update_fields=list(fields),
        status__in=allowed,
        message=message or _("该申报刚被他人处理（当前状态：%(status)s），您的操作未执行。"),
    )
    return application


NEXT: dict[str, str] = {a: b for a, b in zip(APPLICATION_FLOW, APPLICATION_FLOW[1:], strict=False)}


@transaction.atomic
def application_advance(*, actor, application: FundApplication, version: int, note: str = "") -> FundApplication:
    """One level up: the unit submits (编制 → 区审核, the checklist complete); the office forwards (区审核 → 市转报 →
    省转报 → 国家审核), recording each level's date on the timeline."""
    status = application.status
    if status not in NEXT:
        raise ApplicationError(_("当前状态不能再转报。"), code="state")
    if status == ApplicationStatus.DRAFTING:
        _require(actor, "change_fundapplication")
        check_scope(actor, application, "change", message=_("该申报不在您的管理范围内。"))
        missing = missing_documents(application)
        if missing:
            raise ValidationError(
                {"files": _("申报材料不全，还缺：%(m)s。") % {"m": "、".join(label for _key, label in missing)}}
            )
    else:
        _require(actor, "review_fundapplication")
        check_scope(actor, application, "view", message=_("该申报不在您的管理范围内。"))
    target = NEXT[status]
    application = _move(application, version, (status,), status=target)
    _event(application, actor, status, target, note)
    url = application.get_absolute_url()
    if target == ApplicationStatus.DISTRICT_REVIEW:
        _notify(
            _office_users(application.project.responsible_unit),
            _("资金申报待区级审核：%(p)s") % {"p": application.project},
            url,
            "warning",
        )
    else:
        _notify(
            _unit_users(application.project.responsible_unit),
            _("资金申报进入“%(s)s”：%(p)s") % {"s": application.get_status_display(), "p": application.project},
            url,
        )
    return application


@transaction.atomic
def application_return(*, actor, application: FundApplication, version: int, reason: str) -> FundApplication:
    """The office returns an application under district review to the unit (→ 编制) with a reason."""
    _require(actor, "review_fundapplication")
    check_scope(actor, application, "view", message=_("该申报不在您的管理范围内。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由。")})
    application = _move(application, version, (ApplicationStatus.DISTRICT_REVIEW,), status=ApplicationStatus.DRAFTING)
    _event(application, actor, ApplicationStatus.DISTRICT_REVIEW, ApplicationStatus.DRAFTING, reason)
    _notify(
        _unit_users(application.project.responsible_unit),
        _("资金申报被退回修改：%(p)s") % {"p": application.project},
        application.get_absolute_url(),
        "warning",
        reason,
    )
    return application


@transaction.atomic
def application_withdraw(*, actor, application: FundApplication, version: int, reason: str) -> FundApplication:
    """The unit or the office withdraws an application not yet decided."""
    _require(actor, "change_fundapplication")
    check_scope(actor, application, "change", message=_("该申报不在您的管理范围内。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤回理由。")})
    status = application.status
    application = _move(application, version, tuple(APPLICATION_FLOW), status=ApplicationStatus.WITHDRAWN)
    _event(application, actor, status, ApplicationStatus.WITHDRAWN, reason)
    return application


@transaction.atomic
def application_decide(
    *,
    actor,
    application: FundApplication,
    version: int,
    approved: bool,
    amount: Decimal | None = None,
    approval_doc: str = "",
    approval_date: date | None = None,
    arrived_on: date | None = None,
    start_deadline: date | None = None,
    reason: str = "",
) -> FundApplication:
    """Record the upper level's decision on a forwarded application: 下达 (amount, 文号, date; the money's arrival and
    the start deadline when known) or 未入选 (with the reason)."""
    _require(actor, "record_fundapplication")
    check_scope(actor, application, "view", message=_("该申报不在您的管理范围内。"))
    allowed = (ApplicationStatus.CITY, ApplicationStatus.PROVINCE, ApplicationStatus.NATIONAL)
    status = application.status
    if approved:
        errors = {}
        if amount is None or amount <= 0:
            errors["amount"] = _("请填写下达金额（大于 0）。")
        elif amount > application.requested_amount:
            errors["amount"] = _("下达金额不能超过申请金额。")
        if not (approval_doc or "").strip():
            errors["approval_doc"] = _("请填写下达文号。")
        if approval_date is None:
            errors["approval_date"] = _("请填写下达日期。")
        elif approval_date > _today():
            errors["approval_date"] = _("下达日期不能晚于今天。")
        if arrived_on is not None and approval_date is not None and arrived_on < approval_date:
            errors["arrived_on"] = _("资金到位日期不能早于下达日期。")
        if errors:
            raise ValidationError(errors)
        application = _move(
            application,
            version,
            allowed,
            status=ApplicationStatus.APPROVED,
            approved_amount=amount,
            approval_doc=approval_doc.strip()[:100],
            approval_date=approval_date,
            arrived_on=arrived_on,
            start_deadline=start_deadline,
        )
        note = _("下达 %(a)s 万元，%(d)s") % {"a": amount, "d": approval_doc.strip()}
    else:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("请填写未入选原因。")})
        application = _move(
            application, version, allowed, status=ApplicationStatus.REJECTED, rejection_reason=reason[:300]
        )
        note = reason
    _event(application, actor, status, application.status, note)
    _notify(
        _unit_users(application.project.responsible_unit),
        _("资金申报结果：%(p)s %(s)s") % {"p": application.project, "s": application.get_status_display()},
        application.get_absolute_url(),
        "success" if approved else "warning",
    )
    return application


@transaction.atomic
def application_arrival_set(
    *, actor, application: FundApplication, version: int, arrived_on: date | None, start_deadline: date | None
) -> FundApplication:
    """Record when the granted money arrived and the start deadline (known after 下达)."""
    _require(actor, "record_fundapplication")
    check_scope(actor, application, "view", message=_("该申报不在您的管理范围内。"))
    if arrived_on is not None and (
        arrived_on > _today() or (application.approval_date and arrived_on < application.approval_date)
    ):
        raise ValidationError({"arrived_on": _("资金到位日期须在下达日期至今天之间。")})
    return _move(
        application, version, (ApplicationStatus.APPROVED,), arrived_on=arrived_on, start_deadline=start_deadline
    )


@transaction.atomic
def payment_add(*, actor, application: FundApplication, paid_on: date, amount: Decimal, note: str = "") -> FundPayment:
    """A payment out of granted money; the payments never exceed the amount granted."""
    _require(actor, "add_fundpayment")
    check_scope(actor, application, "view", message=_("该申报不在您的管理范围内。"))
    locked = FundApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.APPROVED:
        raise ApplicationError(_("资金下达后才能登记支付。"), code="state")
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("支付金额须大于 0。")
    if paid_on is None:
        errors["paid_on"] = _("请填写支付日期。")
    elif paid_on > _today():
        errors["paid_on"] = _("支付日期不能晚于今天。")
    elif locked.approval_date and paid_on < locked.approval_date:
        errors["paid_on"] = _("支付日期不能早于下达日期。")
    if errors:
        raise ValidationError(errors)
    paid = (locked.payments.aggregate(s=Sum("amount"))["s"] or Decimal("0")).quantize(Decimal("0.01"))
    if paid + amount > locked.approved_amount:
        raise ValidationError(
            {
                "amount": _("累计支付将超过下达金额（已支付 %(p)s 万元，下达 %(a)s 万元）。")
                % {"p": paid, "a": locked.approved_amount}
            }
        )
    payment = FundPayment(application=locked, paid_on=paid_on, amount=amount, note=(note or "").strip()[:200])
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def settings_save(*, actor, version: int | None, data: dict) -> FundsSettings:
    _require(actor, "change_fundssettings")
    row = FundsSettings.current()
    for name in ("idle_months", "remind_days", "stats_tolerance_pct", "stats_tolerance_amount"):
        if name in data:
            setattr(row, name, data[name])
    row.full_clean()
    if row.pk is None:
        row.save()
    else:
        bump_version(row, expected_version=version)
    return row


# -- 纳统: the statistics bureau's figures --------------------------------------------------------------------------


@transaction.atomic
def stats_save(
    *, actor, project, month: date, stats_investment: Decimal, in_database: bool, note: str = "", version=None
) -> StatsFigure:
    """Enter (or, before submission, correct) a project's 统计口径 figure for a month. A submitted figure is locked:
    whoever asks, leaders included, the answer is a refusal; the bureau submits a correction (stats_submit with a
    reason) instead."""
    _require(actor, "add_statsfigure", _("只有统计局可以录入统计口径数据。"))
    check_scope(actor, project, "view", message=_("该项目不在您的管理范围内。"))
    month = month.replace(day=1)
    if month > _today().replace(day=1):
        raise ValidationError({"month": _("不能录入未来月份的统计数据。")})
    row = StatsFigure.objects.select_for_update().filter(project=project, month=month).first()
    if row is not None and row.submitted_at is not None:
        raise ApplicationError(
            _("%(m)s 的统计口径数据已于 %(t)s 报送，已锁定，不能修改。如需更正，请以“更正报送”提交并说明理由。")
            % {"m": f"{month:%Y-%m}", "t": timezone.localtime(row.submitted_at).strftime("%Y-%m-%d %H:%M")},
            code="locked",
        )
    if row is None:
        row = StatsFigure(project=project, month=month, entered_by=actor)
    row.stats_investment = stats_investment
    row.in_database = bool(in_database)
    row.note = (note or "").strip()[:300]
    row.full_clean()
    if row.pk is None:
        row.save()
    else:
        bump_version(row, expected_version=version)
    return row


@transaction.atomic
def stats_submit(*, actor, figure: StatsFigure, version: int, correction_reason: str = "", **values) -> StatsFigure:
    """报送: lock the figure. On a figure already submitted this is a 更正报送: the new values with a reason, kept in
    the history (the only way a submitted figure changes)."""
    _require(actor, "submit_statsfigure", _("只有统计局可以报送统计口径数据。"))
    check_scope(actor, figure.project, "view", message=_("该项目不在您的管理范围内。"))
    if figure.submitted_at is not None:
        reason = (correction_reason or "").strip()
        if not reason:
            raise ValidationError({"correction_reason": _("已报送的数据更正须说明理由。")})
        figure._changelog_message = _("更正报送：%(r)s") % {"r": reason[:200]}
    for name in ("stats_investment", "in_database", "note"):
        if name in values and values[name] is not None:
            setattr(figure, name, values[name])
    figure.submitted_at = timezone.now()
    figure.full_clean()
    bump_version(figure, expected_version=version)
    _project_counted(figure)
    return figure


def _project_counted(figure: StatsFigure) -> None:
    """A submitted figure saying 已入库 makes the project 已纳统入库 from that month (the registry's 纳统状态, which
    the 纳统 light and the facts read), unless it was counted earlier. A later 未入库 does not un-count it: leaving
    the statistics database is the bureau's call on the project, not a month's figure."""
    from tuijin.projects.choices import StatsStatus
    from tuijin.projects.models import Project

    if not figure.in_database:
        return
    project = Project.objects.select_for_update().get(pk=figure.project_id)
    if project.stats_status == StatsStatus.COUNTED and project.stats_month and project.stats_month <= figure.month:
        return
    project.stats_status = StatsStatus.COUNTED
    project.stats_month = figure.month
    project._changelog_message = _("统计局报送：%(m)s 已入库") % {"m": f"{figure.month:%Y-%m}"}
    project.save(update_fields=["stats_status", "stats_month", "last_updated"])
