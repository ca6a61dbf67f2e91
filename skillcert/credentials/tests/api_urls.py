"""A throwaway API with only the credentials router, mounted as the lead will mount it in api.py, in front
of the site's pages (the credential names the body's public page and the occupation catalogue)."""

from django.urls import path
from ninja import NinjaAPI

from skillcert.api.v1.auth import TokenAuth
from skillcert.api.v1.problems import install_problem_handlers
from skillcert.api.v1.routers import credentials
from skillcert.urls import urlpatterns as site_urlpatterns

api = NinjaAPI(urls_namespace="credentials-api-test", auth=TokenAuth(), docs_url=None)
install_problem_handlers(api)
api.add_router("/credentials", credentials.router)

urlpatterns = [path("api/v1/", api.urls), *site_urlpatterns]
