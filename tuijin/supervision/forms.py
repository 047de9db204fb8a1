"""Forms of the 督办 pages: they parse and explain bad input in Chinese; the services decide."""

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.org.models import OrgUnit, Person
from tuijin.projects.forms import DateInput

from .choices import RuleKind, TaskSource
from .models import Meeting

__all__ = [
    "CancelForm",
    "CloseRequestForm",
    "MeetingForm",
    "ProgressForm",
    "ReviewForm",
    "RuleForm",
    "TaskForm",
    "apply_errors",
    "leader_choices",
    "style",
    "unit_choices",
]

SPLIT = re.compile(r"[\s,，、;；]+")


def style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(
            widget, forms.HiddenInput | forms.RadioSelect | forms.CheckboxInput | forms.CheckboxSelectMultiple
        ):
            continue
        css = "form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def apply_errors(form: forms.BaseForm, exc) -> None:
    """Put a service's ValidationError next to its field (or on top when it names no field of the form)."""
    for key, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for error in errors:
            form.add_error(key if key in form.fields else None, error)


def unit_choices(user):
    """Government units the user may see (no enterprises, no universities), in the directory's order."""
    return (
        OrgUnit.objects.restrict(user, "view")
        .filter(is_active=True)
        .exclude(unit_type__in=["enterprise", "university"])
        .order_by("sort_order", "name", "pk")
    )


def leader_choices(user):
    """County-level leaders (区领导) the user may see."""
    return Person.objects.restrict(user, "view").filter(is_county_leader=True).order_by("name", "pk")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "held_on",
            "place",
            "organiser",
            "chair",
            "leaders",
            "units",
            "agenda",
            "speakers",
            "minutes",
            "places",
            "enterprises_visited",
            "lessons",
        ]
        widgets = {
            "held_on": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 8}),
            "speakers": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
            "leaders": forms.SelectMultiple(attrs={"size": 6}),
            "units": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = unit_choices(user)
        leaders = leader_choices(user)
        self.fields["organiser"].queryset = units
        if self.instance.pk is None:
            self.fields["organiser"].required = False
            self.fields["organiser"].help_text = _("不选则为您所在单位")
        self.fields["organiser"].error_messages["required"] = _("请选择组织单位。")
        self.fields["units"].queryset = units
        self.fields["chair"].queryset = leaders
        self.fields["leaders"].queryset = leaders
        self.fields["held_on"].error_messages["invalid"] = _("请输入正确的日期，如 2026-03-15。")
        self.fields["title"].error_messages["required"] = _("请填写会议名称。")
        self.fields["held_on"].error_messages["required"] = _("请填写会议日期。")
        style(self)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("organiser") is None:
            data.pop("organiser", None)
        return data


class _Links(forms.Form):
    """Links to projects, leads and tickets typed as codes or names (one per line or separated by 、), resolved in
    the user's view scope; an unknown entry is an error naming it."""

    project_refs = forms.CharField(
        label=gettext_lazy("关联项目"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("项目代码或项目名称，多个用顿号或换行分隔"),
    )
    ticket_refs = forms.CharField(
        label=gettext_lazy("关联工单"), required=False, help_text=gettext_lazy("工单编号，如 GD202612-0001")
    )
    lead_refs = forms.CharField(
        label=gettext_lazy("关联招商项目"), required=False, help_text=gettext_lazy("招商项目名称")
    )

    def _resolve(self, field: str, queryset, lookups: tuple[str, ...]) -> list:
        found: list = []
        missing: list[str] = []
        for ref in [r for r in SPLIT.split(self.cleaned_data.get(field) or "") if r]:
            condition = Q()
            for lookup in lookups:
                condition |= Q(**{lookup: ref})
            row = queryset.filter(condition).first()
            (found if row else missing).append(row or ref)
        if missing:
            self.add_error(field, _("找不到（或无权查看）：%(refs)s") % {"refs": "、".join(missing)})
        return found

    def clean_links(self, user) -> dict:
        from tuijin.investment.models import Lead
        from tuijin.projects.models import Project
        from tuijin.tickets.models import Ticket

        return {
            "projects": self._resolve("project_refs", Project.objects.restrict(user, "view"), ("code", "name")),
            "tickets": self._resolve("ticket_refs", Ticket.objects.restrict(user, "view"), ("number",)),
            "leads": self._resolve("lead_refs", Lead.objects.restrict(user, "view"), ("name",)),
        }


class TaskForm(_Links):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=gettext_lazy("督办事项"), max_length=200)
    content = forms.CharField(label=gettext_lazy("具体要求"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    source = forms.ChoiceField(label=gettext_lazy("来源"), choices=TaskSource.choices)
    meeting = forms.ModelChoiceField(label=gettext_lazy("来源会议"), queryset=Meeting.objects.none(), required=False)
    source_reference = forms.CharField(
        label=gettext_lazy("来源说明"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("批示人与日期、上级文件文号等"),
    )
    responsible_unit = forms.ModelChoiceField(label=gettext_lazy("责任单位"), queryset=OrgUnit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("配合单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    leader = forms.ModelChoiceField(label=gettext_lazy("分管领导"), queryset=Person.objects.none(), required=False)
    deadline_workdays = forms.IntegerField(
        label=gettext_lazy("时限（工作日）"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=gettext_lazy("从交办日起算；填写后按工作日历计算办结时限"),
    )
    deadline = forms.DateField(
        label=gettext_lazy("办结时限（日期）"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("或直接填写日期"),
    )
    report_every_workdays = forms.IntegerField(
        label=gettext_lazy("进展报送周期（工作日）"), min_value=1, max_value=60, required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("调整时限的理由"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = unit_choices(user)
        fields: dict = self.fields  # the ModelChoiceFields below (typed as Field)
        fields["responsible_unit"].queryset = units
        fields["co_units"].queryset = units
        fields["leader"].queryset = leader_choices(user)
        fields["meeting"].queryset = Meeting.objects.restrict(user, "view").order_by("-held_on", "-pk")
        self.fields["title"].error_messages["required"] = _("请填写督办事项。")
        self.fields["content"].error_messages["required"] = _("请填写具体要求。")
        self.fields["responsible_unit"].error_messages["required"] = _("请选择责任单位。")
        self.fields["deadline"].error_messages["invalid"] = _("请输入正确的日期，如 2026-03-15。")
        for name in ("deadline_workdays", "report_every_workdays"):
            self.fields[name].error_messages["invalid"] = _("请输入整数。")
        if editing:
            for name in ("source", "meeting"):
                del self.fields[name]
        else:
            del self.fields["reason"]
        style(self)

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("deadline") is None and data.get("deadline_workdays") is None:
            self.add_error("deadline_workdays", _("请填写时限（工作日数或日期）。"))
        if data.get("source") == TaskSource.MEETING and data.get("meeting") is None and "meeting" in self.fields:
            self.add_error("meeting", _("来源为会议决定时，请选择会议。"))
        data.update(self.clean_links(self.user))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            name: data.get(name)
            for name in ("title", "content", "source_reference", "responsible_unit", "leader", "report_every_workdays")
        }
        kwargs.update(
            co_units=list(data.get("co_units") or []),
            projects=data["projects"],
            tickets=data["tickets"],
            leads=data["leads"],
            deadline=data.get("deadline") if data.get("deadline_workdays") is None else None,
            deadline_workdays=data.get("deadline_workdays"),
        )
        if "source" in self.fields:
            kwargs.update(source=data["source"], meeting=data.get("meeting"))
        return kwargs


class _Versioned(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data][:10]
        return [super().clean(data, initial)] if data else []


class ProgressForm(_Versioned):
    note = forms.CharField(label=gettext_lazy("进展情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=gettext_lazy("佐证材料（可选，最多 10 个）"))  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].error_messages["required"] = _("请填写进展情况。")
        style(self)


class CloseRequestForm(_Versioned):
    result = forms.CharField(label=gettext_lazy("办理结果"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=gettext_lazy("佐证材料（至少一份，可多选）"))  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].error_messages["required"] = _("请填写办理结果。")
        style(self)


class ReviewForm(_Versioned):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核意见"),
        choices=[("approve", gettext_lazy("通过，办结")), ("return", gettext_lazy("退回，继续办理"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=gettext_lazy("意见说明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].error_messages["required"] = _("请选择通过或退回。")
        style(self)


class CancelForm(_Versioned):
    reason = forms.CharField(label=gettext_lazy("撤销理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("请填写撤销理由。")
        style(self)


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=RuleKind.choices)
    text = forms.CharField(label=gettext_lazy("词语"), max_length=50)
    value = forms.CharField(label=gettext_lazy("取值"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = _("请填写词语。")
        style(self)
