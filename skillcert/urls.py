from django.urls import include, path

from skillcert.api.v1.api import api
from skillcert.portal import views_errors

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

# Chinese pages in the portal's layout; unlike Django's defaults they never read the request body.
handler400 = views_errors.bad_request
handler403 = views_errors.permission_denied
handler404 = views_errors.page_not_found
handler500 = views_errors.server_error
