"""Pages of 数据公开 (/opendata/): the office's settings with a one-project preview, the package download (the
office's scope) and, when the office opens it, the anonymous public package."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ConflictError
from tuijin.core.permissions import require, scoped_object_or_404
from tuijin.projects.models import Project

from . import selectors, services
from .fields import PUBLIC_FIELDS
from .forms import SettingsForm, apply_errors
from .models import PublicationSettings
from .oc4ids import build_project

__all__ = ["package_download", "preview", "public_package", "settings_page"]

EXPORT = "opendata.export_publicationsettings"
JSON = "application/json; charset=utf-8"
PUBLIC_MAX_AGE = 600  # seconds a browser, a proxy and the server's cache keep the public package


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def public_uri(request) -> str:
    return request.build_absolute_uri(reverse("opendata:public_package"))


@require_http_methods(["GET", "POST"])
@login_required
def settings_page(request):
    require(request, "opendata.change_publicationsettings")
    chosen = request.GET.get("preview", "")
    if request.method == "GET" and chosen.isdigit():
        return redirect("opendata:preview", pk=int(chosen))
    row = PublicationSettings.current()
    form = SettingsForm(request.POST or None, instance=row)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.settings_save(
                    actor=request.user, version=form.cleaned_data.get("version"), data=form.service_data()
                )
            except ConflictError as exc:
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：数据公开设置已被他人修改"),
                    rows=submitted_rows(exc.current, form.service_data()),
                    retry_url=reverse("opendata:settings"),
                    back_url=reverse("opendata:settings"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                cache.delete(_public_cache_key())
                messages.success(request, _("数据公开设置已保存。"))
                return redirect("opendata:settings")
    scoped = Project.objects.restrict(request.user, "view")
    context = {
        "form": form,
        "settings_row": row,
        "fields": PUBLIC_FIELDS,
        "prefix": settings.TUIJIN_OC4IDS_PREFIX,
        "coded": selectors.coded_projects(scoped).count(),
        "uncoded": selectors.uncoded_count(scoped),
        "sample": selectors.coded_projects(scoped).select_related(None).only("pk", "name", "code")[:200],
        "can_export": request.user.has_perm(EXPORT),
        "public_url": public_uri(request),
    }
    return render(request, "opendata/settings.html", context, status=status)


@require_GET
@login_required
def preview(request, pk: int):
    """One project as it would be published, with the current choice of fields."""
    require(request, EXPORT)
    project = scoped_object_or_404(request, Project.objects.all(), pk, permission=False)
    row = PublicationSettings.current()
    data = None
    if project.code:
        project = selectors.coded_projects(Project.objects.filter(pk=project.pk)).get()
        months = selectors.months_by_project([project.pk]) if row.public & selectors.MONTH_FIELDS else {}
        data = build_project(
            project, prefix=settings.TUIJIN_OC4IDS_PREFIX, public=row.public, months=months.get(project.pk, ())
        )
    context = {"project": project, "json": dumps(data) if data else "", "settings_row": row}
    return render(request, "opendata/preview.html", context)


@require_GET
@login_required
def package_download(request):
    """The package of the projects in the user's scope (a download, audited)."""
    require(request, EXPORT)
    row = PublicationSettings.current()
    package = selectors.package(Project.objects.restrict(request.user, "view"), uri=public_uri(request), row=row)
    services.export_record(what="oc4ids", projects=len(package["projects"]), public_fields=row.public)
    response = HttpResponse(dumps(package), content_type=JSON)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="oc4ids-{stamp}.json"'
    return response


def _public_cache_key() -> str:
    return "opendata:public-package"


@require_GET
def public_package(request):
    """Everyone's copy, when the office has opened it: every coded project, the public fields only. Served from
    the cache for `PUBLIC_MAX_AGE` seconds (saving the settings empties it)."""
    row = PublicationSettings.current()
    if not row.public_feed:
        raise Http404(_("数据公开地址未开放。"))
    key = _public_cache_key()
    body = cache.get(key)
    if body is None:
        body = dumps(selectors.package(Project.objects.all(), uri=public_uri(request), row=row))
        cache.set(key, body, PUBLIC_MAX_AGE)
    response = HttpResponse(body, content_type=JSON)
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
