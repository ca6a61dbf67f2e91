"""URL patterns of the API-token pages, included into ``skillcert.accounts.urls`` (namespace ``accounts``)."""

from django.urls import path

from skillcert.accounts import views_tokens

token_urlpatterns = [
    path("tokens/", views_tokens.token_list_view, name="tokens"),
    path("tokens/new/", views_tokens.token_create_view, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views_tokens.token_revoke_view, name="token_revoke"),
]
