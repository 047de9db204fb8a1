"""对标对表 pages, mounted at /benchmarks/ (namespace "benchmarks")."""

from django.urls import path

from . import views

app_name = "benchmarks"

urlpatterns = [
    path("", views.index, name="index"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("secondary-share/", views.share, name="share"),
    path("values/", views.value_list, name="value_list"),
    path("values/add/", views.value_edit, name="value_add"),
    path("values/<int:pk>/edit/", views.value_edit, name="value_edit"),
    path("values/<int:pk>/delete/", views.value_delete, name="value_delete"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/add/", views.target_edit, name="target_add"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/add/", views.region_edit, name="region_add"),
    path("regions/<int:pk>/edit/", views.region_edit, name="region_edit"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/add/", views.indicator_edit, name="indicator_add"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("import/", views.import_view, name="import"),
    path("import/apply/", views.import_apply, name="import_apply"),
    path("import/template/", views.template, name="template"),
    path("export/", views.export, name="export"),
]
