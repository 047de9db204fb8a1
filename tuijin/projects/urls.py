from django.urls import path

from . import views, views_catalogues

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("add/", views.project_edit, name="project_add"),
    path("export.xlsx", views.project_export, name="project_export"),
    path("template.xlsx", views.project_template, name="project_template"),
    path("bulk/reassign/", views.project_bulk_reassign, name="project_bulk_reassign"),
    path("import/", views.project_import, name="project_import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/apply/", views.import_job_apply, name="import_job_apply"),
    path("import/<int:pk>/annotated.xlsx", views.import_job_annotated, name="import_job_annotated"),
    path("plan-changes/", views.PlanChangeListView.as_view(), name="plan_change_list"),
    path("plan-changes/<int:pk>/decide/", views.plan_change_decide, name="plan_change_decide"),
    path("plans/workbook.xlsx", views.plan_workbook, name="plan_workbook"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/import/<str:token>/annotated.xlsx", views.plan_import_annotated, name="plan_import_annotated"),
    path("plans/approve/", views.plan_bulk_approve, name="plan_bulk_approve"),
    path("plans/approve/confirm/", views.plan_bulk_approve_confirm, name="plan_bulk_approve_confirm"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/change/", views.plan_change_request, name="plan_change_request"),
    path("approvals/<int:pk>/edit/", views.approval_item_edit, name="approval_item_edit"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment_download"),
    path("catalogue/chains/", views_catalogues.chain_list, name="catalogue_chain_list"),
    path("catalogue/chains/add/", views_catalogues.chain_add, name="catalogue_chain_add"),
    path("catalogue/chains/<int:pk>/", views_catalogues.chain_edit, name="catalogue_chain_edit"),
    path("catalogue/chains/<int:pk>/toggle/", views_catalogues.chain_toggle, name="catalogue_chain_toggle"),
    path("catalogue/chains/<int:pk>/delete/", views_catalogues.chain_delete, name="catalogue_chain_delete"),
    path("catalogue/approvals/", views_catalogues.approval_list, name="catalogue_approval_list"),
    path("catalogue/approvals/add/", views_catalogues.approval_add, name="catalogue_approval_add"),
    path("catalogue/approvals/<int:pk>/", views_catalogues.approval_edit, name="catalogue_approval_edit"),
    path("catalogue/approvals/<int:pk>/toggle/", views_catalogues.approval_toggle, name="catalogue_approval_toggle"),
    path("catalogue/approvals/<int:pk>/delete/", views_catalogues.approval_delete, name="catalogue_approval_delete"),
    path("<int:pk>/", views.ProjectView.as_view(), name="project"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/transition/", views.project_transition, name="project_transition"),
    path("<int:pk>/plans/", views.plan_year, name="plan_year"),
    path("<int:pk>/plans/<int:year>/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
]
