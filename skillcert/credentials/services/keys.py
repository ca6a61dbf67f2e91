"""Issuer keys (one active Ed25519 key per evaluation body) and the platform key that signs trust bundles.

Seeds are kept only as AES-GCM ciphertext bound to their purpose. Creation and rotation (rotation.py) take
the audit chain lock first, like every other credentials write, so that all transactions lock in one order
(audit, then status lists) and two first uses of a body cannot both create its key.
"""

import base64
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.core.audit import audit_chain_lock, audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.personal_data import decrypt, encrypt
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.credentials.models import IssuerKey, PlatformKey
from skillcert.credentials.multikey import public_key_multibase
from skillcert.registry.models import Body

ISSUER_KEY_PURPOSE = "issuer_key"
PLATFORM_KEY_PURPOSE = "platform_key"
MSG_KEY_RETIRED = _("签发密钥 %(key)s 已停用，其私钥已销毁，不能再用于签名。")


def _new_seed() -> tuple[bytes, str]:
    private_key = Ed25519PrivateKey.generate()
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return seed, public_key_multibase(private_key.public_key())


def _seal(seed: bytes, *, purpose: str) -> str:
    return encrypt(base64.urlsafe_b64encode(seed).decode(), purpose=purpose)


def _unseal(ciphertext: str, *, purpose: str) -> Ed25519PrivateKey:
    seed = base64.urlsafe_b64decode(decrypt(ciphertext, purpose=purpose))
    return Ed25519PrivateKey.from_private_bytes(seed)


def issuer_key_private(*, key: IssuerKey) -> Ed25519PrivateKey:
    """The private key of an active issuer key (decrypted in memory only)."""
    if not key.seed_ciphertext:
        raise ApplicationError(str(MSG_KEY_RETIRED) % {"key": key.public_key_multibase})
    return _unseal(key.seed_ciphertext, purpose=ISSUER_KEY_PURPOSE)


def platform_key_private(*, key: PlatformKey) -> Ed25519PrivateKey:
    return _unseal(key.seed_ciphertext, purpose=PLATFORM_KEY_PURPOSE)


def _active_issuer_key(body: Body) -> IssuerKey | None:
    return IssuerKey.objects.filter(tenant=body, retired_at__isnull=True).first()


def issuer_key_create(*, body: Body, now: datetime) -> IssuerKey:
    """A new key for ``body``; the caller holds the audit chain lock and has retired any active key."""
    seed, public = _new_seed()
    return IssuerKey.objects.create(
        tenant=body,
        public_key_multibase=public,
        seed_ciphertext=_seal(seed, purpose=ISSUER_KEY_PURPOSE),
        created_at=now,
    )


@transaction.atomic
def issuer_key_ensure(*, body: Body, context: RequestContext = NO_REQUEST) -> IssuerKey:
    """The body's active signing key, generated (and audited) the first time it is needed."""
    key = _active_issuer_key(body)
    if key is not None:
        return key
    audit_chain_lock()
    key = _active_issuer_key(body)  # another transaction may have created it while we waited
    if key is not None:
        return key
    key = issuer_key_create(body=body, now=timezone.now())
    audit_record(
        actor=None,
        actor_label="skillcert",
        action="issuer_key.created",
        target=body,
        data={"public_key": key.public_key_multibase, "credit_code": body.credit_code},
        context=context,
    )
    return key


def _active_platform_key() -> PlatformKey | None:
    return PlatformKey.objects.filter(is_active=True).first()


@transaction.atomic
def platform_key_ensure(*, context: RequestContext = NO_REQUEST) -> PlatformKey:
    """The platform's trust-bundle signing key, generated (and audited) on first use."""
    key = _active_platform_key()
    if key is not None:
        return key
    audit_chain_lock()
    key = _active_platform_key()
    if key is not None:
        return key
    seed, public = _new_seed()
    key = PlatformKey.objects.create(
        public_key_multibase=public,
        seed_ciphertext=_seal(seed, purpose=PLATFORM_KEY_PURPOSE),
        created_at=timezone.now(),
    )
    audit_record(
        actor=None,
        actor_label="skillcert",
        action="platform_key.created",
        target=key,
        data={"public_key": public},
        context=context,
    )
    return key
