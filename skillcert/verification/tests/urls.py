"""The portal's URLs with the verification URLs included, whether or not skillcert/urls.py has them yet."""

from django.urls import URLResolver, include, path

from skillcert.urls import urlpatterns as portal_urlpatterns

_included = any(
    isinstance(pattern, URLResolver) and pattern.namespace == "verification" for pattern in portal_urlpatterns
)
urlpatterns = (
    list(portal_urlpatterns)
    if _included
    else [path("", include("skillcert.verification.urls")), *portal_urlpatterns]
)
