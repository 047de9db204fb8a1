"""Generic scoped views: every page that shows domain objects inherits one of these (NetBox generic views).

The queryset is restricted once, in dispatch: no permission → 403, out of scope → 404, anonymous → login.
"""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from .history import object_history
from .permissions import DenialReason, deny, permission_name

__all__ = [
    "ObjectDetailView",
    "ObjectListView",
    "ScopedViewMixin",
    "htmx_partial",
    "permission_name",
    "stored_file_response",
]


def stored_file_response(stored) -> FileResponse:
    """A checked upload (project, ticket or lead attachment: `file`, `original_name`, `content_type`) as a download,
    never shown inline and never sniffed by the browser. The caller has already scoped `stored`."""
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def htmx_partial(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


class ScopedViewMixin(LoginRequiredMixin):
    queryset: Any = None
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        model = self.queryset.model
        permission = permission_name(model, self.action)
        if not request.user.has_perm(permission):
            deny(request, action=permission, message=_("您没有访问此页面的权限。"))
        self.base_queryset = self.queryset
        self.queryset = self.queryset.restrict(request.user, self.action)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.queryset


class ObjectListView(ScopedViewMixin, ListView):  # type: ignore[misc]
    paginate_by = 50
    filterset_class: Any = None
    template_name = "generic/object_list.html"
    table_template = ""
    title: Any = ""

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            return self.filterset.qs
        self.filterset = None
        return queryset

    def get_template_names(self):
        if htmx_partial(self.request) and self.table_template:
            return [self.table_template]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        prepare = getattr(self.filterset, "prepare_for_page", None)
        if prepare is not None and not htmx_partial(self.request):
            prepare()  # e.g. ProjectFilterSet: unit drop-downs or search pickers, before the page renders its form
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=self.filterset,
            title=self.title,
            table_template=self.table_template,
            querystring=query.urlencode(),
        )
        return context


class ObjectDetailView(ScopedViewMixin, DetailView):  # type: ignore[misc]
    show_history = True

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            pk = self.kwargs.get(self.pk_url_kwarg)
            if pk is not None and str(pk).isdigit() and self.base_queryset.filter(pk=pk).exists():
                deny(self.request, action=self.action, obj=self.base_queryset.model, reason=DenialReason.OUT_OF_SCOPE)
            raise

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.show_history:
            context["history"] = object_history(self.object)
        return context
