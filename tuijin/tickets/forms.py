"""Ticket forms: they collect and type-check input; the workflow rules live in services.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.org.choices import UnitType
from tuijin.org.models import OrgUnit
from tuijin.org.scoping import user_memberships
from tuijin.projects.constants import ATTACHMENT_TYPES
from tuijin.projects.models import Project
from tuijin.utilities.excel import XLSX_CONTENT_TYPE
from tuijin.utilities.uploads import check_upload

from .choices import Rating, TicketSource
from .filtersets import is_enterprise_user, lead_unit_choices

__all__ = [
    "ACTIONS",
    "TICKET_ATTACHMENT_TYPES",
    "CategoryAddForm",
    "CategorySLAForm",
    "TicketActionForm",
    "TicketForm",
    "enterprise_choices",
]

# PDF, pictures and Word documents (content-sniffed; the name's extension must match the content).
TICKET_ATTACHMENT_TYPES = {k: v for k, v in ATTACHMENT_TYPES.items() if k != XLSX_CONTENT_TYPE}

ACTIONS = [
    ("accept", _("受理")),
    ("assign", _("交办")),
    ("start", _("开始办理")),
    ("progress", _("办理进展")),
    ("transfer", _("转办")),
    ("return", _("退回")),
    ("resolve", _("办结")),
    ("close", _("销号")),
    ("unresolvable", _("无法解决")),
    ("rate", _("评价")),
    ("attach", _("上传附件")),
]

UNIT_SOURCES = [(v, label) for v, label in TicketSource.choices if v != TicketSource.REPORT]


def _county_path(path: str) -> str:
    """A region path cut after its county-level (6-digit) code."""
    parts = [p for p in path.split("/") if p]
    for i, code in enumerate(parts):
        if len(code) >= 6:
            return "/".join(parts[: i + 1]) + "/"
    return path


def enterprise_choices(user):
    """Enterprises a unit or leader may raise a ticket for: those in the county of any of the user's units."""
    paths = {_county_path(m.unit.region.path) for m in user_memberships(user)}
    if not paths:
        return OrgUnit.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(region__path__startswith=path)
    return OrgUnit.objects.filter(condition, unit_type=UnitType.ENTERPRISE, is_active=True).order_by(
        "sort_order", "name", "pk"
    )


def checked_attachment(uploaded):
    """The upload checked by content (PDF/JPG/PNG/DOCX), or a ValidationError with a Chinese message."""
    return check_upload(uploaded, TICKET_ATTACHMENT_TYPES)


class TicketForm(forms.Form):
    """Raise a ticket. Units and leaders choose a project or an enterprise; an enterprise user raises for itself
    (its own projects only, the enterprise implicit)."""

    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False, label=_("项目"))
    enterprise = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False, label=_("企业"))
    source = forms.ChoiceField(choices=UNIT_SOURCES, label=_("来源"), initial=TicketSource.OTHER)
    category = forms.ChoiceField(
        choices=[], label=_("问题类别"), error_messages={"invalid_choice": _("该工单类别不存在或已停用，请重新选择。")}
    )
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("问题描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    help_requested = forms.CharField(
        label=_("需协调解决的事项"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(label=_("附件（PDF/JPG/PNG/DOCX，可选）"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import active_category_choices

        self.fields["category"].choices = [("", _("请选择类别")), *active_category_choices()]
        self.is_enterprise = is_enterprise_user(user)
        projects = Project.objects.restrict(user, "view").order_by("name", "pk")
        self.fields["project"].queryset = projects
        self.fields["project"].empty_label = _("（不涉及具体项目）") if self.is_enterprise else _("请选择项目")
        if self.is_enterprise:
            del self.fields["enterprise"]
            del self.fields["source"]
            self.fields["project"].help_text = _("可选：诉求涉及本企业的哪个项目。")
        else:
            self.fields["enterprise"].queryset = enterprise_choices(user)
            self.fields["enterprise"].empty_label = _("请选择企业")
            self.fields["enterprise"].help_text = _("企业诉求可不选项目，只选企业。")
            if user is not None and not user.has_perm("tickets.handle_ticket"):
                self.initial.setdefault("source", TicketSource.LEADER)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.checked_upload = None

    def clean_attachment(self):
        uploaded = self.cleaned_data.get("attachment")
        if uploaded:
            self.checked_upload = checked_attachment(uploaded)
        return uploaded

    def clean(self):
        data = super().clean()
        if not self.is_enterprise and not data.get("project") and not data.get("enterprise"):
            self.add_error("project", _("请选择项目或企业。"))
        return data


class TicketActionForm(forms.Form):
    """One form for every step on the detail page; the fields an action needs are checked here, the rest by the
    service."""

    action = forms.ChoiceField(choices=ACTIONS)
    version = forms.IntegerField(min_value=0)
    lead_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False, label=_("牵头单位"))
    co_units = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.none(), required=False, label=_("配合单位"))
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)
    reason = forms.CharField(label=_("原因"), max_length=2000, required=False)
    result = forms.CharField(label=_("办理结果"), max_length=4000, required=False)
    explanation = forms.CharField(label=_("无法解决的说明"), max_length=2000, required=False)
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, required=False)
    comment = forms.CharField(label=_("评价意见"), max_length=300, required=False)
    file = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = lead_unit_choices(user)
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.checked_upload = None

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in ("assign", "transfer") and not data.get("lead_unit"):
            self.add_error("lead_unit", _("请选择牵头单位。"))
        if action == "rate" and not data.get("rating"):
            self.add_error("rating", _("请选择评价。"))
        if action == "attach":
            if not data.get("file"):
                self.add_error("file", _("请选择要上传的文件。"))
            else:
                try:
                    self.checked_upload = checked_attachment(data["file"])
                except ValidationError as exc:
                    self.add_error("file", exc)
        return data

    def error_text(self) -> str:
        """All errors as one Chinese sentence (shown as a message above the ticket)."""
        parts = []
        for field, errors in self.errors.items():
            label = self.fields[field].label if field in self.fields and field not in ("action", "version") else ""
            for error in errors:
                parts.append(f"{label}：{error}" if label else str(error))
        return "；".join(parts)


def _days_field(label, required_message, invalid_message, help_text=""):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        error_messages={"required": required_message, "invalid": invalid_message},
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric", "class": "form-control"}),
    )


class _CategoryFields(forms.Form):
    """A category's name, order and time limits in working days; the rules (name unique and not blank, range,
    response ≤ resolution) are services.category_validate and services.sla_validate."""

    name = forms.CharField(
        label=_("类别名称"),
        max_length=30,
        strip=True,
        error_messages={"required": _("请填写类别名称。"), "max_length": _("类别名称不能超过 30 个字。")},
        widget=forms.TextInput(attrs={"class": "form-control", "maxlength": 30}),
    )
    sort_order = forms.IntegerField(
        label=_("排序"),
        min_value=0,
        max_value=32767,
        help_text=_("数字小的排在前面。"),
        error_messages={
            "invalid": _("排序请填写整数。"),
            "min_value": _("排序不能小于 0。"),
            "max_value": _("排序不能大于 32767。"),
        },
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric", "class": "form-control"}),
    )
    response_days = _days_field(
        _("首次响应时限（工作日）"), _("请填写首次响应时限。"), _("首次响应时限请填写整数个工作日。")
    )
    resolution_days = _days_field(_("办结时限（工作日）"), _("请填写办结时限。"), _("办结时限请填写整数个工作日。"))
    escalation_step_days = _days_field(
        _("升级间隔（工作日）"),
        _("请填写升级间隔。"),
        _("升级间隔请填写整数个工作日。"),
        help_text=_("超期后每隔多少个工作日升级一级（第1级在超期第1个工作日）。"),
    )

    category_pk: int | None = None
    check_code = False

    def clean(self):
        from .services import category_validate, sla_validate

        data = super().clean()
        names = ("response_days", "resolution_days", "escalation_step_days")
        checks = []
        if "name" in data:
            code = (data.get("category") or "").strip().lower() or None if self.check_code else None
            checks.append(lambda: category_validate(name=data["name"], code=code, exclude_pk=self.category_pk))
        if all(data.get(n) is not None for n in names):
            checks.append(lambda: sla_validate(*(data[n] for n in names)))
        for check in checks:
            try:
                check()
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(name if name in self.fields else None, error)
        return data


class CategorySLAForm(_CategoryFields):
    """Edit a category: name, order, active flag and limits, on the version the user opened."""

    is_active = forms.BooleanField(
        label=_("启用"),
        required=False,
        help_text=_("停用后新工单不能再选该类别；已有工单保留该类别并照常显示其名称。"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, category_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_pk = category_pk


class CategoryAddForm(_CategoryFields):
    """A new category: an optional code (generated when blank), its name, order and limits."""

    category = forms.CharField(
        label=_("类别代码"),
        required=False,
        max_length=20,
        help_text=_("小写英文字母开头的简短代码，如 bridge；留空由系统生成。保存后不能修改。"),
        error_messages={"max_length": _("类别代码不超过 20 个字符。")},
        widget=forms.TextInput(attrs={"class": "form-control", "maxlength": 20, "autocapitalize": "off"}),
    )
    check_code = True

    field_order = ["name", "category", "sort_order", "response_days", "resolution_days", "escalation_step_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort_order"].required = False
        self.fields["sort_order"].help_text = _("数字小的排在前面；留空排在最后。")
