"""Writes for key projects. Views, the API, the Excel import and commands all come through here."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.choices import ChangeAction
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.figures_cache import figures_changed
from tuijin.core.locking import bump_version, changes_since
from tuijin.core.permissions import check_scope
from tuijin.utilities.uploads import store_checked_upload

from .choices import ApprovalStatus, DatePrecision, PlanStatus, ProjectEventType, Stage, StatsStatus
from .constants import ALLOWED_TRANSITIONS, ATTACHMENT_TYPES, PERMIT_ITEM_CODE
from .models import (
    AnnualPlan,
    ApprovalItem,
    ApprovalItemType,
    Attachment,
    FundingSource,
    PlanChange,
    Project,
    ProjectEvent,
    ProjectSpecialList,
)
from .validators import parse_project_code, validate_credit_code

__all__ = [
    "PROJECT_FIELDS",
    "BulkApproveResult",
    "FundingRow",
    "ProjectInput",
    "annual_plan_approve",
    "annual_plan_save",
    "annual_plans_approve_bulk",
    "approval_item_update",
    "approval_items_ensure",
    "attachment_create",
    "fast_track_recompute",
    "monthly_plan_clean",
    "plan_change_decide",
    "plan_change_request",
    "project_bulk_reassign",
    "project_create",
    "project_event_create",
    "project_transition",
    "project_update",
    "region_codes_for_unit",
]

# The dates that may be known only to the month or the year (each with a `<name>_precision` field beside it).
PARTIAL_DATE_FIELDS = ("planned_start", "planned_finish", "actual_start", "actual_finish")

PROJECT_FIELDS = [
    "code",
    "name",
    "owner_name",
    "owner_credit_code",
    "owner_enterprise",
    "scale_content",
    "address",
    "longitude",
    "latitude",
    "industry",
    "chain",
    "domain",
    "construction_nature",
    "investment_subject",
    "responsible_unit",
    "locality",
    "locality_text",
    "total_investment",
    "total_investment_approx",
    "funding_note",
    "construction_start",
    "construction_end",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "planned_start_precision",
    "planned_finish_precision",
    "actual_start_precision",
    "actual_finish_precision",
    "remarks",
    "is_industrial",
    "land_area_mu",
    "floor_area_m2",
    "expected_output",
    "expected_tax",
    "expected_jobs",
    "stats_status",
    "stats_month",
    "is_fast_track",
    "land_deal_date",
    "is_demo",
]


@dataclass
class FundingRow:
    kind: str
    amount: Decimal
    note: str = ""


@dataclass
class ProjectInput:
    """Everything a create/update may set. `None` for a relation list means "leave as it is"."""

    fields: dict[str, Any]
    levels: list | None = None
    sponsors: list | None = None
    special_lists: list[tuple[Any, str]] | None = None  # (SpecialList, batch)
    funding: list[FundingRow] | None = None
    stage: str | None = None
    stage_reason: str = ""
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


def region_codes_for_unit(unit) -> set[str]:
    """The 6-digit region codes a project of this unit may carry in its 项目代码."""
    codes = set()
    for code in unit.region.path.strip("/").split("/"):
        if len(code) >= 6:
            codes.add(code[:6])
        else:
            codes.add(code.ljust(6, "0"))
    return codes


def project_event_create(*, project: Project, actor, type: str, data: dict | None = None) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, actor=actor, type=type, data=data or {})


def _add_error(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(str(message))


def _with_precisions(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` plus 日 precision for each partly-known date given without one (callers that know only days)."""
    result = dict(fields)
    for name in PARTIAL_DATE_FIELDS:
        if name in result and f"{name}_precision" not in result:
            result[f"{name}_precision"] = DatePrecision.DAY
    return result


def _validate_project(project: Project, data: ProjectInput) -> dict[str, list[str]]:
    """Cross-field rules beyond the model's field and constraint checks; returns errors by field."""
    errors: dict[str, list[str]] = {}
    if project.code:
        try:
            parsed = parse_project_code(
                project.code,
                region_codes=region_codes_for_unit(project.responsible_unit) if project.responsible_unit_id else None,
            )
            project.code, project.code_is_legacy = parsed.value, parsed.is_legacy
        except ValidationError as exc:
            _add_error(errors, "code", exc.messages[0])
    else:
        project.code, project.code_is_legacy = None, False
    try:
        project.owner_credit_code = validate_credit_code(project.owner_credit_code)
    except ValidationError as exc:
        _add_error(errors, "owner_credit_code", exc.messages[0])
    _normalize_partial(project)
    today = timezone.localdate()
    for name, label in (
        ("actual_start", _("实际开工日期")),
        ("actual_finish", _("实际竣工日期")),
        ("land_deal_date", _("土地成交日期")),
    ):
        value = getattr(project, name)
        if value and value > today:
            _add_error(errors, name, _("%(label)s不能晚于今天。") % {"label": label})
    begin, end_ = project.construction_start, project.construction_end
    if begin and end_ and end_ < begin:
        _add_error(errors, "construction_end", _("建设截止年月不能早于起始年月。"))
    for start, end, label in (
        ("planned_start", "planned_finish", _("计划竣工日期不能早于计划开工日期。")),
        ("actual_start", "actual_finish", _("实际竣工日期不能早于实际开工日期")),  # the constraint's words
    ):
        if message := _order_error(project, start, end, label):
            _add_error(errors, end, message)
    if project.locality_id and (project.locality_text or "").strip():
        _add_error(
            errors,
            "locality_text",
            _("“属地”和“区外属地”只能填一个：本区的项目选属地单位，区外的项目只填区外属地。"),
        )
    if project.stats_status == StatsStatus.COUNTED and not project.stats_month:
        _add_error(errors, "stats_month", _("已纳统的项目须填写入库月份。"))
    enterprise = project.owner_enterprise if project.owner_enterprise_id else None
    if (
        enterprise is not None
        and project.owner_credit_code
        and enterprise.credit_code
        and enterprise.credit_code != project.owner_credit_code
    ):
        _add_error(errors, "owner_credit_code", _("业主信用代码与所选业主企业不一致。"))
    if data.funding is not None and project.total_investment is not None:
        total = sum((row.amount for row in data.funding), Decimal("0"))
        if data.funding and total != project.total_investment and not (project.funding_note or "").strip():
            _add_error(
                errors,
                "funding_note",
                _("资金来源合计 %(sum)s 万元与总投资 %(total)s 万元不一致，请填写说明。")
                % {"sum": total, "total": project.total_investment},
            )
    return errors


def _normalize_partial(project: Project) -> None:
    """Store a partly known date as the first day of what is known (the month's 1st, 1 January); no date, no
    precision (back to 日). An unknown total investment is not an estimate either."""
    for name in PARTIAL_DATE_FIELDS:
        value, precision = getattr(project, name), getattr(project, f"{name}_precision")
        if value is None or precision not in DatePrecision.values:
            setattr(project, f"{name}_precision", DatePrecision.DAY)
        elif precision == DatePrecision.MONTH:
            setattr(project, name, value.replace(day=1))
        elif precision == DatePrecision.YEAR:
            setattr(project, name, value.replace(month=1, day=1))
    if project.total_investment is None:
        project.total_investment_approx = False
    project.locality_text = (project.locality_text or "").strip()


def _period_end(value: date, precision: str) -> date:
    """The last day a partly known date may be."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        following = value.replace(day=28) + timedelta(days=4)
        return following - timedelta(days=following.day)
    return value


def _order_error(project: Project, start: str, end: str, label: str) -> str:
    """A finish before its start. With partly known dates, a finish that may lie before the start (e.g. 开工
    2024年3月15日, 竣工 2024年3月) cannot be checked — and would be stored before it — so it asks for the day."""
    first, last = getattr(project, start), getattr(project, end)
    if not first or not last:
        return ""
    if _period_end(last, getattr(project, f"{end}_precision")) < first:
        return label
    if last < first:
        return _("%(label)s（竣工日期只精确到%(p)s，无法判断先后，请填写更精确的竣工日期。）") % {
            "label": label.rstrip("。"),
            "p": DatePrecision(getattr(project, f"{end}_precision")).label,
        }
    return ""


# The form field each model constraint belongs to (Django reports check constraints as non-field errors).
CONSTRAINT_FIELDS = {
    "projects_unique_code": "code",
    "projects_total_investment_gte_0": "total_investment",
    "projects_finish_after_start": "actual_finish",
    "projects_construction_needs_start": "actual_start",
    "projects_completed_needs_finish": "actual_finish",
}


def _constraint_errors(project: Project) -> dict[str, list[str]]:
    """Model.validate_constraints(), one constraint at a time, each error keyed by the constraint's field."""
    errors: dict[str, list[str]] = {}
    for constraint in Project._meta.constraints:
        try:
            constraint.validate(Project, project)  # type: ignore[attr-defined]  # missing from the stubs
        except ValidationError as exc:
            for key, messages in (exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}).items():
                field = key if key not in ("", NON_FIELD_ERRORS) else CONSTRAINT_FIELDS.get(constraint.name, "stage")
                for message in messages:
                    _add_error(errors, field, message)
    return errors


def _full_clean(project: Project, data: ProjectInput) -> None:
    errors: dict[str, list[str]] = {}
    try:
        project.full_clean(exclude=["code_is_legacy"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                _add_error(errors, key, message)
    for key, messages in _validate_project(project, data).items():
        for message in messages:
            _add_error(errors, key, message)
    if not errors:
        try:
            project.validate_unique()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    _add_error(errors, key, message)
        for key, messages in _constraint_errors(project).items():
            for message in messages:
                _add_error(errors, key, message)
    if errors:
        raise ValidationError(errors)


def _relation_snapshot(project: Project) -> dict[str, list]:
    return {
        "levels": sorted(project.levels.values_list("name", flat=True)),
        "sponsors": sorted(project.sponsors.values_list("name", flat=True)),
        "special_lists": sorted(str(e) for e in project.special_list_entries.select_related("special_list")),
    }


def _apply_relations(project: Project, data: ProjectInput) -> None:
    """Set the many-to-many relations and funding rows; relation changes are written to the change log too
    (the save signals cannot see them)."""
    before = _relation_snapshot(project) if project.pk and not project._state.adding else None
    if data.levels is not None:
        project.levels.set(data.levels)
    if data.sponsors is not None:
        project.sponsors.set(data.sponsors)
    if data.special_lists is not None:
        _special_lists_apply(project, data.special_lists)
    if data.funding is not None:
        _funding_apply(project, data.funding)
    if data.levels is None and data.sponsors is None and data.special_lists is None:
        return
    after = _relation_snapshot(project)
    if before != after:
        from tuijin.core.changelog import object_change_record

        object_change_record(project, ChangeAction.UPDATE, before or {}, after, data.message or _("关联信息"))


def _special_lists_apply(project: Project, wanted: list[tuple[Any, str]]) -> None:
    """The project's special-list entries as `wanted`, changed in place: entries kept as they are stay untouched."""
    batches = {sl.pk: (batch or "") for sl, batch in wanted}
    existing = {e.special_list_id: e for e in ProjectSpecialList.objects.filter(project=project)}
    gone = [e.pk for key, e in existing.items() if key not in batches]
    if gone:
        ProjectSpecialList.objects.filter(pk__in=gone).delete()
    for key, batch in batches.items():
        entry = existing.get(key)
        if entry is None:
            ProjectSpecialList.objects.create(project=project, special_list_id=key, batch=batch)
        elif entry.batch != batch:
            entry.batch = batch
            entry.save(update_fields=["batch"])


def _funding_apply(project: Project, rows: list[FundingRow]) -> None:
    """The project's funding rows as `rows`, by difference: a row equal to a stored one is left alone (no history);
    a stored row of the same source takes the new amount and note (one 修改 in the history); stored rows left over are
    deleted, new ones created. The form posts plain values, so rows are matched by content, not by id."""
    existing = list(project.funding_sources.order_by("pk"))
    pending: list[FundingRow] = []
    for given in rows:
        row = FundingRow(given.kind, Decimal(str(given.amount)).quantize(Decimal("0.01")), (given.note or "").strip())
        same = next(
            (f for f in existing if f.kind == row.kind and f.amount == row.amount and (f.note or "") == row.note), None
        )
        if same is not None:
            existing.remove(same)
        else:
            pending.append(row)
    created = []
    for row in pending:
        match = next((f for f in existing if f.kind == row.kind), None)
        if match is None:
            created.append(row)
            continue
        existing.remove(match)
        match.amount, match.note = row.amount, row.note
        match.save()
    for stale in existing:
        stale.delete()
    for row in created:
        FundingSource.objects.create(project=project, kind=row.kind, amount=row.amount, note=row.note)


def _check_scope(actor, project: Project, action: str) -> None:
    check_scope(actor, project, action, message=_("保存后的项目不在您的管理范围内（例如责任单位不属于本单位）。"))


@transaction.atomic
def project_create(*, actor, data: ProjectInput) -> Project:
    project = Project(**{k: v for k, v in _with_precisions(data.fields).items() if k in PROJECT_FIELDS})
    if data.stage:
        project.stage, project.stage_reason = data.stage, data.stage_reason
    _full_clean(project, data)
    project._changelog_message = data.message
    project.save()
    _apply_relations(project, data)
    approval_items_ensure(project)
    fast_track_recompute(project)
    project_event_create(
        project=project, actor=actor, type=ProjectEventType.CREATED, data={"source": data.message or "form"}
    )
    _check_scope(actor, project, "add")
    return project


@transaction.atomic
def projects_bulk_create(*, actor, inputs: list[ProjectInput], message: str = "") -> list[Project]:
    """Create many already-validated projects with a fixed number of queries per batch (Excel import).

    The rows must have passed the same validation as project_create (the import validates every row first);
    the database constraints stay the backstop. History, timeline events, approval items and the scope check
    are written in bulk instead of per row.
    """
    from tuijin.core.changelog import object_changes_bulk_record

    projects = []
    for data in inputs:
        project = Project(**{k: v for k, v in _with_precisions(data.fields).items() if k in PROJECT_FIELDS})
        if data.stage:
            project.stage, project.stage_reason = data.stage, data.stage_reason
        _normalize_partial(project)
        if project.code:
            parsed = parse_project_code(project.code)
            project.code, project.code_is_legacy = parsed.value, parsed.is_legacy
        project.owner_credit_code = (project.owner_credit_code or "").strip().upper()
        projects.append(project)
    Project.objects.bulk_create(projects, batch_size=500)
    levels, sponsors, lists, funding = [], [], [], []
    for project, data in zip(projects, inputs, strict=True):
        levels += [
            Project.levels.through(project_id=project.pk, projectlevel_id=level.pk) for level in data.levels or []
        ]
        sponsors += [
            Project.sponsors.through(project_id=project.pk, person_id=person.pk) for person in data.sponsors or []
        ]
        lists += [
            ProjectSpecialList(project=project, special_list=sl, batch=batch or "")
            for sl, batch in data.special_lists or []
        ]
        funding += [
            FundingSource(project=project, kind=row.kind, amount=row.amount, note=row.note)
            for row in data.funding or []
        ]
    Project.levels.through.objects.bulk_create(levels, batch_size=1000)
    Project.sponsors.through.objects.bulk_create(sponsors, batch_size=1000)
    ProjectSpecialList.objects.bulk_create(lists, batch_size=1000)
    FundingSource.objects.bulk_create(funding, batch_size=1000)
    catalogue = list(ApprovalItemType.objects.filter(is_active=True))
    ApprovalItem.objects.bulk_create(
        [
            ApprovalItem(project=p, item_type=t, department_id=t.default_department_id)
            for p in projects
            for t in catalogue
        ],
        batch_size=2000,
    )
    object_changes_bulk_record(projects, ChangeAction.CREATE, message)
    ProjectEvent.objects.bulk_create(
        [
            ProjectEvent(project=p, actor=actor, type=ProjectEventType.CREATED, data={"source": message or "bulk"})
            for p in projects
        ],
        batch_size=1000,
    )
    for project in projects:
        if project.is_fast_track:
            fast_track_recompute(project)
    figures_changed([p.pk for p in projects])  # bulk_create sends no signals: facts and cached figures follow here
    if actor is not None:
        allowed = Project.objects.restrict(actor, "add").filter(pk__in=[p.pk for p in projects]).count()
        if allowed != len(projects):
            raise PermissionDenied(_("部分项目的责任单位不在您的管理范围内。"))
    return projects


@transaction.atomic
def project_update(*, actor, project: Project, version: int, data: ProjectInput) -> Project:
    """Apply `data` if the project is still at `version`; otherwise raise ConflictError and write nothing.
    A date given without its precision (`<name>_precision`) is a whole day."""
    for key, value in _with_precisions(data.fields).items():
        if key in PROJECT_FIELDS:
            setattr(project, key, value)
    _full_clean(project, data)
    project._changelog_message = data.message
    project.ndl_days_to_permit, project.ndl_days_to_start = _fast_track_days(project)
    bump_version(
        project,
        expected_version=version,
        message=_("该项目已被他人修改（您编辑的是第 %(mine)d 版，当前为第 %(now)d 版）。您的修改未保存。"),
    )
    _apply_relations(project, data)
    project_event_create(
        project=project,
        actor=actor,
        type=ProjectEventType.UPDATED,
        data={"fields": sorted(data.fields), "source": data.message or "form"},
    )
    _check_scope(actor, project, "change")
    return project


@transaction.atomic
def project_transition(
    *,
    actor,
    project: Project,
    version: int,
    to_stage: str,
    reason: str = "",
    actual_start: date | None = None,
    actual_finish: date | None = None,
) -> Project:
    """Move the project through its lifecycle under the rules; every step is an event on the timeline."""
    from_stage = project.stage
    if to_stage not in ALLOWED_TRANSITIONS.get(from_stage, set()):
        raise ApplicationError(
            _("不能从“%(a)s”变更为“%(b)s”。") % {"a": Stage(from_stage).label, "b": Stage(to_stage).label},
            code="invalid_transition",
        )
    if to_stage in (Stage.SUSPENDED, Stage.CANCELLED) and not reason.strip():
        raise ApplicationError(_("暂缓或取消项目须填写原因。"), code="reason_required")
    fields: dict[str, Any] = {}
    if actual_start:
        fields["actual_start"] = actual_start
    if actual_finish:
        fields["actual_finish"] = actual_finish
    if from_stage == Stage.COMPLETED and to_stage == Stage.CONSTRUCTION:
        fields["actual_finish"] = None  # back under construction: it is no longer finished
    start = fields.get("actual_start", project.actual_start)
    finish = fields.get("actual_finish", project.actual_finish)
    if to_stage == Stage.CONSTRUCTION and not start:
        raise ApplicationError(_("转为在建须填写实际开工日期。"), code="start_required")
    if to_stage in (Stage.COMPLETED,) and not finish:
        raise ApplicationError(_("转为竣工须填写实际竣工日期。"), code="finish_required")
    project.stage = to_stage
    project.stage_reason = reason.strip() if to_stage in (Stage.SUSPENDED, Stage.CANCELLED) else ""
    data = ProjectInput(fields=fields, message=_("阶段变更"))
    data.fields.update(stage=to_stage)
    project.stage = to_stage
    updated = project_update(actor=actor, project=project, version=version, data=data)  # saves stage too
    project_event_create(
        project=updated,
        actor=actor,
        type=ProjectEventType.STAGE_CHANGED,
        data={
            "from": from_stage,
            "to": to_stage,
            "reason": reason.strip(),
            "from_label": str(Stage(from_stage).label),
            "to_label": str(Stage(to_stage).label),
        },
    )
    return updated


def monthly_plan_clean(values, total: Decimal) -> list[str] | None:
    """12 non-negative amounts that sum exactly to the annual plan, as strings (Decimal-safe JSON)."""
    if values in (None, "", []):
        return None
    if len(values) != 12:
        raise ValidationError(_("月度计划须包含12个月的数值。"))
    amounts = []
    for i, value in enumerate(values, start=1):
        try:
            amount = Decimal(str(value if value not in (None, "") else "0"))
        except Exception as exc:
            raise ValidationError(_("第 %(m)d 月的计划不是有效数字。") % {"m": i}) from exc
        if amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValidationError(_("第 %(m)d 月的计划须为不小于0、最多两位小数的数字。") % {"m": i})
        amounts.append(amount)
    if sum(amounts, Decimal("0")) != total:
        raise ValidationError(
            _("12个月计划合计 %(sum)s 万元，应等于年度计划 %(total)s 万元。")
            % {"sum": sum(amounts, Decimal("0")), "total": total}
        )
    return [str(a) for a in amounts]


KEEP: Any = object()  # "not given: leave the stored value as it is"


def _plan_months_check(plan: AnnualPlan) -> None:
    errors: dict[str, list[str]] = {}
    for name, label in (("planned_start_month", _("计划开工月份")), ("planned_finish_month", _("计划竣工月份"))):
        value = getattr(plan, name)
        if value is not None and not (isinstance(value, int) and 1 <= value <= 12):
            message = _("%(label)s须为1～12之间的整数（填写的是 %(v)s）。") % {"label": label, "v": value}
            _add_error(errors, name, message)
    start, finish = plan.planned_start_month, plan.planned_finish_month
    if not errors and start is not None and finish is not None and finish < start:
        _add_error(
            errors,
            "planned_finish_month",
            _("计划竣工月份（%(f)d月）不能早于计划开工月份（%(s)d月）。") % {"f": finish, "s": start},
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def annual_plan_save(
    *,
    actor,
    project: Project,
    year: int,
    planned_investment: Decimal,
    progress_target: str = "",
    monthly_plan=None,
    planned_start_quarter: int | None = None,
    version: int | None = None,
    planned_start_month: Any = KEEP,
    planned_finish_month: Any = KEEP,
) -> AnnualPlan:
    """Create the year's draft plan, or change it while it is a draft. `version`: the plan version the user edited
    (None: the one just read); a plan changed or approved meanwhile is a ConflictError. 计划开工/竣工月份
    (`planned_start_month` / `planned_finish_month`, 1–12 or None): left as they are when not passed."""
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    if plan is not None and plan.status != PlanStatus.DRAFT:
        raise ApplicationError(
            _("%(y)d 年计划已批准为基线，修改须提交调整申请并经批准。") % {"y": year}, code="plan_locked"
        )
    created = plan is None
    plan = plan or AnnualPlan(project=project, year=year)
    plan.planned_investment = planned_investment
    plan.progress_target = progress_target
    plan.monthly_plan = monthly_plan_clean(monthly_plan, planned_investment)
    plan.planned_start_quarter = planned_start_quarter
    if planned_start_month is not KEEP:
        plan.planned_start_month = planned_start_month
    if planned_finish_month is not KEEP:
        plan.planned_finish_month = planned_finish_month
    _plan_months_check(plan)
    plan.full_clean()
    if created:
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError as exc:  # created by someone else since the read above
            current = AnnualPlan.objects.filter(project=project, year=year).first()
            raise ConflictError(
                _("%(y)d 年计划刚被他人创建，您的内容未保存。") % {"y": year},
                current=current,
                changes=changes_since(current, 0) if current is not None else [],
            ) from exc
    else:
        bump_version(
            plan,
            expected_version=plan.version if version is None else version,
            status=PlanStatus.DRAFT,
            message=_("该年度计划已被他人修改或批准，您的修改未保存，请刷新后重试。"),
        )
    check_scope(actor, plan, "change", message=_("该项目不在您的管理范围内。"))
    return plan


@transaction.atomic
def annual_plan_approve(*, actor, plan: AnnualPlan, version: int | None = None) -> AnnualPlan:
    """Approve a draft as the year's baseline. `version`: the plan version the approver saw (None: as read)."""
    check_scope(actor, plan, "approve", message=_("该项目不在您的管理范围内。"))
    if plan.status != PlanStatus.DRAFT:
        raise ApplicationError(_("该年度计划已批准。"), code="already_approved")
    plan.status = PlanStatus.APPROVED
    plan.baseline_investment = plan.planned_investment
    plan.baseline_monthly_plan = plan.monthly_plan
    plan.baseline_approved_at = timezone.now()
    plan.baseline_approved_by = actor
    bump_version(
        plan,
        expected_version=plan.version if version is None else version,
        status=PlanStatus.DRAFT,
        message=_("该年度计划已被他人修改或批准（当前状态：%(status)s），请刷新后查看。"),
    )
    project_event_create(
        project=plan.project,
        actor=actor,
        type=ProjectEventType.PLAN_APPROVED,
        data={"year": plan.year, "investment": str(plan.planned_investment)},
    )
    return plan


@dataclass
class BulkApproveResult:
    approved: list[AnnualPlan] = field(default_factory=list)
    skipped: list[tuple[Any, str]] = field(default_factory=list)  # (plan or its pk, the reason in Chinese)


def annual_plans_approve_bulk(*, actor, items: list[tuple[int, int]]) -> BulkApproveResult:
    """Approve several draft plans as baselines: `items` are (plan pk, the version the approver previewed). Each is
    approved on its own (`annual_plan_approve`, its own transaction); one changed, approved or out of scope since the
    preview is skipped with the reason, the others are approved."""
    result = BulkApproveResult()
    plans = AnnualPlan.objects.restrict(actor, "approve").select_related("project").in_bulk([pk for pk, _v in items])
    for pk, version in items:
        plan = plans.get(pk)
        if plan is None:
            result.skipped.append((pk, _("计划不存在或不在您的管理范围内。")))
            continue
        if plan.status != PlanStatus.DRAFT:
            result.skipped.append((plan, _("已不是编制中（当前：%(s)s）。") % {"s": plan.get_status_display()}))
            continue
        if plan.version != version:
            result.skipped.append((plan, _("预览后已被他人修改，请重新预览核对后再批准。")))
            continue
        try:
            result.approved.append(annual_plan_approve(actor=actor, plan=plan, version=version))
        except (ApplicationError, PermissionDenied) as exc:
            result.skipped.append((plan, getattr(exc, "message", "") or str(exc) or _("无权批准该计划。")))
    return result


@transaction.atomic
def plan_change_request(
    *,
    actor,
    plan: AnnualPlan,
    new_investment: Decimal,
    reason: str,
    new_monthly_plan=None,
    version: int | None = None,
) -> PlanChange:
    """Ask to change an approved plan; the plan is pending until decided. `version`: the plan version the user saw."""
    check_scope(actor, plan, "change", message=_("该项目不在您的管理范围内。"))
    if plan.status == PlanStatus.DRAFT:
        raise ApplicationError(_("计划尚未批准，可直接修改。"), code="plan_not_approved")
    if plan.status == PlanStatus.CHANGE_PENDING:
        raise ApplicationError(_("已有待审批的调整申请。"), code="change_pending")
    if not reason.strip():
        raise ApplicationError(_("调整年度计划须填写原因。"), code="reason_required")
    change = PlanChange(
        plan=plan,
        new_investment=new_investment,
        reason=reason.strip(),
        requested_by=actor,
        new_monthly_plan=monthly_plan_clean(new_monthly_plan, new_investment),
    )
    change.full_clean()
    plan.status = PlanStatus.CHANGE_PENDING
    bump_version(
        plan,
        expected_version=plan.version if version is None else version,
        update_fields=["status"],
        status=PlanStatus.APPROVED,
        message=_("该年度计划已被他人修改（当前状态：%(status)s），请刷新后重试。"),
    )
    change.save()
    project_event_create(
        project=plan.project,
        actor=actor,
        type=ProjectEventType.PLAN_CHANGE_REQUESTED,
        data={
            "year": plan.year,
            "from": str(plan.planned_investment),
            "to": str(new_investment),
            "reason": change.reason,
        },
    )
    return change


@transaction.atomic
def plan_change_decide(
    *, actor, change: PlanChange, approve: bool, note: str = "", version: int | None = None
) -> PlanChange:
    """Approve or reject a pending change, once: a second decision (even a concurrent one) is a ConflictError.
    `version`: the change's version the approver saw (None: as read)."""
    plan = change.plan
    check_scope(actor, plan, "approve", message=_("该项目不在您的管理范围内。"))
    if change.status != "pending":
        raise ApplicationError(_("该调整申请已处理。"), code="already_decided")
    if change.requested_by_id == getattr(actor, "pk", None):
        raise ApplicationError(_("不能审批自己提交的调整申请。"), code="self_approval")
    change.status = "approved" if approve else "rejected"
    change.decided_by, change.decided_at, change.decision_note = actor, timezone.now(), note
    bump_version(
        change,
        expected_version=change.version if version is None else version,
        status="pending",
        message=_("该调整申请已被他人处理，请刷新后查看。"),
    )
    if approve:
        plan.planned_investment = change.new_investment
        plan.monthly_plan = change.new_monthly_plan
    plan.status = PlanStatus.APPROVED
    bump_version(
        plan,
        expected_version=plan.version,
        status=PlanStatus.CHANGE_PENDING,
        message=_("该年度计划已被他人修改（当前状态：%(status)s），请刷新后查看。"),
    )
    project_event_create(
        project=plan.project,
        actor=actor,
        type=ProjectEventType.PLAN_CHANGE_APPROVED if approve else ProjectEventType.PLAN_CHANGE_REJECTED,
        data={"year": plan.year, "to": str(change.new_investment), "note": note},
    )
    return change


def approval_items_ensure(project: Project) -> None:
    """Give the project one row for every active catalogue item it does not have yet (one INSERT)."""
    have = set(project.approval_items.values_list("item_type_id", flat=True))
    rows = [
        ApprovalItem(project=project, item_type=item_type, department=item_type.default_department)
        for item_type in ApprovalItemType.objects.filter(is_active=True)
        if item_type.pk not in have
    ]
    ApprovalItem.objects.bulk_create(rows)


@transaction.atomic
def approval_item_update(
    *,
    actor,
    item: ApprovalItem,
    status: str,
    department=None,
    due_date=None,
    completed_date=None,
    permit_no: str = "",
    note: str = "",
    attachment=None,
    version: int | None = None,
) -> ApprovalItem:
    """Record the item's progress. `version`: the item version the user edited (None: as read)."""
    check_scope(actor, item, "change", message=_("该项目不在您的管理范围内。"))
    item.status, item.department, item.due_date = status, department, due_date
    item.completed_date, item.permit_no, item.note = completed_date, permit_no.strip(), note.strip()
    if attachment is not None:
        item.attachment = attachment
    if completed_date and completed_date > timezone.localdate():
        raise ValidationError({"completed_date": _("办结日期不能晚于今天。")})
    if status != ApprovalStatus.DONE:
        item.completed_date = completed_date if status == ApprovalStatus.DONE else None
    item.full_clean()
    bump_version(
        item,
        expected_version=item.version if version is None else version,
        message=_("该审批事项已被他人修改，您的修改未保存，请刷新后重试。"),
    )
    project_event_create(
        project=item.project,
        actor=actor,
        type=ProjectEventType.APPROVAL_UPDATED,
        data={"item": item.item_type.name, "status": status},
    )
    if item.item_type.code == PERMIT_ITEM_CODE:
        fast_track_recompute(item.project)
    return item


def _fast_track_days(project: Project) -> tuple[int | None, int | None]:
    """拿地即开工: working days land deal → construction permit, and permit → actual start (shared calendar)."""
    from tuijin.workdays.services import workdays_between

    to_permit = to_start = None
    if project.is_fast_track and project.pk is not None:
        permit = (
            ApprovalItem.objects.filter(project=project, item_type__code=PERMIT_ITEM_CODE, status=ApprovalStatus.DONE)
            .values_list("completed_date", flat=True)
            .first()
        )
        if project.land_deal_date and permit:
            to_permit = workdays_between(project.land_deal_date, permit)
        if permit and project.actual_start:
            to_start = workdays_between(permit, project.actual_start)
    return to_permit, to_start


def fast_track_recompute(project: Project) -> None:
    """Recompute the 拿地即开工 working days after a change outside the project row (the permit item was done);
    saved with `update_fields`, so the change log records it. project_update sets them before its own save."""
    days = _fast_track_days(project)
    if days != (project.ndl_days_to_permit, project.ndl_days_to_start):
        project.ndl_days_to_permit, project.ndl_days_to_start = days
        project.save(update_fields=["ndl_days_to_permit", "ndl_days_to_start"])


@transaction.atomic
def attachment_create(*, actor, project: Project, uploaded, kind: str) -> Attachment:
    attachment = Attachment(project=project, kind=kind, uploaded_by=actor)
    checked = store_checked_upload(attachment, uploaded, ATTACHMENT_TYPES)
    check_scope(actor, attachment, "add", message=_("该项目不在您的管理范围内。"))
    project_event_create(
        project=project,
        actor=actor,
        type=ProjectEventType.ATTACHMENT_ADDED,
        data={"name": attachment.original_name, "kind": kind, "size": checked.size},
    )
    return attachment


@transaction.atomic
def project_bulk_reassign(*, actor, projects, responsible_unit=None, sponsors=None) -> int:
    """Change the responsible unit and/or the sponsoring leaders of many projects; each change is logged."""
    if responsible_unit is None and sponsors is None:
        raise ApplicationError(_("请选择新的责任单位或包联领导。"), code="nothing_to_change")
    count = 0
    for project in projects:
        data = ProjectInput(fields={}, sponsors=list(sponsors) if sponsors is not None else None, message=_("批量调整"))
        if responsible_unit is not None:
            data.fields["responsible_unit"] = responsible_unit
        project_update(actor=actor, project=project, version=project.version, data=data)
        project_event_create(
            project=project,
            actor=actor,
            type=ProjectEventType.REASSIGNED,
            data={
                "unit": getattr(responsible_unit, "name", None),
                "sponsors": [str(s) for s in sponsors] if sponsors is not None else None,
            },
        )
        count += 1
    return count
