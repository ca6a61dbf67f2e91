"""A throwaway API with the scores and results routers, mounted as the project's API mounts them."""

from django.urls import path

from skillcert.api.v1.api import SkillcertAPI
from skillcert.api.v1.auth import TokenAuth
from skillcert.api.v1.problems import install_problem_handlers
from skillcert.api.v1.routers.results import router as results_router
from skillcert.api.v1.routers.scores import router as scores_router

api = SkillcertAPI(title="results test", version="test", urls_namespace="results-test", auth=TokenAuth())
install_problem_handlers(api)
api.add_router("/", scores_router)
api.add_router("/", results_router)

urlpatterns = [path("api/v1/", api.urls)]
