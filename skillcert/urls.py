from django.urls import include, path

from skillcert.api.v1.api import api

urlpatterns = [
    path("", include("skillcert.portal.urls")),
    path("accounts/", include("skillcert.accounts.urls")),
    path("reference/", include("skillcert.reference.urls")),
    path("registry/", include("skillcert.registry.urls")),
    path("evaluation/", include("skillcert.evaluation.urls")),
    path("certificates/", include("skillcert.certificates.urls")),
    path("api/v1/", api.urls),
    path("", include("skillcert.credentials.urls")),
    path("", include("skillcert.verification.urls")),
]
