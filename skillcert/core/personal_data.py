"""Resident ID numbers at rest: AES-256-GCM ciphertext, an HMAC-SHA256 blind index, one mask.

Django-free on purpose: the public verification app uses ``blind_index`` to look up certificates.
Ciphertexts carry their algorithm and key version (``v1:aesgcm:<base64>``) so either can change.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CIPHERTEXT_PREFIX = "v1:aesgcm:"


class PersonalDataKeyError(RuntimeError):
    pass


def _decode_key(text: str, name: str) -> bytes:
    key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(key) != 32:
        raise PersonalDataKeyError(f"{name} 必须是 32 字节的 base64 编码密钥。")
    return key


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=b"skillcert", info=purpose).derive(secret.encode())


@cache
def _keys() -> tuple[bytes, bytes]:
    from django.conf import settings

    field_key = settings.SKILLCERT_FIELD_ENCRYPTION_KEY
    index_key = settings.SKILLCERT_BLIND_INDEX_KEY
    encryption = (
        _decode_key(field_key, "SKILLCERT_FIELD_ENCRYPTION_KEY")
        if field_key
        else _derive(settings.SECRET_KEY, b"field-encryption")
    )
    index = (
        _decode_key(index_key, "SKILLCERT_BLIND_INDEX_KEY")
        if index_key
        else _derive(settings.SECRET_KEY, b"blind-index")
    )
    return encryption, index


def encrypt(plaintext: str, *, purpose: str) -> str:
    """Encrypt ``plaintext``; ``purpose`` (e.g. "resident_id") is bound as associated data."""
    nonce = os.urandom(12)
    sealed = AESGCM(_keys()[0]).encrypt(nonce, plaintext.encode(), purpose.encode())
    return CIPHERTEXT_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(ciphertext: str, *, purpose: str) -> str:
    """Decrypt a value made by ``encrypt``; a tampered value raises ``cryptography``'s InvalidTag."""
    if not ciphertext.startswith(CIPHERTEXT_PREFIX):
        raise ValueError("未知的密文格式。")
    raw = base64.urlsafe_b64decode(ciphertext[len(CIPHERTEXT_PREFIX) :])
    return AESGCM(_keys()[0]).decrypt(raw[:12], raw[12:], purpose.encode()).decode()


def blind_index(normalised: str, *, purpose: str) -> str:
    """A keyed hash for exact-match lookup of a normalised value without storing it in clear."""
    message = purpose.encode() + b"\x00" + normalised.encode()
    return hmac.new(_keys()[1], message, hashlib.sha256).hexdigest()


def mask_id_number(number: str) -> str:
    """The one mask used everywhere: first three and last four characters (``310***********123X``).

    The birth date (digits 7–14) is never shown, so masks on different pages cannot be stitched together.
    """
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_mobile(number: str) -> str:
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
