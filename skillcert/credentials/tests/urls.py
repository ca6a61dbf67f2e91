"""The site's URL configuration with the credentials routes mounted at the root, as the site mounts them."""

from django.urls import include, path

from skillcert.urls import urlpatterns as site_urlpatterns

mounted = any(getattr(pattern, "namespace", None) == "credentials" for pattern in site_urlpatterns)
urlpatterns = (
    [*site_urlpatterns] if mounted else [*site_urlpatterns, path("", include("skillcert.credentials.urls"))]
)
