"""纳统 pages, mounted at /stats/ (namespace "stats")."""

from django.urls import path

from . import views_stats as views

app_name = "stats"

urlpatterns = [
    path("", views.stats_month, name="month"),
    path("alerts/", views.stats_alerts, name="alerts"),
    path("save/", views.stats_save_view, name="save"),
    path("submit/", views.stats_submit_all, name="submit_all"),
    path("figures/<int:pk>/submit/", views.stats_submit_view, name="submit"),
    path("template/", views.stats_template, name="template"),
    path("import/", views.stats_import, name="import"),
    path("import/apply/", views.stats_import_apply, name="import_apply"),
    path("projects/<int:pk>/", views.stats_project, name="project"),
]
