from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("oc4ids.json", views.package_download, name="package"),
    path("public/oc4ids.json", views.public_package, name="public_package"),
]
