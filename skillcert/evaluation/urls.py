from skillcert.evaluation.views import applications, candidate, plans, publicity, reports, scores, specs

app_name = "evaluation"
urlpatterns = [
    *specs.urlpatterns,
    *plans.urlpatterns,
    *applications.urlpatterns,
    *candidate.urlpatterns,
    *scores.urlpatterns,
    *publicity.urlpatterns,
    *reports.urlpatterns,
]
