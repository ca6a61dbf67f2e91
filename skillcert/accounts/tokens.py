"""API tokens for integrations: issue, authenticate, revoke, list.

A key is ``sc_`` + 32 random bytes (URL-safe base64). It is shown once; the database keeps only its
SHA-256 hash (for lookup) and its first 8 characters (so a person can tell tokens apart). Looking a key
up by its hash leaks nothing about the key, so authentication needs no per-row constant-time compare.

Every token has a scope, chosen when it is issued: ``read`` (只读) or ``read_write`` (读写). The API
enforces it in one place, ``skillcert.api.v1.auth.TokenAuth``, before any handler runs.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skillcert.accounts.models import ApiToken, User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext

KEY_PREFIX = "sc_"
KEY_RANDOM_BYTES = 32
KEY_PREFIX_LENGTH = 8
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 60
# A key longer than this is not ours: refuse it before hashing attacker-sized input.
KEY_MAX_LENGTH = 128
# Recording every use would turn each API read into a write; once a minute is enough to see activity.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SCOPE_INVALID_MESSAGE = gettext_lazy("令牌权限只能是“只读”或“读写”。")


class ApiTokenNotAllowed(ApplicationError):
    """The user may not hold API tokens (only authority and body staff may)."""


def api_token_hash(*, key: str) -> str:
    """The stored form of a key: its SHA-256 in hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_may_create(*, user: User) -> bool:
    """Whether ``user`` may hold API tokens: active authority or body staff (who sign in with 2FA)."""
    return user.is_active and user.needs_second_factor


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str,
    actor: User | None,
    context: RequestContext = NO_REQUEST,
    actor_label: str = "",
) -> tuple[ApiToken, str]:
    """Issue a token of ``scope`` (``ApiToken.Scope``) for ``user``; returns it and its key, never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("令牌名称不能为空。")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("令牌名称不能超过 %(max)d 个字符。") % {"max": NAME_MAX_LENGTH}})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": SCOPE_INVALID_MESSAGE})
    if not api_token_may_create(user=user):
        raise ApiTokenNotAllowed(_("只有在职的人社部门或评价机构工作人员可以创建接口令牌。"))

    key = KEY_PREFIX + secrets.token_urlsafe(KEY_RANDOM_BYTES)
    token = ApiToken(
        user=user,
        name=name,
        scope=scope,
        key_prefix=key[:KEY_PREFIX_LENGTH],
        key_hash=api_token_hash(key=key),
        expires_at=timezone.now() + timedelta(days=settings.SKILLCERT_API_TOKEN_DAYS),
    )
    token.full_clean()
    token.save(force_insert=True)
    audit_record(
        actor=actor,
        action="api_token.created",
        target=token,
        data={
            "user": user.username,
            "name": token.name,
            "scope": token.scope,
            "key_prefix": token.key_prefix,
            "expires_at": token.expires_at.isoformat(),
        },
        context=context,
        actor_label=actor_label,
    )
    return token, key


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The live token whose key this is, or None (unknown, revoked, expired or its user inactive)."""
    if not key.startswith(KEY_PREFIX) or len(key) > KEY_MAX_LENGTH:
        return None
    key_hash = api_token_hash(key=key)
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
    # The lookup already matched the hash; the compare only guards against a collation surprise.
    if token is None or not hmac.compare_digest(token.key_hash, key_hash):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A plain UPDATE, not a service: usage is not a state change worth an audit event.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, actor: User | None, context: RequestContext = NO_REQUEST
) -> ApiToken:
    """Revoke ``token`` at once; a revoked token never authenticates again."""
    # Lock the row so that two revocations cannot both pass the check and write two audit events.
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        raise ApplicationError(_("该接口令牌已被撤销。"), extra={"status": 409})
    token.revoked_at = timezone.now()
    token.full_clean()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="api_token.revoked",
        target=token,
        data={"user": token.user.username, "name": token.name, "key_prefix": token.key_prefix},
        context=context,
    )
    return token


def api_tokens_revoke_all(
    *, user: User, reason: str, actor: User | None, context: RequestContext = NO_REQUEST
) -> int:
    """End every live token of ``user`` (a password change ends all their access); one audit event."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    prefixes = sorted(live.values_list("key_prefix", flat=True))
    if not prefixes:
        return 0
    count = live.update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action="api_token.revoked_all",
        target=user,
        data={"user": user.username, "reason": reason, "key_prefixes": prefixes},
        context=context,
    )
    return count


def api_token_state(*, token: ApiToken, at: datetime | None = None) -> str:
    """``"revoked"``, ``"expired"`` or ``"active"`` at ``at`` (now by default)."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= (at or timezone.now()):
        return "expired"
    return "active"


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The tokens that ``user`` owns, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
