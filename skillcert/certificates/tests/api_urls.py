"""A throwaway API with only the certificates router, mounted as the lead will mount it in api.py."""

from django.urls import path
from ninja import NinjaAPI

from skillcert.api.v1.auth import TokenAuth
from skillcert.api.v1.problems import install_problem_handlers
from skillcert.api.v1.routers import certificates

api = NinjaAPI(urls_namespace="certificates-api-test", auth=TokenAuth(), docs_url=None)
install_problem_handlers(api)
api.add_router("/", certificates.router)

urlpatterns = [path("api/v1/", api.urls)]
