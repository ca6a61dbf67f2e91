"""Trust bundles: a signed file of issuer controller documents and status list credentials.

Regions and employers verify credentials offline against a bundle instead of fetching anything named
inside a credential. Format (JSON)::

    {"type": "SkillcertTrustBundle", "version": 1, "issued": "<XSD dateTime>", "publisher": "<base URL>",
     "controllers": [<controller document>, ...], "statusLists": [<signed status list credential>, ...],
     "signature": {"type": "Ed25519Signature2026", "publicKeyMultibase": "z6Mk…", "signatureValue": "z…"}}

The signature is Ed25519 over the UTF-8 bytes of the bundle without ``signature``, serialised as JSON
with keys sorted, no whitespace and non-ASCII characters as themselves (``bundle_signing_bytes``). A
bundle is accepted only when its signing key is one the verifier already trusts (pinned), so a forged
bundle with its own key is refused like a tampered one.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillcert.credentials.multikey import (
    MultikeyError,
    base58btc_decode,
    base58btc_encode,
    public_key_from_multibase,
    public_key_multibase,
)

BUNDLE_TYPE = "SkillcertTrustBundle"
BUNDLE_VERSION = 1
SIGNATURE_TYPE = "Ed25519Signature2026"


class TrustBundleError(ValueError):
    """The bundle is malformed, its signature does not verify, or its key is not trusted."""


@dataclass
class TrustStore:
    """What a verifier trusts: controller documents by issuer id, status list credentials by URL."""

    controllers: dict[str, dict] = field(default_factory=dict)
    status_lists: dict[str, dict] = field(default_factory=dict)

    def controller(self, issuer: str) -> dict | None:
        return self.controllers.get(issuer)

    def status_list(self, url: str) -> dict | None:
        return self.status_lists.get(url)


def bundle_signing_bytes(bundle: Mapping[str, Any]) -> bytes:
    unsigned = {key: value for key, value in bundle.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def bundle_sign(
    *,
    controllers: Iterable[dict],
    status_lists: Iterable[dict],
    issued: str,
    publisher: str,
    private_key: Ed25519PrivateKey,
) -> dict:
    bundle: dict[str, Any] = {
        "type": BUNDLE_TYPE,
        "version": BUNDLE_VERSION,
        "issued": issued,
        "publisher": publisher,
        "controllers": list(controllers),
        "statusLists": list(status_lists),
    }
    bundle["signature"] = {
        "type": SIGNATURE_TYPE,
        "publicKeyMultibase": public_key_multibase(private_key.public_key()),
        "signatureValue": base58btc_encode(private_key.sign(bundle_signing_bytes(bundle))),
    }
    return bundle


def bundle_open(bundle: Any, *, trusted_keys: Iterable[str]) -> TrustStore:
    """Check a bundle's signature against the pinned platform keys and return what it vouches for."""
    if not isinstance(bundle, dict) or bundle.get("type") != BUNDLE_TYPE:
        raise TrustBundleError("不是 skillcert 信任包（type 应为 SkillcertTrustBundle）。")
    if bundle.get("version") != BUNDLE_VERSION:
        raise TrustBundleError(f"不支持的信任包版本：{bundle.get('version')!r}。")
    signature = bundle.get("signature")
    if not isinstance(signature, dict) or signature.get("type") != SIGNATURE_TYPE:
        raise TrustBundleError("信任包没有签名。")
    signer = signature.get("publicKeyMultibase")
    if signer not in set(trusted_keys):
        raise TrustBundleError(
            f"信任包的签名公钥 {signer} 不在受信任的平台公钥之列：请核对发布方公布的平台公钥，"
            "并用 --trust-key 指定（或配置 SKILLCERT_CREDENTIALS_TRUSTED_PLATFORM_KEYS）。"
        )
    try:
        public_key = public_key_from_multibase(str(signer))
        public_key.verify(
            base58btc_decode(str(signature.get("signatureValue"))), bundle_signing_bytes(bundle)
        )
    except (MultikeyError, InvalidSignature) as error:
        raise TrustBundleError("信任包签名验证失败：文件在签发后被改动。") from error
    controllers, status_lists = bundle.get("controllers"), bundle.get("statusLists")
    if not isinstance(controllers, list) or not isinstance(status_lists, list):
        raise TrustBundleError("信任包缺少 controllers 或 statusLists。")
    return TrustStore(
        controllers={doc["id"]: doc for doc in controllers if isinstance(doc, dict) and "id" in doc},
        status_lists={doc["id"]: doc for doc in status_lists if isinstance(doc, dict) and "id" in doc},
    )
