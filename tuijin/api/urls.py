"""API root: each app's router under /api/<app>/, the OpenAPI schema and its browsable views."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

urlpatterns = [
    path("org/", include("tuijin.org.api.urls")),
    path("projects/", include("tuijin.projects.api.urls")),
    path("progress/", include("tuijin.progress.api.urls")),
    path("tickets/", include("tuijin.tickets.api.urls")),
    path("investment/", include("tuijin.investment.api.urls")),
    path("supervision/", include("tuijin.supervision.api.urls")),
    path("funds/", include("tuijin.funds.api.urls")),
    path("chains/", include("tuijin.chains.api.urls")),
    path("benchmarks/", include("tuijin.benchmarks.api.urls")),
    path("assessment/", include("tuijin.assessment.api.urls")),
    path("opendata/", include("tuijin.opendata.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger"),
    # Redoc builds its search worker from a blob: URL: only this page's policy allows that.
    path(
        "schema/redoc/",
        csp_update({"worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
]
