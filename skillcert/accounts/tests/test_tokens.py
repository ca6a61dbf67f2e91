"""API token services: create (with a scope), authenticate, revoke, list; and ``skillcert token create``."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from skillcert.accounts.models import ApiToken
from skillcert.accounts.tokens import (
    ApiTokenNotAllowed,
    api_token_authenticate,
    api_token_create,
    api_token_list,
    api_token_revoke,
    api_token_state,
)
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import RequestContext

CONTEXT = RequestContext(ip_address="203.0.113.7", request_id="req-1")
READ, READ_WRITE = ApiToken.Scope.READ, ApiToken.Scope.READ_WRITE


def test_create_stores_only_hash_and_prefix_and_audits(world, settings):
    # given a body administrator
    user = world.body_y_admin
    now = timezone.now()
    # when a token is created
    with time_machine.travel(now, tick=False):
        token, key = api_token_create(
            user=user, name="  考务系统对接 ", scope=READ, actor=user, context=CONTEXT
        )
    # then the key has the documented form and only its hash and prefix are kept
    assert key.startswith("sc_")
    assert len(key) == 3 + 43  # 32 random bytes in unpadded URL-safe base64
    token.refresh_from_db()
    assert (token.name, token.scope) == ("考务系统对接", "read")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.key_prefix == key[:8]
    assert token.expires_at == now + timedelta(days=settings.SKILLCERT_API_TOKEN_DAYS)
    assert (token.revoked_at, token.last_used_at) == (None, None)
    # and the creation is audited, without the key
    event = AuditEvent.objects.get()
    assert event.action == "api_token.created"
    assert (event.actor_id, event.target_type, event.target_id) == (
        user.pk,
        "accounts.apitoken",
        str(token.pk),
    )
    assert (event.ip_address, event.request_id) == ("203.0.113.7", "req-1")
    assert event.data == {
        "user": "y_admin",
        "name": "考务系统对接",
        "scope": "read",
        "key_prefix": key[:8],
        "expires_at": token.expires_at.isoformat(),
    }


def test_two_tokens_get_different_keys(world):
    _, first = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    _, second = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    assert first != second


@pytest.mark.parametrize(
    ("name", "message"), [("   ", "令牌名称不能为空。"), ("长" * 61, "令牌名称不能超过 60 个字符。")]
)
def test_create_refuses_a_bad_name(world, name, message):
    with pytest.raises(ValidationError) as raised:
        api_token_create(user=world.body_y_admin, name=name, scope=READ, actor=world.body_y_admin)
    assert raised.value.message_dict == {"name": [message]}
    assert ApiToken.objects.count() == 0


def test_create_records_a_read_write_scope(world):
    # when a read-write token is created
    token, _ = api_token_create(user=world.body_y_admin, name="考务系统", scope=READ_WRITE, actor=None)
    # then it is stored and audited as such, and may write
    token.refresh_from_db()
    assert token.scope == "read_write"
    assert token.may_write
    assert AuditEvent.objects.get(action="api_token.created").data["scope"] == "read_write"


@pytest.mark.parametrize("scope", ["", "write", "admin", "READ"])
def test_create_refuses_an_unknown_scope(world, scope):
    # when a token is asked for with a scope that does not exist
    with pytest.raises(ValidationError) as raised:
        api_token_create(user=world.body_y_admin, name="甲", scope=scope, actor=world.body_y_admin)
    # then the scope field is named, and nothing is created or audited
    assert raised.value.message_dict == {"scope": ["令牌权限只能是“只读”或“读写”。"]}
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(("scope", "may_write"), [("read", False), ("read_write", True), ("", False)])
def test_only_a_read_write_token_may_write(scope, may_write):
    # An unknown value (which the check constraint keeps out of the table) fails closed to read-only.
    assert ApiToken(scope=scope).may_write is may_write


def test_database_refuses_an_unknown_scope(world):
    # given a token
    token, _ = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    # when something writes a scope past the service
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(scope="admin")
    # then the row keeps its scope
    token.refresh_from_db()
    assert token.scope == "read"


def test_create_refuses_a_candidate(world):
    # when a token is asked for a candidate
    with pytest.raises(ApiTokenNotAllowed) as raised:
        api_token_create(user=world.candidate, name="甲", scope=READ, actor=world.candidate)
    # then nothing is created or audited
    assert raised.value.message == "只有在职的人社部门或评价机构工作人员可以创建接口令牌。"
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_authenticate_returns_the_live_token_and_its_user(world):
    token, key = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    found = api_token_authenticate(key=key)
    assert found == token
    assert found.user == world.body_y_admin


@pytest.mark.parametrize("key", ["", "sc_", "sc_unknown", "not-ours", "sc_" + "x" * 200])
def test_authenticate_refuses_unknown_keys(world, key):
    api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    assert api_token_authenticate(key=key) is None


def test_authenticate_refuses_the_hash_itself(world):
    # A leaked database row must not be usable as a credential.
    token, _ = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    assert api_token_authenticate(key=token.key_hash) is None
    assert api_token_authenticate(key="sc_" + token.key_hash) is None


def test_authenticate_refuses_revoked_expired_and_inactive(world, settings):
    # given three tokens: one revoked, one whose user is deactivated, one left to expire
    revoked, revoked_key = api_token_create(
        user=world.body_y_admin, name="撤销", scope=READ, actor=world.body_y_admin
    )
    api_token_revoke(token=revoked, actor=world.body_y_admin)
    _, inactive_key = api_token_create(
        user=world.body_s_admin, name="停用", scope=READ, actor=world.body_s_admin
    )
    world.body_s_admin.is_active = False
    world.body_s_admin.save(update_fields=["is_active"])
    live, live_key = api_token_create(
        user=world.municipal_admin, name="到期", scope=READ, actor=world.municipal_admin
    )
    # then the first two are refused now, and the third once it has expired
    assert api_token_authenticate(key=revoked_key) is None
    assert api_token_authenticate(key=inactive_key) is None
    with time_machine.travel(live.expires_at - timedelta(seconds=1)):
        assert api_token_authenticate(key=live_key) == live
    with time_machine.travel(live.expires_at):
        assert api_token_authenticate(key=live_key) is None


def test_authenticate_records_use_at_most_once_a_minute(world):
    # given a fresh token
    token, key = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    start = timezone.now()
    # when it is used, used again 30 s later, then again 61 s after the first use
    with time_machine.travel(start, tick=False):
        api_token_authenticate(key=key)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        api_token_authenticate(key=key)
        token.refresh_from_db()
        after_second_use = token.last_used_at
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api_token_authenticate(key=key)
    # then the second use did not write, the third did
    assert after_second_use == start
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def test_revoke_sets_time_and_audits_once(world):
    # given a live token
    token, _ = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    # when it is revoked
    revoked = api_token_revoke(token=token, actor=world.body_y_admin, context=CONTEXT)
    # then it carries the time, and an audit event names it
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert revoked.revoked_at == token.revoked_at
    assert api_token_state(token=token) == "revoked"
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.target_id == str(token.pk)
    assert event.data == {"user": "y_admin", "name": "甲", "key_prefix": token.key_prefix}
    # and revoking again is refused as a conflict, without a second event
    with pytest.raises(ApplicationError) as raised:
        api_token_revoke(token=token, actor=world.body_y_admin)
    assert raised.value.message == "该接口令牌已被撤销。"
    assert raised.value.extra == {"status": 409}
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_state_names_active_expired_revoked(world):
    token, _ = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    assert api_token_state(token=token) == "active"
    assert api_token_state(token=token, at=token.expires_at) == "expired"


def test_list_returns_only_the_users_tokens_newest_first(world):
    # given tokens of two users
    first, _ = api_token_create(user=world.body_y_admin, name="甲", scope=READ, actor=world.body_y_admin)
    api_token_create(user=world.body_s_admin, name="乙", scope=READ, actor=world.body_s_admin)
    second, _ = api_token_create(user=world.body_y_admin, name="丙", scope=READ, actor=world.body_y_admin)
    # then each user's list holds only their own
    assert list(api_token_list(user=world.body_y_admin)) == [second, first]
    assert list(api_token_list(user=world.candidate)) == []


# --- skillcert token create ----------------------------------------------------------------------------


def test_command_prints_the_key_once_and_stores_its_hash(world):
    # when the command is run
    out, err = StringIO(), StringIO()
    call_command("token_create", "y_admin", "数据交换", stdout=out, stderr=err)
    # then stdout holds the key alone, stderr the notice, and the key authenticates
    key = out.getvalue().strip()
    assert key.startswith("sc_")
    assert "\n" not in key
    assert "只显示这一次" in err.getvalue()
    assert key not in err.getvalue()
    token = api_token_authenticate(key=key)
    assert (token.user, token.name, token.scope) == (world.body_y_admin, "数据交换", "read")
    assert "只读接口令牌" in err.getvalue()
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor_id, event.actor_username) == (None, "command:token_create")


def test_command_issues_a_read_write_token_when_asked(world):
    # when the command is run with --scope read_write
    out, err = StringIO(), StringIO()
    call_command("token_create", "y_admin", "数据交换", "--scope", "read_write", stdout=out, stderr=err)
    # then the token may write, and the notice says so
    assert api_token_authenticate(key=out.getvalue().strip()).scope == "read_write"
    assert "读写接口令牌" in err.getvalue()


def test_command_refuses_an_unknown_scope(world):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "token_create", "y_admin", "数据交换", "--scope", "admin", stdout=StringIO(), stderr=StringIO()
        )
    assert ApiToken.objects.count() == 0


def test_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="用户 nobody 不存在。"):
        call_command("token_create", "nobody", "数据交换", stdout=StringIO(), stderr=StringIO())


def test_command_refuses_a_candidate(world):
    with pytest.raises(CommandError, match="只有在职的人社部门或评价机构工作人员可以创建接口令牌。"):
        call_command("token_create", "candidate", "数据交换", stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.count() == 0
