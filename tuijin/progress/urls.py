from django.urls import path

from . import views, views_anomalies, views_history, views_photos, views_sheet

app_name = "progress"

urlpatterns = [
    path("", views.ReportQueueView.as_view(), name="report_list"),
    path("new/<int:project_pk>/<int:year>/<int:month>/", views.report_open, name="report_open"),
    path("reports/<int:pk>/", views.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
    path("bulk-approve/", views.report_bulk_approve, name="report_bulk_approve"),
    path("reports/<int:pk>/correct/", views.report_correct_view, name="report_correct"),
    path("export.xlsx", views.report_export, name="report_export"),
    path("anomalies/", views_anomalies.anomalies_page, name="anomalies"),
    path("photos/<int:pk>/", views_photos.photo_view, name="photo"),
    path("photos/<int:pk>/thumb/", views_photos.photo_thumb, name="photo_thumb"),
    path("photos/<int:pk>/original/", views_photos.photo_original, name="photo_original"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("sheet/<int:year>-<int:month>.xlsx", views_sheet.sheet_download, name="sheet_download"),
    path("sheet/import/", views_sheet.sheet_import, name="sheet_import"),
    path("sheet/import/<str:token>/annotated.xlsx", views_sheet.sheet_annotated, name="sheet_annotated"),
    path("sheet/submit/", views_sheet.sheet_submit, name="sheet_submit"),
    path("history/", views_history.history_page, name="history"),
    path("history/template/<str:kind>.xlsx", views_history.history_template, name="history_template"),
    path("history/upload/<str:kind>/", views_history.history_upload, name="history_upload"),
    path("history/jobs/<int:pk>/apply/", views_history.history_apply, name="history_apply"),
    path("history/jobs/<int:pk>/annotated.xlsx", views_history.history_annotated, name="history_annotated"),
]
