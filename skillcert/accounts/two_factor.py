"""TOTP devices and recovery codes: enrolment, confirmation, replacement (django-otp models).

A user has at most one confirmed TOTP device and one static device holding the unused recovery codes.
A new device is created unconfirmed and replaces the old ones only when a code from it has been entered,
so starting a re-enrolment never leaves the account without a working second factor. Starting,
confirming and cancelling an enrolment are each audited; recovery codes are issued at confirmation, and
one at a time by an operator (``recovery_code_issue``, for someone who lost their phone), audited too.

Recovery codes are password-equivalent, so they are stored like passwords: only a hash. Each
``StaticToken.token`` holds ``recovery_code_hash`` of a code (PBKDF2-HMAC-SHA256 with a per-user salt,
``RECOVERY_CODE_ITERATIONS`` iterations, 12 bytes as 16 URL-safe base64 characters: the column
holds at most 16). The plain codes exist only in the page or command output that shows them once.
Checking a code hashes what was typed and hands the hash to ``StaticDevice.verify_token``, which deletes
the matching row, so each code still works once. The stored hash itself is useless as a code: it would be
hashed again.
"""

import base64
import hashlib
import re
import secrets

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext

RECOVERY_CODE_COUNT = 10
# PBKDF2-HMAC-SHA256 iterations of a stored recovery code: about 35 ms per code on the 2-core reference
# machine, spent once per typed code and ten times per enrolment. A constant, not a setting: the count is
# not stored with the hashes, so a different one (say, another environment at `migrate`, whose migration
# 0004 hashes the codes already issued) would make every issued code unusable without an error.
RECOVERY_CODE_ITERATIONS = 200_000
# No 0/o, 1/l/i: recovery codes are copied from paper. Each code holds at least one letter so that it is
# never mistaken for a TOTP code.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
TOTP_DEVICE_NAME = "认证器"
RECOVERY_DEVICE_NAME = "恢复码"
RECOVERY_CODE_MALFORMED = gettext_lazy(
    "恢复码格式不正确：去掉短横线和空格后应为 %(length)d 个字符，只能用字母（不含 i、l、o，不区分大小写）"
    "和数字 2–9，且至少含一个字母。"
)
RECOVERY_CODE_WITHOUT_AUTHENTICATOR = gettext_lazy(
    "用户 %(username)s 尚未绑定认证器，恢复码对其无用：恢复码只在两步验证时代替认证器上的验证码。"
)
RECOVERY_CODE_EXISTS = gettext_lazy("该用户已有这个恢复码，请换一个。")


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    """The user's working TOTP device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def totp_enrolment_pending(*, user: User, device_id: object) -> TOTPDevice | None:
    """The unconfirmed device of the enrolment this session started (its id kept in the session), if any.

    Bound to the session, not just to the user: a device started elsewhere (another browser that had the
    password) is never shown here, so nobody can hand someone else a secret they already know.
    """
    if not isinstance(device_id, int) or isinstance(device_id, bool):
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()


@transaction.atomic
def totp_enrolment_start(*, user: User, context: RequestContext) -> TOTPDevice:
    """Start an enrolment: a new unconfirmed device with a new secret; one still in progress is discarded.

    Only ever on a POST ("开始绑定"): showing the enrolment page writes nothing.
    """
    discarded = TOTPDevice.objects.filter(user=user, confirmed=False).delete()[0]
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    audit_record(
        actor=user,
        action="auth.second_factor_enrolment_started",
        target=user,
        data={
            "device": device.pk,
            "replacing": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "discarded": discarded,
        },
        context=context,
    )
    return device


@transaction.atomic
def totp_enrolment_cancel(*, user: User, context: RequestContext) -> bool:
    """Drop an enrolment in progress (the confirmed device, if any, stays); False if there was none."""
    discarded = TOTPDevice.objects.filter(user=user, confirmed=False).delete()[0]
    if not discarded:
        return False
    audit_record(
        actor=user,
        action="auth.second_factor_enrolment_cancelled",
        target=user,
        data={"discarded": discarded},
        context=context,
    )
    return True


def _new_recovery_code() -> str:
    while True:
        code = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        if not code.isdigit():
            return code


def recovery_code_display(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def recovery_code_normalise(code: str) -> str:
    """A code as typed ("ABCDE-fgh23", with or without the dash or spaces) in the form that is hashed."""
    return re.sub(r"[\s-]", "", code).lower()


def recovery_code_hash(*, code: str, user_id: int) -> str:
    """The stored form of a recovery code: 16 URL-safe base64 characters, never the code itself.

    The salt is per user, so a code (or a stored hash) of one user is worthless for any other, and one
    guess cannot be tried against everybody's rows at once. The iteration count is not stored with the
    hash: changing RECOVERY_CODE_ITERATIONS makes every code already issued unusable.
    """
    digest = hashlib.pbkdf2_hmac(
        "sha256",
        recovery_code_normalise(code).encode(),
        f"skillcert-recovery-code:{user_id}".encode(),
        RECOVERY_CODE_ITERATIONS,
        dklen=12,
    )
    return base64.urlsafe_b64encode(digest).decode()


def recovery_code_is_hashed(token: str) -> bool:
    """Whether a stored token is already a hash (16 base64 characters) rather than a plain code."""
    return re.fullmatch(r"[A-Za-z0-9_-]{16}", token) is not None


@transaction.atomic
def totp_enrolment_confirm(
    *, user: User, device: TOTPDevice, code: str, context: RequestContext
) -> list[str]:
    """Confirm an enrolment with a code from the new device; replaces old devices, returns recovery codes."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    code = "".join(code.split())
    if not code.isdigit() or not device.verify_token(code):
        raise ValidationError(
            {"code": _("验证码不正确。请确认手机时间准确，并输入认证器上当前显示的 6 位数字。")}
        )
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0] > 0
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=recovery_code_hash(code=code, user_id=user.pk)) for code in codes]
    )
    audit_record(
        actor=user,
        action="auth.second_factor_reset" if replaced else "auth.second_factor_enrolled",
        target=user,
        data={"recovery_codes": RECOVERY_CODE_COUNT},
        context=context,
    )
    return [recovery_code_display(code) for code in codes]


def recovery_code_well_formed(code: str) -> bool:
    """Whether a normalised code has the shape of ours, so that it can be typed at the code step at all."""
    return (
        len(code) == _RECOVERY_LENGTH
        and all(character in _RECOVERY_ALPHABET for character in code)
        and not code.isdigit()  # the sign-in takes an all-digit code for a TOTP code
    )


def _recovery_device(*, user: User) -> tuple[StaticDevice, bool]:
    """The static device the sign-in checks (the user's first confirmed one), created if there is none."""
    static = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if static is not None:
        return static, False
    return StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True), True


@transaction.atomic
def recovery_code_issue(
    *,
    user: User,
    code: str | None = None,
    actor: User | None = None,
    context: RequestContext = NO_REQUEST,
    actor_label: str = "",
) -> str:
    """Add one recovery code (for someone who lost their authenticator); returns it in display form.

    Stored like the codes of an enrolment, only as a hash in the device the sign-in checks, so it works
    once. ``code`` chooses it (as typed: dash, spaces and case do not matter); otherwise it is random.
    Refused for a user without a confirmed authenticator: their sign-in never asks for a code.
    """
    chosen = code is not None
    code = _new_recovery_code() if code is None else recovery_code_normalise(code)
    if not recovery_code_well_formed(code):
        raise ValidationError({"code": RECOVERY_CODE_MALFORMED % {"length": _RECOVERY_LENGTH}})
    # Locked as the sign-in's code step locks it, so that two issues at once never make two static devices.
    user = User.objects.select_for_update().get(pk=user.pk)
    if totp_device_confirmed(user=user) is None:
        raise ApplicationError(RECOVERY_CODE_WITHOUT_AUTHENTICATOR % {"username": user.username})
    static, created = _recovery_device(user=user)
    token = recovery_code_hash(code=code, user_id=user.pk)
    # Two equal rows would let one code sign in twice.
    if static.token_set.filter(token=token).exists():
        raise ApplicationError(str(RECOVERY_CODE_EXISTS))
    StaticToken.objects.create(device=static, token=token)
    audit_record(
        actor=actor,
        action="auth.recovery_code_issued",
        target=user,
        # Neither the code nor its hash: the hash is enough to test guesses offline.
        data={
            "device": static.pk,
            "device_created": created,
            "chosen": chosen,
            "recovery_codes": recovery_codes_remaining(user=user),
        },
        context=context,
        actor_label=actor_label,
    )
    return recovery_code_display(code)


def recovery_codes_remaining(*, user: User) -> int:
    """How many unused recovery codes the user has: one stored hash per code, deleted when used."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data URI, for an <img> without any JavaScript."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
