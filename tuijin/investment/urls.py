from django.urls import path

from . import urls_cases, urls_dashboard, urls_excel, urls_ledger, urls_signing, views

app_name = "investment"

urlpatterns = [
    path("", views.LeadListView.as_view(), name="lead_list"),
    path("new/", views.lead_edit, name="lead_add"),
    path("<int:pk>/", views.LeadView.as_view(), name="lead"),
    path("<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("<int:pk>/action/", views.lead_action, name="lead_action"),
    path("<int:pk>/convert/", views.lead_convert, name="lead_convert"),
    *urls_ledger.urlpatterns,
    *urls_signing.urlpatterns,
    *urls_cases.urlpatterns,
    *urls_dashboard.urlpatterns,
    *urls_excel.urlpatterns,
]
