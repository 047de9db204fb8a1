"""URL patterns of the promise ledger (承诺台账) and the 公平竞争审查 pre-check, included by urls.py (names in the
`investment` namespace)."""

from django.urls import path

from . import views_ledger

urlpatterns = [
    path("ledger/", views_ledger.ledger_view, name="ledger"),
    path("ledger/flags/", views_ledger.fc_flags, name="fc_flags"),
    path("ledger/overdue-tile/", views_ledger.overdue_tile, name="overdue_tile"),
    path("<int:pk>/commitments/add/", views_ledger.commitment_add, name="commitment_add"),
    path("<int:pk>/commitments/sign/", views_ledger.agreement_sign, name="agreement_sign"),
    path("commitments/<int:pk>/action/", views_ledger.commitment_action, name="commitment_action"),
    path("config/fair-competition/", views_ledger.fc_categories, name="fc_categories"),
    path("config/fair-competition/new/", views_ledger.fc_category_edit, name="fc_category_add"),
    path("config/fair-competition/<int:pk>/", views_ledger.fc_category_edit, name="fc_category_edit"),
]
