"""The 驾驶舱, the monthly notice, the warning lights and 未上报 (mounted under /progress/ like the reports)."""

from django.urls import path

from . import dashboard, views_config, views_lights, views_notice_template, views_reporting

app_name = "dispatch"

urlpatterns = [
    path("my/", views_reporting.my_reports, name="my_reports"),
    path("lights/", views_lights.WarningLightListView.as_view(), name="light_list"),
    path("missing/", views_lights.missing_reports_view, name="missing_reports"),
    path("missing/urge/", views_lights.missing_urge, name="missing_urge"),
    path("missing/export.xlsx", views_lights.missing_export, name="missing_export"),
    path("lights/export.xlsx", views_lights.light_export, name="light_export"),
    path("lights/evaluate/", views_lights.lights_evaluate, name="lights_evaluate"),
    path("lights/<int:pk>/override/", views_lights.light_override, name="light_override"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("notice/", dashboard.NoticeView.as_view(), name="notice"),
    path("notice/published/<int:pk>/", dashboard.PublishedNoticeView.as_view(), name="published_notice"),
    path(
        "notice/published/<int:pk>/<str:fmt>/",
        dashboard.PublishedNoticeDownloadView.as_view(),
        name="published_notice_download",
    ),
    path("schedule/", dashboard.ScheduleView.as_view(), name="schedule"),
    path("config/rules/", views_config.rule_list, name="config_rules"),
    path("config/rules/<int:pk>/", views_config.rule_edit, name="config_rule_edit"),
    path("config/windows/", views_config.window_list, name="config_windows"),
    path("config/windows/<int:year>/<int:month>/", views_config.window_edit, name="config_window_edit"),
    # 通报模板 (before notice/<notice_id>/: "template" would match a notice id)
    path("notice/template/", views_notice_template.template_page, name="notice_template"),
    path("notice/template/builtin.docx", views_notice_template.template_builtin, name="notice_template_builtin"),
    path("notice/template/reset/", views_notice_template.template_reset, name="notice_template_reset"),
    path("notice/template/<int:pk>/", views_notice_template.template_preview, name="notice_template_preview"),
    path(
        "notice/template/<int:pk>/preview.docx",
        views_notice_template.template_preview_docx,
        name="notice_template_preview_docx",
    ),
    path(
        "notice/template/<int:pk>/download.docx",
        views_notice_template.template_download,
        name="notice_template_download",
    ),
    path(
        "notice/template/<int:pk>/activate/", views_notice_template.template_activate, name="notice_template_activate"
    ),
    path("notice/<str:notice_id>/", dashboard.NoticeStatusView.as_view(), name="notice_status"),
    path("notice/<str:notice_id>/download/", dashboard.NoticeDownloadView.as_view(), name="notice_download"),
]
