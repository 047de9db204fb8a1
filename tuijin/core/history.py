"""Reading the change log (selectors), and saying what changed in plain Chinese.

`object_history(obj)` is what an object's page shows under 变更历史: its own changes and those of its child rows
(a project's funding rows, a report's problem rows), grouped per save (one request) and described with field labels,
choice names, 是/否, names instead of ids, amounts without false changes and Beijing time. `describe_changes()` does
the describing for any list of `ObjectChange` rows (the conflict page, the audit list) with a fixed number of
queries: related names and accounts are loaded in one query per model.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import ChangeAction
from .display import (
    EMPTY,
    Names,
    display_value,
    field_label,
    load_names,
    model_field,
    same_value,
    wanted_names,
)
from .models import AuditEvent, ChangeLoggedModel, ObjectChange

__all__ = [
    "HistoryEntry",
    "HistoryLine",
    "audit_details",
    "changes_with_children",
    "describe_changes",
    "field_changes",
    "local_time",
    "object_history",
]

HIDDEN = {"id", "version", "created", "last_updated", "is_demo"}
# A child row with at most this many fields is described by its values ("企业自筹 500.00 万元"), a bigger one by name.
SMALL_ROW = 5


@dataclass
class HistoryLine:
    """One readable change: "label：text before → after" (before/after None for a sentence such as 新增 …)."""

    label: str
    text: str = ""
    before: str | None = None
    after: str | None = None

    @property
    def changed(self) -> bool:
        return self.before is not None or self.after is not None

    def __str__(self) -> str:
        parts = [p for p in (self.text, f"{self.before} → {self.after}" if self.changed else "") if p]
        return f"{self.label}：{' '.join(parts)}" if self.label else " ".join(parts)


@dataclass
class HistoryEntry:
    """What one save (one request) changed, as shown in 变更历史."""

    time: datetime
    user_name: str
    action: str
    object_repr: str
    request_id: str
    lines: list[HistoryLine] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    changes: list[ObjectChange] = field(default_factory=list)

    @property
    def message(self) -> str:
        return "；".join(self.messages)


def _model(change: ObjectChange) -> type[models.Model] | None:
    return ContentType.objects.get_for_id(change.changed_object_type_id).model_class()


def _is_subject(change: ObjectChange, subject: tuple[int, Any] | None) -> bool:
    return subject is None or (change.changed_object_type_id, change.changed_object_id) == subject


def _visible(model, data: dict, subject_model, subject_pk) -> list[str]:
    """The keys worth showing: no bookkeeping, no foreign key back to the page's object."""
    keys = []
    for key in data:
        if key in HIDDEN:
            continue
        f = model_field(model, key)
        if (
            f is not None
            and subject_model is not None
            and getattr(f, "related_model", None) is subject_model
            and str(data.get(key)) == str(subject_pk)
        ):
            continue
        keys.append(key)
    return keys


def _changed_keys(model, before: dict, after: dict) -> list[str]:
    keys = list(dict.fromkeys([*before, *after]))
    return [k for k in keys if k not in HIDDEN and not same_value(model_field(model, k), before.get(k), after.get(k))]


def _summary(model, data: dict, keys: list[str], names: Names, limit: int = SMALL_ROW) -> str:
    """A child row by its values: 企业自筹 500.00 万元."""
    parts = []
    for key in keys:
        f = model_field(model, key)
        value = data.get(key)
        if value in (None, "", False, []):
            continue
        text = display_value(f, value, names)
        if isinstance(f, models.BooleanField):
            text = str(getattr(f, "verbose_name", key))
        elif isinstance(f, models.TextField) and len(text) > 30:
            text = text[:30] + "…"
        if isinstance(f, models.DecimalField) and "万元" in str(getattr(f, "verbose_name", "")):
            text += " " + _("万元")
        parts.append(text)
        if len(parts) >= limit:
            break
    return " ".join(parts)


def _row_name(change: ObjectChange, subject_repr: str) -> str:
    text = change.object_repr or ""
    if subject_repr and text.startswith(subject_repr):
        text = text[len(subject_repr) :].strip(" ·-—:：")
    return text


def _lines(
    change: ObjectChange, names: Names, *, own: bool, subject_model=None, subject_pk=None, subject_repr="", full=False
) -> list[HistoryLine]:
    model = _model(change)
    before, after = change.prechange_data or {}, change.postchange_data or {}
    if own:
        if change.action == ChangeAction.UPDATE:
            return [
                HistoryLine(
                    field_label(model, key),
                    before=display_value(model_field(model, key), before.get(key), names),
                    after=display_value(model_field(model, key), after.get(key), names),
                )
                for key in _changed_keys(model, before, after)
            ]
        if not full:
            return []
        data = after if change.action == ChangeAction.CREATE else before
        return [
            HistoryLine(field_label(model, key), display_value(model_field(model, key), data.get(key), names))
            for key in _visible(model, data, None, None)
            if data.get(key) not in (None, "", [])
        ]
    label = str(model._meta.verbose_name) if model is not None else change.object_repr
    data = after or before
    keys = _visible(model, data, subject_model, subject_pk)
    small = len(keys) <= SMALL_ROW
    if change.action in (ChangeAction.CREATE, ChangeAction.DELETE):
        what = _summary(model, data, keys, names) if small else _row_name(change, subject_repr)
        verb = _("新增") if change.action == ChangeAction.CREATE else _("删除")
        return [HistoryLine(label, f"{verb} {what or change.object_repr}".strip())]
    changed = [k for k in _changed_keys(model, before, after) if k in keys]
    unchanged = [k for k in keys if k not in changed]
    identity = _summary(model, after, unchanged, names, limit=2) if small else _row_name(change, subject_repr)
    return [
        HistoryLine(
            label,
            f"{_('修改')} {identity + ' ' if identity else ''}{field_label(model, key)}",
            before=display_value(model_field(model, key), before.get(key), names),
            after=display_value(model_field(model, key), after.get(key), names),
        )
        for key in changed
    ]


def _wanted(changes: list[ObjectChange]) -> Names:
    wanted: dict[type[models.Model], set[int]] = {}
    user_model = get_user_model()
    for change in changes:
        if change.user_id:
            wanted.setdefault(user_model, set()).add(change.user_id)
        model = _model(change)
        for data in (change.prechange_data or {}, change.postchange_data or {}):
            for key, value in data.items():
                if key not in HIDDEN:
                    wanted_names(model_field(model, key), value, wanted)
    return load_names(wanted)


def describe_changes(
    changes: list[ObjectChange],
    *,
    subject: models.Model | None = None,
    group: bool = True,
    full: bool = False,
    keep_all: bool = False,
) -> list[HistoryEntry]:
    """`changes` (newest first) as readable entries. `subject`: the object whose page this is (its child rows are
    described as rows: "资金来源：新增 …"); `group`: one entry per request; `full`: list a new object's values.
    An update that changed nothing visible (only the version, or 260.50 → 260.5) is left out unless `keep_all`
    (then, without `group`, the entries match `changes` one to one)."""
    names = _wanted(changes)
    user_model = get_user_model()
    subject_key = None
    subject_model = subject_repr = None
    if subject is not None:
        subject_key = (ContentType.objects.get_for_model(subject, for_concrete_model=True).pk, subject.pk)
        subject_model, subject_repr = subject._meta.concrete_model, str(subject)
    entries: list[HistoryEntry] = []
    for change in changes:
        own = _is_subject(change, subject_key)
        lines = _lines(
            change,
            names,
            own=own,
            subject_model=subject_model,
            subject_pk=getattr(subject, "pk", None),
            subject_repr=subject_repr or "",
            full=full,
        )
        if change.action == ChangeAction.UPDATE and not lines and not change.message and not keep_all:
            continue
        user = names.get((user_model, change.user_id)) if change.user_id else ""
        previous = entries[-1] if entries else None
        if group and previous is not None and _same_save(previous, change):
            entry = previous
        else:
            entry = HistoryEntry(
                time=change.time,
                user_name=user or change.user_name or _("系统"),
                action=change.get_action_display() if own else str(ChangeAction.UPDATE.label),
                object_repr=change.object_repr,
                request_id=change.request_id,
            )
            entries.append(entry)
        if own and entry.changes and not _is_subject(entry.changes[0], subject_key):
            entry.action, entry.object_repr = change.get_action_display(), change.object_repr
        entry.changes.append(change)
        entry.lines[:0] = lines  # older changes of the same request first (the list is newest first)
        if change.message and change.message not in entry.messages:
            entry.messages.append(change.message)
    return entries


def _same_save(entry: HistoryEntry, change: ObjectChange) -> bool:
    """One request; or, outside a request (demo data, imports, commands), the same writer within a second."""
    if change.request_id or entry.request_id:
        return change.request_id == entry.request_id
    last = entry.changes[-1]
    return last.user_name == change.user_name and abs((last.time - change.time).total_seconds()) < 1


def _children_by_request(obj: models.Model, request_ids: set[str], exclude: set[int]) -> list[ObjectChange]:
    """Changes, in the given requests, of rows whose foreign key names `obj` although their change-log parent is
    another object (a report's problem rows name the project as parent)."""
    condition = Q()
    for rel in obj._meta.related_objects:
        related = rel.related_model
        if not rel.one_to_many or not isinstance(related, type) or not issubclass(related, ChangeLoggedModel):
            continue
        content_type = ContentType.objects.get_for_model(related, for_concrete_model=True)
        name = rel.field.name
        condition |= Q(changed_object_type=content_type) & (
            Q(**{f"postchange_data__{name}": obj.pk}) | Q(**{f"prechange_data__{name}": obj.pk})
        )
    if not request_ids or not condition:
        return []
    return list(
        ObjectChange.objects.filter(condition, request_id__in=request_ids)
        .exclude(pk__in=exclude)
        .select_related("changed_object_type")
    )


def changes_with_children(obj: models.Model, changes: list[ObjectChange]) -> list[ObjectChange]:
    """`changes` of `obj` plus the changes of its child rows made in the same requests (for the conflict page:
    the funding rows someone else changed along with the project), newest first."""
    ids = {c.request_id for c in changes if c.request_id}
    if not ids:
        return list(changes)
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    related = ObjectChange.objects.filter(
        Q(related_object_type=content_type, related_object_id=obj.pk), request_id__in=ids
    ).exclude(pk__in=[c.pk for c in changes])
    merged = {c.pk: c for c in [*changes, *related]}
    merged.update({c.pk: c for c in _children_by_request(obj, ids, set(merged))})
    return sorted(merged.values(), key=lambda c: (c.time, c.pk), reverse=True)


def object_history(obj, limit: int = 50) -> list[HistoryEntry]:
    """Changes of `obj` and of objects that name it as their parent (a report under its project) or belong to it
    and changed with it (a report's problem rows), newest first, described for people (`describe_changes`)."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    condition = Q(changed_object_type=content_type, changed_object_id=obj.pk) | Q(
        related_object_type=content_type, related_object_id=obj.pk
    )
    changes = list(ObjectChange.objects.filter(condition).select_related("changed_object_type")[:limit])
    own_requests = {
        c.request_id
        for c in changes
        if c.request_id and (c.changed_object_type_id, c.changed_object_id) == (content_type.pk, obj.pk)
    }
    extra = _children_by_request(obj, own_requests, {c.pk for c in changes})
    if extra:
        changes = sorted([*changes, *extra], key=lambda c: (c.time, c.pk), reverse=True)
    return describe_changes(changes, subject=obj)


def field_changes(model: type[models.Model] | models.Model, before: dict, after: dict) -> list[HistoryLine]:
    """A before/after pair of field values (e.g. a report correction's) as readable lines; unchanged values
    (260.50 and 260.5) left out. One query per related model named."""
    model = model if isinstance(model, type) else type(model)
    wanted: dict[type[models.Model], set[int]] = {}
    for data in (before or {}, after or {}):
        for key, value in data.items():
            wanted_names(model_field(model, key), value, wanted)
    names = load_names(wanted)
    return [
        HistoryLine(
            field_label(model, key),
            before=display_value(model_field(model, key), (before or {}).get(key), names),
            after=display_value(model_field(model, key), (after or {}).get(key), names),
        )
        for key in _changed_keys(model, before or {}, after or {})
    ]


# --- audit details --------------------------------------------------------------------------------------------

DETAIL_LABELS = {
    "reason": gettext_lazy("原因"),
    "kind": gettext_lazy("锁定类型"),
    "key": gettext_lazy("锁定对象"),
    "until": gettext_lazy("锁定至"),
    "path": gettext_lazy("访问地址"),
    "method": gettext_lazy("请求方式"),
    "permission": gettext_lazy("所需权限"),
    "api": gettext_lazy("接口访问"),
    "object": gettext_lazy("对象"),
    "message": gettext_lazy("说明"),
    "list": gettext_lazy("查阅列表"),
    "filters": gettext_lazy("筛选条件"),
    "what": gettext_lazy("事项"),
    "missing": gettext_lazy("未上报项目数"),
    "recipients": gettext_lazy("通知人数"),
    "issue": gettext_lazy("期号"),
    "period": gettext_lazy("期间"),
    "format": gettext_lazy("格式"),
    "user": gettext_lazy("账户"),
    "unit": gettext_lazy("单位"),
    "role": gettext_lazy("角色"),
    "fields": gettext_lazy("修改的字段"),
    "person": gettext_lazy("对应人员"),
    "action": gettext_lazy("操作"),
    "name": gettext_lazy("名称"),
    "file": gettext_lazy("文件"),
    "sha256": gettext_lazy("文件校验值（SHA-256）"),
    "rows": gettext_lazy("行数"),
    "errors": gettext_lazy("错误行数"),
    "count": gettext_lazy("数量"),
    "units": gettext_lazy("单位"),
    "account": gettext_lazy("账户"),
    "temporary": gettext_lazy("临时密码"),
    "must_change": gettext_lazy("下次登录须修改密码"),
    "unlocked": gettext_lazy("同时解除锁定"),
}
DETAIL_VALUES = {
    "reason": {
        "bad_credentials": gettext_lazy("用户名或密码错误"),
        "locked": gettext_lazy("账户或来源地址已锁定"),
        "no_permission": gettext_lazy("无此权限"),
        "out_of_scope": gettext_lazy("不在管理范围内"),
        "refused": gettext_lazy("业务规则拒绝"),
    },
    "what": {
        "projects": gettext_lazy("重点项目"),
        "reports": gettext_lazy("月度报告"),
        "tickets": gettext_lazy("诉求工单"),
        "notice": gettext_lazy("月度通报"),
        "published_notice": gettext_lazy("已发布的月度通报"),
        "lights": gettext_lazy("红黄绿灯"),
        "missing": gettext_lazy("未上报月报"),
        "report_urge": gettext_lazy("催报"),
    },
    "action": {"api_token_create": gettext_lazy("创建接口令牌")},
}
# Keys whose value is a choice of a domain model, looked up through the app registry (core imports no domain app).
DETAIL_CHOICES = {"role": ("org", "Membership", "role"), "kind": ("users", "Lockout", "kind")}
# Keys whose value is the id of a row, shown by its name.
DETAIL_ROWS = {"unit": ("org", "OrgUnit")}
PERMISSION_ACTIONS = {
    "view": gettext_lazy("查看"),
    "add": gettext_lazy("新增"),
    "change": gettext_lazy("修改"),
    "delete": gettext_lazy("删除"),
    "export": gettext_lazy("导出"),
}


def _registry_model(app_label: str, model_name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _model_by_name(name: str) -> type[models.Model] | None:
    label, _sep, model_name = name.rpartition(".")
    for model in apps.get_models():
        if model._meta.model_name == model_name and (not label or model._meta.app_label == label):
            return model
    return None


def _permission_text(value: str) -> str:
    app_label, _sep, codename = str(value).partition(".")
    action, _sep, model_name = codename.partition("_")
    model = _model_by_name(f"{app_label}.{model_name}") if model_name else None
    if model is None:
        return str(PERMISSION_ACTIONS.get(str(value), value))
    return f"{PERMISSION_ACTIONS.get(action, action)}{model._meta.verbose_name}"


def _detail_value(key: str, value: Any, names: Names, user_fields: type[models.Model] | None) -> str:
    if value in (None, "", [], {}):
        return _("无") if key == "filters" else EMPTY
    if key in DETAIL_VALUES and isinstance(value, str):
        return str(DETAIL_VALUES[key].get(value, value))
    if key in DETAIL_CHOICES:
        model = _registry_model(*DETAIL_CHOICES[key][:2])
        f = model_field(model, DETAIL_CHOICES[key][2])
        if f is not None:
            return display_value(f, value)
    if key in DETAIL_ROWS and str(value).isdigit():
        model = _registry_model(*DETAIL_ROWS[key])
        if model is not None:
            return names.get((model, int(value)), _("编号 %(pk)s") % {"pk": value})
    if key == "list" and isinstance(value, str):
        model = _model_by_name(value)
        return str(model._meta.verbose_name) if model is not None else value
    if key == "permission":
        return _permission_text(value)
    if key == "object" and isinstance(value, dict):
        model = _model_by_name(str(value.get("type", "")))
        kind = str(model._meta.verbose_name) if model is not None else str(value.get("type", ""))
        return f"{kind} {_('编号')} {value.get('id')}" if value.get("id") is not None else kind
    if key == "fields" and isinstance(value, list):
        return "、".join(field_label(user_fields, str(v)) for v in value)
    if key == "filters" and isinstance(value, dict):
        shown = {k: v for k, v in value.items() if v not in (None, "") and k != "page"}
        return "；".join(f"{k}={v}" for k, v in shown.items()) if shown else _("无")
    return display_value(None, value)


def audit_details(events: list[AuditEvent]) -> list[AuditEvent]:
    """Set `detail_lines` [(label, value)] on each event (its `detail` as readable lines); related names in one
    query per model."""
    wanted: dict[type[models.Model], set[int]] = {}
    user_model = get_user_model()
    for event in events:
        if event.user_id:
            wanted.setdefault(user_model, set()).add(event.user_id)
        for key, value in (event.detail if isinstance(event.detail, dict) else {}).items():
            if key in DETAIL_ROWS and str(value).isdigit():
                model = _registry_model(*DETAIL_ROWS[key])
                if model is not None:
                    wanted.setdefault(model, set()).add(int(value))
    names = load_names(wanted)
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {"": event.detail}
        event.detail_lines = [  # type: ignore[attr-defined]
            (str(DETAIL_LABELS.get(key, key)), _detail_value(key, value, names, user_model))
            for key, value in detail.items()
        ]
        name = names.get((user_model, event.user_id)) if event.user_id else ""
        shown = f"{name}（{event.user_name}）" if name and event.user_name and name != event.user_name else ""
        event.user_display = shown or name or event.user_name  # type: ignore[attr-defined]
    return events


def local_time(value: datetime) -> str:
    """Beijing time as the history shows it: 2026-12-06 14:05."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
