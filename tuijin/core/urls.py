from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("audit/", views.AuditEventListView.as_view(), name="auditevent_list"),
    path("audit/changes/", views.ObjectChangeListView.as_view(), name="objectchange_list"),
]
