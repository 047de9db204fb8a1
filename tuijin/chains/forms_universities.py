"""Forms and filters of the 政产学研 pages: they parse and explain bad input in Chinese next to the field; the
services in universities.py decide (permissions, the 诉求's scope, the lock)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.org.choices import UnitType
from tuijin.org.models import OrgUnit
from tuijin.projects.forms import DateInput
from tuijin.tickets.models import Ticket

from .choices import CooperationKind, ResourceKind
from .models import ChainNode, Cooperation, University, UniversityResource
from .universities import COOPERATION_FIELDS, RESOURCE_FIELDS

__all__ = [
    "ENTERPRISE_LIMIT",
    "CooperationFilterSet",
    "CooperationForm",
    "ImportForm",
    "ResourceFilterSet",
    "ResourceForm",
    "apply_errors",
    "node_choices",
]

ENTERPRISE_LIMIT = 1000  # enterprise accounts offered in the drop-down (the name field takes any other)
NUMBER_INVALID = gettext_lazy("请输入数字（单位：万元），如 50 或 12.5。")
DATE_INVALID = gettext_lazy("请输入正确的日期，如 2026-03-15。")


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes and Chinese messages ("请填写名称。") on every field."""
    for field in form.fields.values():
        if field.label and "required" in field.error_messages:
            template = _("请选择%(f)s。") if isinstance(field, forms.ChoiceField) else _("请填写%(f)s。")
            field.error_messages["required"] = template % {"f": field.label}
        if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
            field.error_messages["invalid_choice"] = _("所选%(f)s无效，请重新选择。") % {"f": field.label}
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.error_messages["invalid_choice"] = _("所选%(f)s无效，请重新选择。") % {"f": field.label}
            field.error_messages["invalid_pk_value"] = _("所选%(f)s无效，请重新选择。") % {"f": field.label}
        if isinstance(field, forms.DecimalField):
            field.error_messages["invalid"] = NUMBER_INVALID
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = DATE_INVALID
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


class _NodeChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.chain.name} · {obj.name}（{obj.get_status_display()}）"


class _OneNode(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.chain.name} · {obj.name}（{obj.get_status_display()}）"


class _TicketChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} {obj.title}"


def node_choices():
    return (
        ChainNode.objects.filter(chain__is_active=True)
        .select_related("chain")
        .order_by("chain__sort_order", "chain_id", "sort_order", "pk")
    )


class ResourceForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    nodes = _NodeChoice(
        label=gettext_lazy("服务环节"),
        queryset=ChainNode.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("可多选（按住 Ctrl 或 ⌘）；不选也可，页面会按关键词推荐缺链环节"),
    )

    class Meta:
        model = UniversityResource
        fields = [*RESOURCE_FIELDS, "nodes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "keywords": gettext_lazy(
                "以逗号、顿号或空格分隔，如：光学薄膜、智能传感；匹配缺链环节和企业诉求时按关键词计分"
            ),
            "field": gettext_lazy("如：精密光学与光电检测"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nodes"].queryset = node_choices()
        self.fields["university"].queryset = University.objects.order_by("sort_order", "pk")
        self.fields["university"].empty_label = "—"  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", "—"), *ResourceKind.choices]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        style(self)

    def validate_unique(self):
        """The service validates (and answers the same-name case in Chinese)."""

    def _post_clean(self):
        """Fields are set on the instance by the service, not here (the instance stays as stored)."""


class CooperationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    resource = forms.ModelChoiceField(label=gettext_lazy("高校资源"), queryset=UniversityResource.objects.none())
    node = _OneNode(label=gettext_lazy("环节"), queryset=ChainNode.objects.none(), required=False)
    ticket = _TicketChoice(label=gettext_lazy("对应诉求"), queryset=Ticket.objects.none(), required=False)
    enterprise = forms.ModelChoiceField(
        label=gettext_lazy("企业账号"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=gettext_lazy("平台上有账号的企业可选；选择诉求时默认为提出诉求的企业"),
    )

    class Meta:
        model = Cooperation
        fields = list(COOPERATION_FIELDS)
        widgets = {
            "happened_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"enterprise_name": gettext_lazy("不填则取企业账号的名称")}

    def __init__(self, *args, user=None, **kwargs):
        from .matching import OPEN_STATUSES, talent_categories

        super().__init__(*args, **kwargs)
        resources = UniversityResource.objects.select_related("university").order_by(
            "university__sort_order", "university_id", "kind", "name"
        )
        if not self.instance.pk:
            resources = resources.filter(is_active=True)
        else:  # the record's own resource stays selectable after it is deactivated
            resources = resources.filter(Q(is_active=True) | Q(pk=self.instance.resource_id))
        self.fields["resource"].queryset = resources
        self.fields["node"].queryset = node_choices()
        tickets = Ticket.objects.restrict(user, "view") if user is not None else Ticket.objects.none()
        current = self.instance.ticket_id
        tickets = tickets.filter(
            Q(status__in=OPEN_STATUSES, category__in=talent_categories()) | Q(pk=current or 0) | Q(pk=self._asked())
        )
        self.fields["ticket"].queryset = tickets.order_by("-raised_at", "-pk")
        self.fields["ticket"].help_text = _("本单位可见的未办结技术/人才诉求")
        enterprises = OrgUnit.objects.restrict(user, "view") if user is not None else OrgUnit.objects.none()
        enterprises = enterprises.filter(unit_type=UnitType.ENTERPRISE, is_active=True)
        ids = list(enterprises.order_by("name").values_list("pk", flat=True)[:ENTERPRISE_LIMIT])
        keep = [self.instance.enterprise_id] if self.instance.enterprise_id else []
        self.fields["enterprise"].queryset = OrgUnit.objects.filter(pk__in=ids + keep).order_by("name")
        self.fields["kind"].choices = [("", "—"), *CooperationKind.choices]
        self.fields["amount"].label = _("合作金额（万元）")
        self.fields["enterprise_name"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        style(self)

    def _asked(self) -> int:
        """The 诉求 named by the page's ?ticket= (initial), so it is offered even when it is not 技术/人才."""
        value = self.initial.get("ticket") if not self.is_bound else self.data.get("ticket")
        text = str(getattr(value, "pk", value) or "")
        return int(text) if text.isdigit() else 0

    def _post_clean(self):
        """The service sets the fields and validates."""


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = _("请选择要上传的 Excel 文件。")
        self.fields["file"].widget.attrs.update({"accept": ".xlsx", "class": "form-control form-control-sm"})


class ResourceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("名称/关键词"))
    university = django_filters.ModelChoiceFilter(queryset=University.objects.all(), label=gettext_lazy("高校"))
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices, label=gettext_lazy("类别"))
    node = django_filters.ModelChoiceFilter(
        queryset=ChainNode.objects.all(), field_name="nodes", label=gettext_lazy("服务环节"), widget=forms.HiddenInput
    )
    active = django_filters.ChoiceFilter(
        choices=[("1", gettext_lazy("有效")), ("0", gettext_lazy("已停用"))],
        method="filter_active",
        label=gettext_lazy("状态"),
    )

    class Meta:
        model = UniversityResource
        fields = ["q", "university", "kind", "active", "node"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        for name in ("university", "kind", "active"):
            self.filters[name].extra["empty_label"] = _("全部")

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(keywords__icontains=value)
            | Q(field__icontains=value)
            | Q(contact_name__icontains=value)
        )

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")


class CooperationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("企业/资源"))
    university = django_filters.ModelChoiceFilter(
        queryset=University.objects.all(), field_name="resource__university", label=gettext_lazy("高校")
    )
    kind = django_filters.ChoiceFilter(choices=CooperationKind.choices, label=gettext_lazy("类型"))
    year = django_filters.NumberFilter(
        field_name="happened_on__year", label=gettext_lazy("年度"), min_value=1, max_value=9999
    )
    resource = django_filters.NumberFilter(field_name="resource_id", widget=forms.HiddenInput)
    node = django_filters.NumberFilter(field_name="node_id", widget=forms.HiddenInput)

    class Meta:
        model = Cooperation
        fields = ["q", "university", "kind", "year", "resource", "node"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        for name in ("university", "kind"):
            self.filters[name].extra["empty_label"] = _("全部")

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(enterprise_name__icontains=value) | Q(resource__name__icontains=value))
