"""Named URLs of the public verification pages; the lead includes this module at "" in skillcert/urls.py."""

from django.urls import path

from skillcert.verification import views

app_name = "verification"

urlpatterns = [
    path("query", views.query, name="query"),
    path("v/<str:token>", views.certificate, name="certificate"),
]
