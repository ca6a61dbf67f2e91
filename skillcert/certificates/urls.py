from skillcert.certificates.views import documents, issue, lists, plan_zip, revoke

app_name = "certificates"
# lists last: its "<str:number>/" would otherwise catch the longer paths.
urlpatterns = [
    *issue.urlpatterns,
    *documents.urlpatterns,
    *plan_zip.urlpatterns,
    *revoke.urlpatterns,
    *lists.urlpatterns,
]
