"""Portal pages for API tokens: list, create (key shown once), revoke with a confirmation step."""

import pytest
from django.test import Client
from django.urls import reverse

from skillcert.accounts.models import ApiToken
from skillcert.accounts.tokens import api_token_authenticate, api_token_create
from skillcert.api.tests.helpers import login_with_second_factor
from skillcert.core.models import AuditEvent

LIST_URL = reverse("accounts:tokens")
CREATE_URL = reverse("accounts:token_create")


def revoke_url(token: ApiToken) -> str:
    return reverse("accounts:token_revoke", args=[token.pk])


@pytest.fixture
def staff_client(world) -> Client:
    client = Client()
    login_with_second_factor(client, world.body_y_admin)
    return client


@pytest.fixture
def candidate_client(world) -> Client:
    client = Client()
    client.force_login(world.candidate)
    return client


@pytest.mark.parametrize("url", [LIST_URL, CREATE_URL])
def test_anonymous_is_sent_to_login(world, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_list_shows_own_tokens_only(world, staff_client):
    # given a token of the user and one of another user
    api_token_create(user=world.body_y_admin, name="考务系统对接", actor=world.body_y_admin)
    api_token_create(user=world.body_s_admin, name="别人的令牌", actor=world.body_s_admin)
    # when the user opens the list
    response = staff_client.get(LIST_URL)
    # then they see their own, and may create more
    assert response.status_code == 200
    page = response.content.decode()
    assert "考务系统对接" in page
    assert "别人的令牌" not in page
    assert CREATE_URL in page


def test_create_shows_the_key_once(world, staff_client):
    # when staff create a token
    response = staff_client.post(CREATE_URL, {"name": "数据交换"})
    # then the page shows the key with a warning, is not cached, and the key works
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=world.body_y_admin)
    key = response.context["key"]
    page = response.content.decode()
    assert key in page
    assert "只显示这一次" in page
    assert api_token_authenticate(key=key) == token
    assert token.name == "数据交换"
    assert AuditEvent.objects.filter(action="api_token.created", actor_id=world.body_y_admin.pk).count() == 1
    # and the list never shows it again
    assert key not in staff_client.get(LIST_URL).content.decode()


def test_create_with_empty_name_shows_the_field_error(world, staff_client):
    response = staff_client.post(CREATE_URL, {"name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["这个字段是必填项。"]}
    assert ApiToken.objects.count() == 0


def test_candidate_sees_the_list_but_may_not_create(world, candidate_client):
    # the list opens, without a create link
    response = candidate_client.get(LIST_URL)
    assert response.status_code == 200
    assert CREATE_URL not in response.content.decode()
    # the create page and the create action answer 403
    assert candidate_client.get(CREATE_URL).status_code == 403
    assert candidate_client.post(CREATE_URL, {"name": "想要令牌"}).status_code == 403
    assert ApiToken.objects.count() == 0


def test_revoke_asks_for_confirmation_then_revokes(world, staff_client):
    # given a live token
    token, key = api_token_create(user=world.body_y_admin, name="甲", actor=world.body_y_admin)
    # when the user opens the revoke page
    confirm = staff_client.get(revoke_url(token))
    # then nothing happens until they confirm
    assert confirm.status_code == 200
    assert "确认撤销" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    # when they confirm
    response = staff_client.post(revoke_url(token))
    # then the token is revoked, audited, and they are back on the list
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(key=key) is None
    assert AuditEvent.objects.filter(action="api_token.revoked", target_id=str(token.pk)).count() == 1


def test_revoking_twice_says_it_is_already_revoked(world, staff_client):
    token, _ = api_token_create(user=world.body_y_admin, name="甲", actor=world.body_y_admin)
    staff_client.post(revoke_url(token))
    response = staff_client.post(revoke_url(token), follow=True)
    assert "该接口令牌已被撤销。" in response.content.decode()
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_other_users_token_answers_404(world, staff_client):
    # given a token of a user of another body
    theirs, _ = api_token_create(user=world.body_s_admin, name="乙", actor=world.body_s_admin)
    # then neither the confirmation page nor the action reaches it
    assert staff_client.get(revoke_url(theirs)).status_code == 404
    assert staff_client.post(revoke_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_post_without_csrf_token_is_refused(world):
    # given a signed-in staff user whose browser does not send the CSRF token
    client = Client(enforce_csrf_checks=True)
    login_with_second_factor(client, world.body_y_admin)
    token, _ = api_token_create(user=world.body_y_admin, name="甲", actor=world.body_y_admin)
    # then neither creating nor revoking works
    assert client.post(CREATE_URL, {"name": "乙"}).status_code == 403
    assert client.post(revoke_url(token)).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1
