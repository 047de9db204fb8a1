from django.urls import path

from . import views

app_name = "funds"

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("batches/new/", views.batch_edit, name="batch_add"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/edit/", views.batch_edit, name="batch_edit"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("applications/export/", views.application_export, name="application_export"),
    path("applications/new/", views.application_add, name="application_add"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/files/", views.application_upload, name="application_upload"),
    path("applications/<int:pk>/<str:action>/", views.application_act, name="application_act"),
    path("files/<int:pk>/", views.application_file, name="application_file"),
    path("projects/<int:project_pk>/prep/", views.prep_edit, name="prep"),
    path("kpis/", views.kpis, name="kpis"),
    path("settings/", views.settings_edit, name="settings"),
]
