"""Named URLs of the verification app; the lead includes this module at "" in skillcert/urls.py.

The public pages (answered by the Starlette app, see views.py) and the enumeration alerts of the
municipal authority's administrator (views_alerts.py, served by Django).
"""

from django.urls import path

from skillcert.verification import views, views_alerts

app_name = "verification"

urlpatterns = [
    path("query", views.query, name="query"),
    path("v/<str:token>", views.certificate, name="certificate"),
    path("verification/alerts/", views_alerts.alert_list, name="alert_list"),
    path(
        "verification/alerts/<int:pk>/acknowledge/", views_alerts.alert_acknowledge, name="alert_acknowledge"
    ),
]
