"""URL patterns of one part of the investment app, included by urls.py (names in the `investment` namespace):
the Excel export and import of leads and of the promise ledger (views_excel.py)."""

from django.urls import path

from . import views_excel

urlpatterns: list = [
    path("export/", views_excel.lead_export, name="lead_export"),
    path("import/", views_excel.lead_import, name="lead_import"),
    path("import/template/", views_excel.lead_import_template, name="lead_import_template"),
    path("import/<int:pk>/apply/", views_excel.lead_import_apply, name="lead_import_apply"),
    path("import/<int:pk>/annotated/", views_excel.lead_import_annotated, name="lead_import_annotated"),
    path("ledger/export/", views_excel.ledger_export, name="ledger_export"),
    path("ledger/import/", views_excel.ledger_import, name="ledger_import"),
    path("ledger/import/template/", views_excel.ledger_import_template, name="ledger_import_template"),
    path("ledger/import/<int:pk>/apply/", views_excel.ledger_import_apply, name="ledger_import_apply"),
    path("ledger/import/<int:pk>/annotated/", views_excel.ledger_import_annotated, name="ledger_import_annotated"),
]
