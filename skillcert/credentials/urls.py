"""Mounted at the site root (``path("", include("skillcert.credentials.urls"))``): issuer ids are
``{PUBLIC_BASE_URL}/issuers/{credit code}``."""

from skillcert.credentials import views

app_name = "credentials"
urlpatterns = views.urlpatterns
