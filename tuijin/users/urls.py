from django.urls import path

from . import views, views_two_factor

app_name = "users"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("2fa/", views_two_factor.two_factor_view, name="two_factor"),
    path("2fa/verify/", views_two_factor.two_factor_verify_view, name="two_factor_verify"),
    path("2fa/enrol/", views_two_factor.two_factor_enrol_view, name="two_factor_enrol"),
    path("users/", views.AccountListView.as_view(), name="account_list"),
    path("users/<int:pk>/", views.AccountDetailView.as_view(), name="account"),
    path("users/<int:pk>/unlock/", views.account_unlock_view, name="account_unlock"),
    path("users/<int:pk>/reenable/", views.account_reenable_view, name="account_reenable"),
    path("users/<int:pk>/password-reset/", views.account_password_reset_view, name="account_password_reset"),
    path("users/<int:pk>/2fa-reset/", views_two_factor.account_two_factor_reset_view, name="account_two_factor_reset"),
    path("memberships/<int:pk>/revoke/", views.membership_revoke_view, name="membership_revoke"),
    path("lockouts/", views.LockoutListView.as_view(), name="lockout_list"),
    path("lockouts/<int:pk>/unlock/", views.lockout_unlock_view, name="lockout_unlock"),
]
