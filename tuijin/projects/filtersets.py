"""One filterset for the project list page, the export and the API (NetBox: shared filtersets)."""

from collections.abc import Callable

import django_filters
from django import forms
from django.db.models import F, OrderBy, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import OrgUnit, Person
from tuijin.org.selectors import unit_choices, units_or_picker

from .choices import ProjectDomain, Stage, YearlyCategory
from .models import IndustryCategory, IndustryChain, Project, ProjectLevel, SpecialList

__all__ = ["ProjectFilterSet", "current_year", "register_filter"]

# Filters contributed by apps above `projects` (tuijin.facts adds ?fact=…&period=…, the figures' drill-down), from
# their AppConfig.ready(): the project list, its export and the API then filter by them without importing them.
EXTRA_FILTERS: dict[str, Callable[[], django_filters.Filter]] = {}


def register_filter(name: str, factory: Callable[[], django_filters.Filter]) -> None:
    EXTRA_FILTERS[name] = factory


# Unit filters offering more units than settings.TUIJIN_UNIT_PICKER_THRESHOLD (default 200) render as a search box +
# the selected unit (org:orgunit_options supplies matches) instead of a drop-down of every unit: a province-wide
# scope has thousands.
UNIT_PICKERS = {"responsible_unit": "responsible", "locality": "locality"}

UNKNOWN = "none"  # the 未填 option of a choice filter (the field is "")

SORTS: dict[str, str | OrderBy] = {
    "name": "name",
    "-name": "-name",
    # unknown totals / start dates (未填) last in both directions
    "total": F("total_investment").asc(nulls_last=True),
    "-total": F("total_investment").desc(nulls_last=True),
    "start": F("actual_start").asc(nulls_last=True),
    "-start": F("actual_start").desc(nulls_last=True),
    "code": "code",
    "-code": "-code",
    "ndl": "ndl_days_to_permit",
    "-ndl": "-ndl_days_to_permit",
    "unit": "responsible_unit__sort_order",
    "-unit": "-responsible_unit__sort_order",
    "updated": "last_updated",
    "-updated": "-last_updated",
}


def _unit_options(form, name: str, kind: str) -> None:
    """The options of a unit filter: every unit in scope, or only "全部" and the selected unit plus a search box when
    the scope has too many units to list."""
    field = form.fields[name]
    units = units_or_picker(field.queryset)
    # The form still validates against the whole queryset; the page lists only `listed_choices`
    # (generic/object_list.html), so the drop-down does not query the units a second time.
    if units is not None:
        field.listed_choices = [("", field.empty_label), *((u.pk, str(u)) for u in units)]
        return
    value = str(form[name].value() or "")
    selected = field.queryset.filter(pk=value).first() if value.isdigit() else None
    field.listed_choices = [("", _("全部")), *([(selected.pk, str(selected))] if selected else [])]
    field.widget.attrs["tj_picker"] = f"{reverse('org:orgunit_options')}?kind={kind}"


def current_year() -> int:
    return timezone.localdate().year


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/代码/业主"))
    responsible_unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.none(), label=_("责任单位"), method="filter_unit"
    )
    sponsor = django_filters.ModelChoiceFilter(
        queryset=Person.objects.none(), field_name="sponsors", label=_("包联领导")
    )
    locality = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.none(), label=_("属地"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("项目阶段"))
    yearly_category = django_filters.CharFilter(
        label=_("年度类别"),
        method="filter_yearly",
        widget=forms.Select(choices=[("", _("全部")), *YearlyCategory.choices]),
    )
    plan_year = django_filters.NumberFilter(label=_("年度计划内"), method="filter_plan_year", widget=forms.HiddenInput)
    level = django_filters.ModelChoiceFilter(
        queryset=ProjectLevel.objects.all(), field_name="levels", label=_("项目级别")
    )
    chain = django_filters.ModelChoiceFilter(queryset=IndustryChain.objects.all(), label=_("产业链"))
    industry = django_filters.ModelChoiceFilter(
        queryset=IndustryCategory.objects.filter(parent__isnull=True), label=_("行业门类"), method="filter_industry"
    )
    domain = django_filters.ChoiceFilter(
        choices=[*ProjectDomain.choices, (UNKNOWN, _("未填"))], label=_("投资领域"), method="filter_domain"
    )
    special_list = django_filters.ModelChoiceFilter(
        queryset=SpecialList.objects.all(), field_name="special_lists", label=_("专项名单")
    )
    is_fast_track = django_filters.BooleanFilter(
        label=_("拿地即开工"), widget=forms.Select(choices=[("", "---------"), ("true", _("是")), ("false", _("否"))])
    )
    has_code = django_filters.BooleanFilter(
        field_name="code",
        lookup_expr="isnull",
        exclude=True,
        label=_("已赋码"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Project
        fields = [
            "q",
            "responsible_unit",
            "sponsor",
            "locality",
            "stage",
            "yearly_category",
            "level",
            "chain",
            "industry",
            "domain",
            "special_list",
            "is_fast_track",
            "has_code",
            "plan_year",
        ]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        for name, factory in EXTRA_FILTERS.items():
            extra = self.filters[name] = factory()
            extra.parent = self
            extra.model = self._meta.model
            extra.field_name = extra.field_name or name
        user = getattr(request, "user", None)
        units = OrgUnit.objects.restrict(user, "view")
        self.filters["responsible_unit"].queryset = unit_choices(units, "responsible")
        self.filters["locality"].queryset = unit_choices(units, "locality")
        self.filters["sponsor"].queryset = Person.objects.restrict(user, "view").filter(is_county_leader=True)
        for name in (
            "responsible_unit",
            "sponsor",
            "locality",
            "level",
            "chain",
            "industry",
            "special_list",
            "stage",
            "domain",
        ):
            self.filters[name].extra["empty_label"] = _("全部")

    def prepare_for_page(self) -> None:
        """Called by ObjectListView before the full page renders the filter form (not for the API or the htmx table):
        each unit filter gets its drop-down options or, in a large scope, a search picker."""
        for name, kind in UNIT_PICKERS.items():
            _unit_options(self.form, name, kind)

    @property
    def qs(self):
        return (
            super().qs.distinct()
            if self.is_bound and any(self.data.get(k) for k in ("sponsor", "level", "special_list"))
            else super().qs
        )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(owner_name__icontains=value))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(responsible_unit__path__startswith=value.path)

    def filter_domain(self, queryset, name, value):
        return queryset.filter(domain="" if value == UNKNOWN else value)

    def filter_industry(self, queryset, name, value):
        return queryset.filter(Q(industry=value) | Q(industry__parent=value))

    def filter_yearly(self, queryset, name, value):
        """One category, or several separated by commas (the dashboard's drill-down links)."""
        values = [v for v in value.split(",") if v in YearlyCategory.values]
        if not values:
            return queryset.none()
        if "yearly_category" not in queryset.query.annotations:
            year = self.data.get("year") or current_year()
            queryset = queryset.with_yearly_category(int(year))
        return queryset.filter(yearly_category__in=values)

    def filter_plan_year(self, queryset, name, value):
        """Projects in the year's annual list (they have an annual plan for it)."""
        from django.db.models import Exists, OuterRef

        from .models import AnnualPlan

        return queryset.filter(Exists(AnnualPlan.objects.filter(project=OuterRef("pk"), year=int(value))))
