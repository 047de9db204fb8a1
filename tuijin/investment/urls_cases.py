"""URL patterns of 违约/调整, 达产跟踪, the 低效用地 settings and the lead's attachments (views_cases.py), included by
urls.py (names in the `investment` namespace)."""

from django.urls import path

from . import views_cases as views

urlpatterns: list = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/<int:pk>/", views.CaseView.as_view(), name="case"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("cases/open/<int:pk>/", views.case_open, name="case_open"),
    path("results/", views.ResultListView.as_view(), name="results"),
    path("results/lead/<int:lead_pk>/new/", views.result_edit, name="result_add"),
    path("results/<int:pk>/edit/", views.result_edit, name="result_edit"),
    path("config/settings/", views.settings_edit, name="settings"),
    path("attachments/lead/<int:pk>/upload/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
