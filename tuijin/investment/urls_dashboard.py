"""URL patterns of one part of the investment app, included by urls.py (names in the `investment` namespace)."""

from django.urls import path

from . import views_dashboard

urlpatterns: list = [
    path("dashboard/", views_dashboard.KpiDashboardView.as_view(), name="dashboard"),
]
