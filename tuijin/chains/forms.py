"""Forms of the chain pages: they parse and explain bad input in Chinese next to the field; services.py decides."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.investment.forms import LeadForm
from tuijin.org.models import OrgUnit, Person
from tuijin.projects.models import IndustryChain

from .models import ChainNode, ChainProfile, ChainRules, NodeEnterprise

__all__ = [
    "EnterpriseForm",
    "ImportForm",
    "LeadStartForm",
    "LinkForm",
    "NodeForm",
    "ProfileForm",
    "RulesForm",
    "VersionForm",
    "apply_errors",
    "style",
]


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if field.label and "required" in field.error_messages:
            template = _("请选择%(f)s。") if isinstance(field, forms.ChoiceField) else _("请填写%(f)s。")
            field.error_messages["required"] = template % {"f": field.label}
        if isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = _("请输入整数。")
        if isinstance(
            widget, forms.HiddenInput | forms.RadioSelect | forms.CheckboxInput | forms.CheckboxSelectMultiple
        ):
            continue
        css = "form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def apply_errors(form: forms.BaseForm, exc) -> None:
    """A service's ValidationError next to its field (on top when it names no field of the form)."""
    for key, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for error in errors:
            form.add_error(key if key in form.fields else None, error)


class VersionForm(forms.Form):
    """A POST that acts on a versioned row (remove, delete)."""

    version = forms.IntegerField(min_value=0)


class LinkForm(forms.Form):
    """The lead or project to link (its id; the view fetches it within the user's scope)."""

    target = forms.IntegerField(min_value=1, error_messages={"required": gettext_lazy("请选择要关联的记录。")})


def descendants(node: ChainNode) -> set[int]:
    ids, frontier = {node.pk}, [node.pk]
    while frontier:
        frontier = list(ChainNode.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    return ids


class NodeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ChainNode
        fields = ["parent", "segment", "name", "keywords", "description", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, chain=None, **kwargs):
        super().__init__(*args, **kwargs)
        chain = chain or self.instance.chain
        parents = ChainNode.objects.filter(chain=chain).order_by("segment", "sort_order", "pk")
        if self.instance.pk:
            parents = parents.exclude(pk__in=descendants(self.instance))
            self.fields["version"].initial = self.instance.version
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("（无：一级环节）")
        self.fields["parent"].required = False
        self.fields["segment"].help_text = _("下级环节的链位与上级环节相同")
        self.fields["sort_order"].help_text = _("数字小的排在前面")
        style(self)

    def _post_clean(self):
        # the service validates the node (chain, parent, uniqueness); here only the fields' own checks
        pass

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class EnterpriseForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = NodeEnterprise
        fields = [
            "name",
            "role",
            "credit_code",
            "is_local",
            "in_production",
            "location",
            "products",
            "enterprise",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = OrgUnit.objects.filter(
            Q(unit_type="enterprise", is_active=True) | Q(pk=self.instance.enterprise_id)
        ).order_by("name", "pk")
        self.fields["enterprise"].empty_label = "—"
        self.fields["enterprise"].help_text = _("该企业在本平台有企业账号时选择")
        self.fields["is_local"].help_text = _("关键供应商可在区外")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        style(self)

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ProfileForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ChainProfile
        fields = ["leader", "lead_unit", "task_force", "task_force_note", "fill_target", "summary"]
        widgets = {
            "task_force": forms.SelectMultiple(attrs={"size": 8}),
            "task_force_note": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.restrict(user, "view") if user is not None else Person.objects.all()
        self.fields["leader"].queryset = people.filter(
            Q(is_county_leader=True) | Q(pk=self.instance.leader_id)
        ).order_by("name", "pk")
        units = OrgUnit.objects.restrict(user, "view") if user is not None else OrgUnit.objects.all()
        units = units.filter(is_active=True).exclude(unit_type__in=["enterprise", "university"])
        self.fields["lead_unit"].queryset = units.order_by("sort_order", "name", "pk")
        self.fields["task_force"].queryset = units.order_by("sort_order", "name", "pk")
        self.fields["leader"].empty_label = "—"
        self.fields["lead_unit"].empty_label = "—"
        self.fields["leader"].help_text = _("县级领导；链长的账号会收到环节状态变化的通知")
        self.fields["lead_unit"].help_text = _("牵头部门的人员会收到环节状态变化的通知和待办")
        self.fields["task_force"].help_text = _("可多选（按住 Ctrl 或 ⌘）")
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        style(self)

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class RulesForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    strong_min = forms.IntegerField(
        label=gettext_lazy("优势门槛（本地在产主体数）"),
        min_value=1,
        max_value=1000,
        error_messages={
            "min_value": gettext_lazy("优势门槛至少为 1。"),
            "max_value": gettext_lazy("优势门槛不能超过 1000。"),
        },
    )

    class Meta:
        model = ChainRules
        fields = ["strong_min", "count_building", "strong_requires_leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strong_min"].widget.attrs["min"] = 1
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        style(self)

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class LeadStartForm(LeadForm):
    """从本环节发起招商项目: the lead form with the chain fixed to the node's."""

    def __init__(self, *args, node=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["chain"]
        field.disabled = True
        field.required = False
        if node is not None:
            field.queryset = IndustryChain.objects.filter(pk=node.chain_id)
            self.initial["chain"] = node.chain_id
        field.help_text = _("即本环节所在的产业链")

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("chain", None)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件（.xlsx）"), error_messages={"required": gettext_lazy("请选择要导入的文件。")}
    )
