"""Ed25519 keys as Multikey strings (Controlled Identifiers 1.0): ``z`` + base58btc(multicodec prefix + key).

Public keys carry the ``ed25519-pub`` prefix 0xed 0x01 (so they always start ``z6Mk``); secret seeds the
``ed25519-priv`` prefix 0x80 0x26 (``z3u2``). Any other prefix is refused, as the spec requires.
"""

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PUBLIC_PREFIX = b"\xed\x01"
SECRET_PREFIX = b"\x80\x26"


class MultikeyError(ValueError):
    pass


def base58btc_encode(data: bytes) -> str:
    """Multibase base58btc: the ``z`` prefix and the Bitcoin alphabet."""
    return "z" + base58.b58encode(data).decode("ascii")


def base58btc_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise MultikeyError("not a base58btc multibase value")
    try:
        return base58.b58decode(text[1:])
    except ValueError as error:
        raise MultikeyError("invalid base58btc") from error


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    return base58btc_encode(PUBLIC_PREFIX + public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    raw = base58btc_decode(text)
    if len(raw) != 34 or raw[:2] != PUBLIC_PREFIX:
        raise MultikeyError("not an Ed25519 Multikey public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def secret_key_multibase(seed: bytes) -> str:
    return base58btc_encode(SECRET_PREFIX + seed)


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    raw = base58btc_decode(text)
    if len(raw) != 34 or raw[:2] != SECRET_PREFIX:
        raise MultikeyError("not an Ed25519 Multikey secret key")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])
