from skillcert.certificates.views import issue, lists

app_name = "certificates"
urlpatterns = [*issue.urlpatterns, *lists.urlpatterns]
