from django.urls import path

from . import views

app_name = "opendata-api"

urlpatterns = [path("oc4ids/", views.PackageView.as_view(), name="package")]
