from django.urls import path

from skillcert.accounts import views
from skillcert.accounts.urls_tokens import token_urlpatterns

app_name = "accounts"
urlpatterns: list = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("login/enrol/", views.login_enrol, name="login_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("login-alerts/", views.login_alerts, name="login_alerts"),
    path("login-alerts/<int:pk>/clear/", views.login_failures_clear_view, name="login_failures_clear"),
    path("candidates/<int:pk>/reveal-id/", views.candidate_reveal_id, name="candidate_reveal_id"),
    *token_urlpatterns,  # the API-token pages (skillcert/accounts/urls_tokens.py)
]
