"""/chains/universities/: 政产学研 — the resource register, cooperation records, matching, Excel in and out."""

from django.urls import path

from . import views_universities as views

urlpatterns = [
    path("universities/", views.ResourceListView.as_view(), name="resource_list"),
    path("universities/export/", views.resource_export, name="resource_export"),
    path("universities/template/", views.resource_template, name="resource_template"),
    path("universities/import/", views.resource_import, name="resource_import"),
    path("universities/import/apply/", views.resource_import_apply, name="resource_import_apply"),
    path("universities/new/", views.resource_edit, name="resource_add"),
    path("universities/<int:pk>/", views.resource_detail, name="resource"),
    path("universities/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("universities/cooperations/", views.CooperationListView.as_view(), name="cooperation_list"),
    path("universities/cooperations/export/", views.cooperation_export, name="cooperation_export"),
    path("universities/cooperations/new/", views.cooperation_edit, name="cooperation_add"),
    path("universities/cooperations/<int:pk>/edit/", views.cooperation_edit, name="cooperation_edit"),
    path("universities/match/", views.match, name="match"),
]
