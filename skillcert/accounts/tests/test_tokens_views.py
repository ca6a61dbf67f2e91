"""Portal pages for API tokens: list, create with a scope (key shown once), revoke after a confirmation."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from skillcert.accounts.models import ApiToken
from skillcert.accounts.tokens import api_token_authenticate, api_token_create
from skillcert.api.tests.helpers import login_with_second_factor
from skillcert.core.models import AuditEvent

READ, READ_WRITE = ApiToken.Scope.READ, ApiToken.Scope.READ_WRITE
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


def test_list_shows_own_tokens_only_with_their_scope(world, staff_client):
    # given a read-only and a read-write token of the user, and one of another user
    api_token_create(user=world.body_y_admin, name="统计系统", scope=READ, actor=world.body_y_admin)
    api_token_create(user=world.body_y_admin, name="考务系统对接", scope=READ_WRITE, actor=world.body_y_admin)
    api_token_create(user=world.body_s_admin, name="别人的令牌", scope=READ, actor=world.body_s_admin)
    # when the user opens the list
    response = staff_client.get(LIST_URL)
    # then they see their own, each with its scope, and may create more
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"<td>统计系统</td>\s*<td>只读</td>", page)
    assert re.search(r"<td>考务系统对接</td>\s*<td>读写</td>", page)
    assert "别人的令牌" not in page
    assert CREATE_URL in page


def test_create_form_offers_both_scopes_with_read_only_chosen(world, staff_client):
    # when staff open the create page
    response = staff_client.get(CREATE_URL)
    # then both scopes are offered, and read-only (least privilege) is chosen until they change it
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="read" checked' in page
    assert 'value="read_write" required' in page
    assert "只读：只能查询数据" in page
    assert "读写：可执行您的账号有权进行的全部操作" in page


def test_create_shows_the_key_once(world, staff_client):
    # when staff create a token
    response = staff_client.post(CREATE_URL, {"name": "数据交换", "scope": "read"})
    # then the page shows the key with a warning, is not cached, and the key works
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=world.body_y_admin)
    key = response.context["key"]
    page = response.content.decode()
    assert key in page
    assert "只显示这一次" in page
    assert api_token_authenticate(key=key) == token
    assert (token.name, token.scope) == ("数据交换", "read")
    assert "权限：只读" in page
    event = AuditEvent.objects.get(action="api_token.created", actor_id=world.body_y_admin.pk)
    assert event.data["scope"] == "read"
    # and the list never shows it again
    assert key not in staff_client.get(LIST_URL).content.decode()


def test_create_read_write_token(world, staff_client):
    # when staff choose the read-write scope
    response = staff_client.post(CREATE_URL, {"name": "考务系统对接", "scope": "read_write"})
    # then the token may write, and the page says so
    assert response.status_code == 200
    assert ApiToken.objects.get(user=world.body_y_admin).scope == "read_write"
    assert "权限：读写" in response.content.decode()


def test_create_with_empty_name_shows_the_field_error(world, staff_client):
    response = staff_client.post(CREATE_URL, {"name": "", "scope": "read"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["这个字段是必填项。"]}
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"scope": "admin"}, "令牌权限只能是“只读”或“读写”。"),
        ({"scope": ""}, "请选择令牌权限：只读或读写。"),
        ({}, "请选择令牌权限：只读或读写。"),
    ],
)
def test_create_with_invalid_scope_shows_the_field_error(world, staff_client, posted, message):
    # when the scope is unknown or missing
    response = staff_client.post(CREATE_URL, {"name": "数据交换", **posted})
    # then the form is shown again with the error on the scope field, and no token exists
    assert response.status_code == 200
    assert response.context["form"].errors == {"scope": [message]}
    assert message in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_candidate_sees_the_list_but_may_not_create(world, candidate_client):
    # the list opens, without a create link
    response = candidate_client.get(LIST_URL)
    assert response.status_code == 200
    assert CREATE_URL not in response.content.decode()
    # the create page and the create action answer 403
    assert candidate_client.get(CREATE_URL).status_code == 403
    assert candidate_client.post(CREATE_URL, {"name": "想要令牌", "scope": "read"}).status_code == 403
    assert ApiToken.objects.count() == 0


def test_revoke_asks_for_confirmation_then_revokes(world, staff_client):
    # given a live token
    token, key = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
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
    token, _ = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    staff_client.post(revoke_url(token))
    response = staff_client.post(revoke_url(token), follow=True)
    assert "该接口令牌已被撤销。" in response.content.decode()
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_other_users_token_answers_404(world, staff_client):
    # given a token of a user of another body
    theirs, _ = api_token_create(user=world.body_s_admin, name="乙", scope=READ, actor=world.body_s_admin)
    # then neither the confirmation page nor the action reaches it
    assert staff_client.get(revoke_url(theirs)).status_code == 404
    assert staff_client.post(revoke_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_post_without_csrf_token_is_refused(world):
    # given a signed-in staff user whose browser does not send the CSRF token
    client = Client(enforce_csrf_checks=True)
    login_with_second_factor(client, world.body_y_admin)
    token, _ = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    # then neither creating nor revoking works
    assert client.post(CREATE_URL, {"name": "乙", "scope": "read"}).status_code == 403
    assert client.post(revoke_url(token)).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1
