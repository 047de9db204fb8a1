from django.utils.translation import gettext_lazy as _

from tuijin.core.views_generic import ObjectDetailView, ObjectListView

from .filtersets import OrgUnitFilterSet, PersonFilterSet
from .models import OrgUnit, Person

__all__ = ["OrgUnitListView", "OrgUnitView", "PersonListView", "PersonView"]


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
