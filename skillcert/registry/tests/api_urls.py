"""The site's URLs plus a throwaway API carrying only the directory and registry routers, mounted as the
lead will mount it.

Used until ``skillcert/api/v1/api.py`` registers the router; the tests then keep working unchanged.
"""

from django.urls import path

from skillcert.api.v1.api import SkillcertAPI
from skillcert.api.v1.auth import TokenAuth
from skillcert.api.v1.problems import install_problem_handlers
from skillcert.api.v1.routers import directory, registry
from skillcert.urls import urlpatterns as site_urlpatterns

PREFIX = "/api/registry-test"

api = SkillcertAPI(title="registry", version="test", urls_namespace="registry-api-test", auth=TokenAuth())
install_problem_handlers(api)
api.add_router("/", directory.router)
api.add_router("/", registry.router)

urlpatterns = [*site_urlpatterns, path("api/registry-test/", api.urls)]
