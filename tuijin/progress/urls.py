from django.urls import path

from . import dashboard, views, views_lights  # dashboard: the 驾驶舱/通报 pages (block below)

app_name = "progress"

urlpatterns = [
    path("", views.ReportQueueView.as_view(), name="report_list"),
    path("my/", views.my_reports, name="my_reports"),
    path("new/<int:project_pk>/<int:year>/<int:month>/", views.report_open, name="report_open"),
    path("reports/<int:pk>/", views.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/correct/", views.report_correct_view, name="report_correct"),
    path("export.xlsx", views.report_export, name="report_export"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
    path("lights/", views_lights.WarningLightListView.as_view(), name="light_list"),
    path("missing/", views_lights.missing_reports_view, name="missing_reports"),
    path("lights/evaluate/", views_lights.lights_evaluate, name="lights_evaluate"),
    path("lights/<int:pk>/override/", views_lights.light_override, name="light_override"),
    # --- dashboard & notice (tuijin/progress/dashboard.py) ---
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("notice/", dashboard.NoticeView.as_view(), name="notice"),
    path("notice/<str:notice_id>/", dashboard.NoticeStatusView.as_view(), name="notice_status"),
    path("notice/<str:notice_id>/download/", dashboard.NoticeDownloadView.as_view(), name="notice_download"),
    # --- end dashboard & notice ---
]
