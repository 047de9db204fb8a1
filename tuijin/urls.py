from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tuijin.core.urls")),
    path("accounts/", include("tuijin.users.urls")),
    path("org/", include("tuijin.org.urls")),
    path("workdays/", include("tuijin.workdays.urls")),
    path("projects/", include("tuijin.projects.urls")),
    path("progress/", include("tuijin.progress.urls")),
    path("progress/", include("tuijin.dispatch.urls")),
    path("notifications/", include("tuijin.notifications.urls")),
    path("tickets/", include("tuijin.tickets.urls")),
    path("investment/", include("tuijin.investment.urls")),
    path("supervision/", include("tuijin.supervision.urls")),
    path("funds/", include("tuijin.funds.urls")),
    path("chains/", include("tuijin.chains.urls")),
    path("benchmarks/", include("tuijin.benchmarks.urls")),
    path("assessment/", include("tuijin.assessment.urls")),
    path("opendata/", include("tuijin.opendata.urls")),
    path("stats/", include("tuijin.funds.urls_stats")),
    path("api/", include("tuijin.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "tuijin.core.views.page_not_found"
handler500 = "tuijin.core.views.server_error"
