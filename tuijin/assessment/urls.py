from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/recompute/", views.round_recompute, name="round_recompute"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/units/<int:unit_id>/", views.unit_score, name="unit_score"),
    path("rounds/<int:pk>/appeals/", views.appeals, name="appeals"),
    path("rounds/<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("rounds/<int:pk>/export.docx", views.export_docx, name="export_docx"),
    path("adjustments/", views.adjustment_list, name="adjustment_list"),
    path("adjustments/<int:pk>/withdraw/", views.adjustment_withdraw, name="adjustment_withdraw"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("rubrics/<int:pk>/", views.rubric_detail, name="rubric"),
    path("rubrics/add/", views.rubric_add, name="rubric_add"),
    path("versions/<int:version_id>/<str:kind>/add/", views.config_add, name="config_add"),
    path("<str:kind>/<int:pk>/edit/", views.config_edit, name="config_edit"),
]
