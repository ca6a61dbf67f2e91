from skillcert.evaluation.views import plans, specs

app_name = "evaluation"
urlpatterns = [*specs.urlpatterns, *plans.urlpatterns]
