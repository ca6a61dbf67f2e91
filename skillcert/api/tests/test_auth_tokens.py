"""``/api/v1/auth``: issuing tokens for credentials, using, listing and revoking them (security.md Z4);
and a read-only token's refusal on every operation that writes."""

from datetime import timedelta
from typing import get_args

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import WORLD_PASSWORD
from skillcert.accounts.models import ApiToken
from skillcert.accounts.tokens import api_token_hash, api_token_revoke
from skillcert.api.tests.helpers import generated_schema, issued_key, totp_code, totp_device
from skillcert.api.v1.api import api
from skillcert.api.v1.auth import SAFE_METHODS
from skillcert.api.v1.problems import BEARER_CHALLENGE, PROBLEM_CONTENT_TYPE
from skillcert.api.v1.routers.auth import TokenScope
from skillcert.core.models import AuditEvent
from skillcert.verification.challenge import challenge_solve

TOKEN_URL = "/api/v1/auth/token"
TOKENS_URL = "/api/v1/auth/tokens"
TRUST_BUNDLE_URL = "/api/v1/credentials/trust-bundle"
READ, READ_WRITE = ApiToken.Scope.READ, ApiToken.Scope.READ_WRITE
READ_ONLY_DETAIL = "该接口令牌为只读令牌，只能查询，不能修改数据：请改用“读写”权限的令牌。"
INSUFFICIENT_SCOPE = 'Bearer realm="skillcert", error="insufficient_scope", scope="read_write"'


@pytest.fixture
def without_2fa(settings):
    settings.SKILLCERT_REQUIRE_2FA = False


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    return body


# --- issuing --------------------------------------------------------------------------------------------


def test_right_credentials_issue_a_token_that_authenticates(world, api_client, without_2fa):
    # given a body administrator (2FA off in these settings)
    # when they exchange their password for a token
    response = api_client.call(
        "POST", TOKEN_URL, body={"username": "y_admin", "password": WORLD_PASSWORD, "name": "考务系统对接"}
    )
    # then they get a key that is shown once, never cached, and that works as a bearer token
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"id", "name", "scope", "token", "expires_at"}
    assert body["token"].startswith("sc_")
    assert (body["name"], body["scope"]) == ("考务系统对接", "read")
    token = ApiToken.objects.get(pk=body["id"])
    assert (token.user, token.scope) == (world.body_y_admin, "read")
    assert token.key_hash == api_token_hash(key=body["token"])

    listing = api_client.call("GET", TOKENS_URL, token=body["token"])
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    assert listing.json()["items"][0]["id"] == token.pk


def test_token_name_defaults_when_omitted(world, api_client, without_2fa):
    # when no name is given
    response = api_client.call("POST", TOKEN_URL, body={"username": "y_admin", "password": WORLD_PASSWORD})
    # then the token gets the default name
    assert response.status_code == 201
    assert response.json()["name"] == "接口令牌"


def test_read_write_scope_is_issued_when_asked_for(world, api_client, without_2fa):
    # when the caller asks for a read-write token
    response = api_client.call(
        "POST",
        TOKEN_URL,
        body={"username": "y_admin", "password": WORLD_PASSWORD, "name": "考务系统", "scope": "read_write"},
    )
    # then the token is read-write, and the creation event records it
    assert response.status_code == 201, response.content
    assert response.json()["scope"] == "read_write"
    assert ApiToken.objects.get().scope == "read_write"
    assert AuditEvent.objects.get(action="api_token.created").data["scope"] == "read_write"


@pytest.mark.parametrize("scope", ["write", "admin", "", None, 1])
def test_invalid_scope_returns_422_naming_the_field(world, api_client, without_2fa, scope):
    # when the scope is not one of the two
    response = api_client.call(
        "POST", TOKEN_URL, body={"username": "y_admin", "password": WORLD_PASSWORD, "scope": scope}
    )
    # then the scope field is named, and no token is issued
    body = assert_problem(response, 422)
    assert body["errors"] == [
        {"field": "body.scope", "message": "取值不在允许范围内：'read' or 'read_write'。"}
    ]
    assert ApiToken.objects.count() == 0


def test_scope_values_in_the_schema_are_the_models(world):
    # The API spells the values out for the OpenAPI document; they must stay ApiToken.Scope's.
    assert get_args(TokenScope) == tuple(ApiToken.Scope.values)


def test_wrong_password_returns_401_problem(world, api_client):
    # when the password is wrong
    response = api_client.call("POST", TOKEN_URL, body={"username": "y_admin", "password": "wrong-password"})
    # then a problem document says so, with a Bearer challenge, and no token exists
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE
    assert body["detail"] == "用户名或密码错误。"
    assert body["type"] == "urn:skillcert:problem:unauthorized"
    assert body["errors"] == []
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_username="y_admin").count() == 1


def test_unknown_user_answers_like_wrong_password(world, api_client):
    # when the username does not exist
    response = api_client.call("POST", TOKEN_URL, body={"username": "nobody", "password": "wrong-password"})
    # then the answer is the same as for a wrong password
    assert assert_problem(response, 401)["detail"] == "用户名或密码错误。"


def fail_from(api_client, username: str, *, address: str, times: int) -> None:
    for _ in range(times):
        body = {"username": username, "password": "wrong-password"}
        api_client.call("POST", TOKEN_URL, body=body, REMOTE_ADDR=address)


def test_five_failures_from_one_client_refuse_that_client_with_429_even_with_the_right_password(
    world, api_client, without_2fa
):
    # given five wrong passwords for y_admin from one client
    fail_from(api_client, "y_admin", address="203.0.113.7", times=5)

    # when the right password comes from that client, and from another
    body = {"username": "y_admin", "password": WORLD_PASSWORD}
    same = api_client.call("POST", TOKEN_URL, body=body, REMOTE_ADDR="203.0.113.7")
    other = api_client.call("POST", TOKEN_URL, body=body, REMOTE_ADDR="198.51.100.7")

    # then the first is refused as too many (429), without saying whether the account exists; the other
    # client gets its token
    assert assert_problem(same, 429)["detail"].startswith("使用该用户名从您所在的网络地址登录失败次数过多")
    assert other.status_code == 201, other.content


@pytest.mark.parametrize("username", ["y_admin", "nobody"])
def test_an_account_failing_from_many_clients_needs_a_proof_of_work_which_an_integration_can_solve(
    world, api_client, without_2fa, settings, username
):
    # given an account (or a username nobody has) with three failures from three clients: the threshold is 3
    settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = 3
    settings.SKILLCERT_LOGIN_CHALLENGE_BITS = 8
    for index in range(3):
        fail_from(api_client, username, address=f"198.51.100.{index + 1}", times=1)
    password = WORLD_PASSWORD if username == "y_admin" else "wrong-password"
    body = {"username": username, "password": password}

    # when a fourth client sends the password without a solution
    first = api_client.call("POST", TOKEN_URL, body=body, REMOTE_ADDR="203.0.113.9")

    # then 428 gives the challenge to solve, as RFC 9457 extension members, and no password was tried
    assert first.status_code == 428 and first["Content-Type"] == PROBLEM_CONTENT_TYPE
    problem = first.json()
    assert set(problem) == {
        "type",
        "title",
        "status",
        "detail",
        "errors",
        "challenge",
        "algorithm",
        "bits",
        "expires",
    }
    assert (problem["type"], problem["algorithm"], problem["bits"]) == (
        "urn:skillcert:problem:challenge-required",
        "SHA-256",
        8,
    )
    assert "工作量证明" in problem["detail"]

    # when it sends a wrong solution, then a new challenge comes back (428) and still no token
    wrong = {**body, "challenge": problem["challenge"], "solution": "not-a-solution"}
    again = api_client.call("POST", TOKEN_URL, body=wrong, REMOTE_ADDR="203.0.113.9")
    assert again.status_code == 428 and again.json()["challenge"] != problem["challenge"]
    assert "未通过或已过期" in again.json()["detail"]

    # when it solves the challenge and sends it with the password
    token = again.json()["challenge"]
    solved = {**body, "challenge": token, "solution": challenge_solve(token=token, bits=8)}
    answer = api_client.call("POST", TOKEN_URL, body=solved, REMOTE_ADDR="203.0.113.9")

    # then the password is checked: the owner gets a token; a wrong password is 401 with the next challenge
    if username == "y_admin":
        assert answer.status_code == 201, answer.content
    else:
        assert answer.status_code == 401
        assert answer.json()["detail"] == "用户名或密码错误。" and answer.json()["challenge"] != token


def test_second_factor_user_without_otp_code_returns_401_with_field_error(world, api_client):
    # given a staff user who must pass 2FA
    totp_device(world.body_y_admin)
    # when they give only their password
    response = api_client.call("POST", TOKEN_URL, body={"username": "y_admin", "password": WORLD_PASSWORD})
    # then they are told the one-time code is required, on the otp_code field
    body = assert_problem(response, 401)
    assert body["errors"] == [{"field": "otp_code", "message": "必须填写动态验证码。"}]
    assert ApiToken.objects.count() == 0


def test_second_factor_user_with_valid_totp_gets_a_token(world, api_client):
    # given a staff user with a confirmed TOTP device
    device = totp_device(world.body_y_admin)
    # when they give their password and the code their authenticator shows
    response = api_client.call(
        "POST",
        TOKEN_URL,
        body={"username": "y_admin", "password": WORLD_PASSWORD, "otp_code": totp_code(device)},
    )
    # then a token is issued and both steps are audited
    assert response.status_code == 201, response.content
    assert ApiToken.objects.filter(user=world.body_y_admin).count() == 1
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == ["auth.password_verified", "auth.second_factor_verified", "api_token.created"]


def test_second_factor_user_with_wrong_totp_returns_401(world, api_client):
    # given a staff user with a confirmed TOTP device
    device = totp_device(world.body_y_admin)
    wrong = str((int(totp_code(device)) + 1) % 1_000_000).zfill(6)
    # when the code is wrong
    response = api_client.call(
        "POST", TOKEN_URL, body={"username": "y_admin", "password": WORLD_PASSWORD, "otp_code": wrong}
    )
    # then no token is issued
    body = assert_problem(response, 401)
    assert body["detail"].startswith("验证码错误或已使用过")
    assert ApiToken.objects.count() == 0


def test_candidate_with_right_password_returns_403(world, api_client):
    # when a candidate asks for a token
    response = api_client.call("POST", TOKEN_URL, body={"username": "candidate", "password": WORLD_PASSWORD})
    # then they are refused: only staff hold integration tokens
    body = assert_problem(response, 403)
    assert body["detail"] == "只有在职的人社部门或评价机构工作人员可以创建接口令牌。"
    assert ApiToken.objects.count() == 0


def test_missing_password_returns_422_naming_the_field(world, api_client):
    # when the password is left out and the name is too long
    response = api_client.call("POST", TOKEN_URL, body={"username": "y_admin", "name": "长" * 61})
    # then each problem is listed against its field's JSON path
    body = assert_problem(response, 422)
    assert body["type"] == "urn:skillcert:problem:validation-error"
    assert body["errors"] == [
        {"field": "body.password", "message": "必须填写此项。"},
        {"field": "body.name", "message": "长度不能超过 60 个字符。"},
    ]


def test_body_that_is_not_json_returns_400(world, api_client):
    # when the body is not JSON at all
    response = api_client.call("POST", TOKEN_URL, body="username=y_admin")
    # then the answer is a problem document, not a server error
    body = assert_problem(response, 400)
    assert body["detail"] == "无法解析请求体：请发送 Content-Type 为 application/json 的有效 JSON。"


# --- using ----------------------------------------------------------------------------------------------


def test_without_token_returns_401_with_bearer_challenge(world, api_client):
    # when no token is presented
    response = api_client.call("GET", TOKENS_URL)
    # then 401 with the challenge
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE


def test_unknown_token_returns_401(world, api_client):
    # when a made-up key is presented
    response = api_client.call("GET", TOKENS_URL, token="sc_" + "A" * 43)
    # then 401
    assert_problem(response, 401)


def test_revoked_token_returns_401(world, api_client):
    # given a token that worked and was then revoked
    key = issued_key(world.body_y_admin)
    assert api_client.call("GET", TOKENS_URL, token=key).status_code == 200
    api_token_revoke(token=ApiToken.objects.get(), actor=world.body_y_admin)
    # when it is presented again
    response = api_client.call("GET", TOKENS_URL, token=key)
    # then 401
    assert_problem(response, 401)


def test_expired_token_returns_401(world, api_client, settings):
    # given a token valid for the configured number of days
    key = issued_key(world.body_y_admin)
    days = settings.SKILLCERT_API_TOKEN_DAYS
    # when a minute before the end it still works, and a minute after it does not
    with time_machine.travel(timezone.now() + timedelta(days=days, minutes=-1)):
        assert api_client.call("GET", TOKENS_URL, token=key).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=days, minutes=1)):
        response = api_client.call("GET", TOKENS_URL, token=key)
    # then 401
    assert_problem(response, 401)


def test_token_of_deactivated_user_returns_401(world, api_client):
    # given a token whose owner is then deactivated
    key = issued_key(world.body_y_admin)
    world.body_y_admin.is_active = False
    world.body_y_admin.save(update_fields=["is_active"])
    # when it is presented
    response = api_client.call("GET", TOKENS_URL, token=key)
    # then 401
    assert_problem(response, 401)


@pytest.mark.parametrize("parameter", ["access_token", "token", "api_key", "anything"])
def test_token_in_query_string_returns_401(world, api_client, parameter):
    # given a valid key
    key = issued_key(world.body_y_admin)
    # when it is sent in the URL instead of the header
    response = api_client.call("GET", f"{TOKENS_URL}?{parameter}={key}")
    # then it is not accepted, and the caller is told why
    body = assert_problem(response, 401)
    assert body["detail"] == "不接受在网址中传递的令牌：请改用 Authorization 请求头，并撤销已暴露的令牌。"
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE


def test_token_in_query_string_is_refused_even_with_a_valid_header(world, api_client):
    # given a valid key, sent both in the header and (leaked) in the URL
    key = issued_key(world.body_y_admin)
    response = api_client.call("GET", f"{TOKENS_URL}?access_token={key}", token=key)
    # then the request is refused
    assert_problem(response, 401)


def test_session_login_does_not_authenticate_the_api(world, api_client):
    # given a user signed in to the portal
    api_client.force_login(world.body_y_admin)
    # when they call the API without a token
    response = api_client.call("GET", TOKENS_URL)
    # then the session is not enough
    assert_problem(response, 401)


# --- listing and revoking -------------------------------------------------------------------------------


def test_list_shows_only_own_tokens_without_keys(world, api_client):
    # given two tokens of one user and one of another
    key = issued_key(world.body_y_admin, "甲", scope=READ)
    issued_key(world.body_y_admin, "乙")
    issued_key(world.body_s_admin, "丙")
    # when the first user lists (a read-only token may)
    response = api_client.call("GET", TOKENS_URL, token=key)
    # then they see their two, newest first, with their scopes and prefixes only
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["name"], item["scope"]) for item in items] == [("乙", "read_write"), ("甲", "read")]
    assert set(items[0]) == {
        "id",
        "name",
        "scope",
        "key_prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    }
    assert items[1]["key_prefix"] == key[:8]
    assert key not in response.content.decode()


def test_delete_own_token_revokes_it(world, api_client):
    # given two tokens of one user
    key = issued_key(world.body_y_admin, "保留")
    other_key = issued_key(world.body_y_admin, "撤销")
    other = ApiToken.objects.get(name="撤销")
    # when the first revokes the second
    response = api_client.call("DELETE", f"{TOKENS_URL}/{other.pk}", token=key)
    # then it is revoked, audited, refused from now on; revoking it again is a conflict
    assert response.status_code == 204
    other.refresh_from_db()
    assert other.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert (event.actor_id, event.target_id) == (world.body_y_admin.pk, str(other.pk))
    assert_problem(api_client.call("GET", TOKENS_URL, token=other_key), 401)
    again = api_client.call("DELETE", f"{TOKENS_URL}/{other.pk}", token=key)
    assert assert_problem(again, 409)["detail"] == "该接口令牌已被撤销。"


def test_delete_other_users_token_returns_404(world, api_client):
    # given a token of another user
    key = issued_key(world.body_y_admin)
    issued_key(world.body_s_admin, "他人")
    theirs = ApiToken.objects.get(name="他人")
    # when the first user tries to revoke it
    response = api_client.call("DELETE", f"{TOKENS_URL}/{theirs.pk}", token=key)
    # then it does not exist for them, and stays live
    assert_problem(response, 404)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_delete_with_non_integer_id_returns_422(world, api_client):
    key = issued_key(world.body_y_admin)
    response = api_client.call("DELETE", f"{TOKENS_URL}/abc", token=key)
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "path.token_id"


# --- scope -----------------------------------------------------------------------------------------------


def unsafe_token_operations() -> list[tuple[str, str, str]]:
    """``(operation_id, method, url)`` of every operation that takes a token and may change something.

    Walked from the routers mounted on the API, so an operation added later is covered without a test.
    Path parameters get ``1``: a read-only token is refused before the object is looked up.
    """
    found = []
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                if not operation.auth_callbacks:
                    continue  # public: no token to check (the OpenAPI tests list these)
                kwargs = dict.fromkeys(operation.signature.path_params_names, "1")
                url = reverse(f"{api.urls_namespace}:{operation.url_name}", kwargs=kwargs)
                found += [
                    (operation.operation_id, method, url)
                    for method in operation.methods
                    if method not in SAFE_METHODS
                ]
    return found


def test_read_only_token_is_refused_on_every_unsafe_operation(world, api_client):
    # given a read-only token of a member of staff who holds every authority role
    key = issued_key(world.municipal_admin, scope=READ)
    operations = unsafe_token_operations()
    assert {"auth_token_revoke", "certificate_revoke", "credential_trust_bundle_export"} <= {
        operation_id for operation_id, _, _ in operations
    }
    events = AuditEvent.objects.count()
    documented = {
        operation["operationId"]: operation["responses"]
        for item in generated_schema()["paths"].values()
        for operation in item.values()
    }
    for operation_id, method, url in operations:
        # when it is used on the operation (with an empty body: the refusal comes before validation)
        response = api_client.call(method, url, token=key, body={})
        # then 403, saying why and what is needed, as the operation documents
        body = assert_problem(response, 403)
        assert body["detail"] == READ_ONLY_DETAIL, (operation_id, method, url)
        assert response["WWW-Authenticate"] == INSUFFICIENT_SCOPE
        assert "403" in documented[operation_id], f"{operation_id} does not document 403"
    # and nothing was changed (every state change writes an audit event)
    assert AuditEvent.objects.count() == events
    assert ApiToken.objects.get().revoked_at is None


def test_read_only_token_can_read(world, api_client):
    # given a read-only token
    key = issued_key(world.municipal_admin, scope=READ)
    # when it is used to read
    tokens = api_client.call("GET", TOKENS_URL, token=key)
    certificates = api_client.call("GET", "/api/v1/certificates", token=key)
    # then it is answered
    assert tokens.status_code == 200, tokens.content
    assert tokens.json()["items"][0]["scope"] == "read"
    assert certificates.status_code == 200, certificates.content


def test_read_only_token_cannot_export_the_trust_bundle(world, api_client):
    # given a read-only token of an authority administrator, who may export the bundle
    key = issued_key(world.municipal_admin, scope=READ)
    # when it asks for the export
    response = api_client.call("POST", TRUST_BUNDLE_URL, token=key)
    # then it is refused, and nothing is exported
    assert assert_problem(response, 403)["detail"] == READ_ONLY_DETAIL
    assert not AuditEvent.objects.filter(action="trust_bundle.exported").exists()


def test_read_write_token_can_write(world, api_client):
    # given a read-write token of the same administrator
    key = issued_key(world.municipal_admin, scope=READ_WRITE)
    # when it asks for the export
    response = api_client.call("POST", TRUST_BUNDLE_URL, token=key)
    # then the bundle is exported and audited
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(action="trust_bundle.exported")
    assert event.actor_id == world.municipal_admin.pk


# --- storage --------------------------------------------------------------------------------------------


def test_database_holds_no_plaintext_key(world, api_client, without_2fa):
    # given tokens issued through the API
    keys = [
        api_client.call("POST", TOKEN_URL, body={"username": "y_admin", "password": WORLD_PASSWORD}).json()[
            "token"
        ]
        for _ in range(2)
    ]
    # when every column of the token table and the audit log is read back raw
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        token_cells = [str(cell) for row in cursor.fetchall() for cell in row]
        cursor.execute(f"SELECT data FROM {AuditEvent._meta.db_table}")
        audit_cells = [str(row[0]) for row in cursor.fetchall()]
    # then no key appears anywhere, only its hash and 8-character prefix
    assert len(token_cells) > 0
    for key in keys:
        assert not any(key in cell for cell in token_cells + audit_cells)
        assert api_token_hash(key=key) in token_cells
        assert key[:8] in token_cells
