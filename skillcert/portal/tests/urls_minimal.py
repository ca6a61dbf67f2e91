"""A URL configuration with the portal alone: no verification, registry or accounts pages exist yet."""

from django.urls import include, path

urlpatterns = [path("", include("skillcert.portal.urls"))]
