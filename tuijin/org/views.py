from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from tuijin.core.views_generic import ObjectDetailView, ObjectListView, ScopedViewMixin

from .filtersets import OrgUnitFilterSet, PersonFilterSet
from .models import OrgUnit, Person
from .selectors import PICKER_KINDS, unit_choices

__all__ = ["OrgUnitListView", "OrgUnitOptionsView", "OrgUnitView", "PersonListView", "PersonView"]

OPTIONS_LIMIT = 50


class OrgUnitListView(ObjectListView):
    queryset = OrgUnit.objects.select_related("region", "parent")
    filterset_class = OrgUnitFilterSet
    table_template = "org/htmx/orgunit_table.html"
    title = _("单位")


class OrgUnitView(ObjectDetailView):
    queryset = OrgUnit.objects.select_related("region", "parent")
    template_name = "org/orgunit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["children"] = OrgUnit.objects.restrict(user, "view").filter(parent=self.object)
        context["people"] = Person.objects.restrict(user, "view").filter(unit=self.object).prefetch_related("positions")
        return context


class PersonListView(ObjectListView):
    queryset = Person.objects.select_related("unit").prefetch_related("positions__unit")
    filterset_class = PersonFilterSet
    table_template = "org/htmx/person_table.html"
    title = _("领导与人员")


class PersonView(ObjectDetailView):
    queryset = Person.objects.select_related("unit").prefetch_related("positions__unit")
    template_name = "org/person.html"


class OrgUnitOptionsView(ScopedViewMixin, View):
    """The options of a unit picker (htmx): up to OPTIONS_LIMIT units in the user's scope whose name or short name
    contains ?q=, for scopes too large for a plain drop-down (thousands of units at city or province level)."""

    queryset = OrgUnit.objects.all()

    def get(self, request):
        kind = request.GET.get("kind", "responsible")
        units = unit_choices(self.queryset, kind if kind in PICKER_KINDS else "responsible")
        q = request.GET.get("q", "").strip()[:50]
        if q:
            units = units.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
        rows = list(units.order_by("sort_order", "name", "pk").only("pk", "name", "short_name")[: OPTIONS_LIMIT + 1])
        return render(
            request,
            "org/htmx/unit_options.html",
            {
                "units": rows[:OPTIONS_LIMIT],
                "more": len(rows) > OPTIONS_LIMIT,
                "q": q,
                "limit": OPTIONS_LIMIT,
                "blank": "---------" if request.GET.get("blank") == "none" else _("全部"),
            },
        )
