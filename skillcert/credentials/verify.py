"""Offline verification of a credential against what the verifier trusts (a bundle or the local database).

Order of checks: shape → issuer and key (only from the trust store, never from an address in the
credential) → proof → dates → status (fail closed: a missing, unverifiable, wrong-purpose or too short
status list makes the credential unverifiable, not valid). The verdict's ``code`` is for programs, its
``message`` (Chinese) for people.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.utils.translation import gettext as _

from skillcert.credentials.bitstring import MIN_ENTRIES, BitstringError, bit_get, bitstring_decode
from skillcert.credentials.linked_data import LinkedDataError, UnmappedTermsError
from skillcert.credentials.multikey import MultikeyError, public_key_from_multibase
from skillcert.credentials.proofs import ProofError, proof_of, proof_verify

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"

VALID = "valid"
MALFORMED = "malformed"
TAMPERED = "tampered"
UNKNOWN_ISSUER = "unknown_issuer"
UNKNOWN_KEY = "unknown_key"
REVOKED = "revoked"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
STATUS_UNAVAILABLE = "status_unavailable"


class Trust(Protocol):
    def controller(self, issuer: str) -> dict | None: ...

    def status_list(self, url: str) -> dict | None: ...


@dataclass(frozen=True, slots=True)
class Verdict:
    code: str
    message: str

    @property
    def valid(self) -> bool:
        return self.code == VALID


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.verdict = Verdict(code, message)


def _parse_time(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise _Invalid(MALFORMED, _("凭证格式错误：%(field)s 缺失或不是日期时间。") % {"field": name})
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise _Invalid(
            MALFORMED,
            _("凭证格式错误：%(field)s 不是合法的日期时间：%(value)s") % {"field": name, "value": value},
        ) from error
    if moment.tzinfo is None:
        raise _Invalid(MALFORMED, _("凭证格式错误：%(field)s 没有时区。") % {"field": name})
    return moment


def _issuer_id(document: Mapping[str, Any]) -> str:
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise _Invalid(MALFORMED, _("凭证格式错误：缺少签发机构（issuer）。"))
    return issuer_id


def _signing_key(document: Mapping[str, Any], *, trust: Trust, issuer: str):
    """The public key of the proof's verification method, taken only from the issuer's trusted document."""
    try:
        proof = proof_of(document)
    except ProofError as error:
        raise _Invalid(
            MALFORMED, _("凭证格式错误：没有 eddsa-rdfc-2022 数据完整性证明（%(e)s）。") % {"e": error}
        ) from error
    method_id = proof["verificationMethod"]
    controller_id = method_id.split("#", 1)[0]
    if controller_id != issuer:
        raise _Invalid(
            UNKNOWN_KEY,
            _("签名密钥 %(method)s 不属于凭证上的签发机构 %(issuer)s。")
            % {"method": method_id, "issuer": issuer},
        )
    controller = trust.controller(issuer)
    if controller is None or controller.get("id") != issuer:
        raise _Invalid(
            UNKNOWN_ISSUER,
            _("未知的签发机构：信任来源中没有 %(issuer)s 的密钥文档，无法确认签名者。") % {"issuer": issuer},
        )
    methods = [m for m in controller.get("verificationMethod") or [] if isinstance(m, dict)]
    method = next((m for m in methods if m.get("id") == method_id), None)
    if (
        method is None
        or method.get("controller") != issuer
        or method.get("type") != "Multikey"
        or method_id not in (controller.get("assertionMethod") or [])
    ):
        raise _Invalid(
            UNKNOWN_KEY,
            _("未知的签名密钥：%(method)s 不在签发机构 %(issuer)s 公布的签发密钥之列。")
            % {"method": method_id, "issuer": issuer},
        )
    try:
        return public_key_from_multibase(str(method.get("publicKeyMultibase")))
    except MultikeyError as error:
        raise _Invalid(
            UNKNOWN_KEY, _("签发机构公布的密钥 %(method)s 不是 Ed25519 Multikey。") % {"method": method_id}
        ) from error


def _check_proof(document: Mapping[str, Any], *, trust: Trust, issuer: str, what: str) -> None:
    public_key = _signing_key(document, trust=trust, issuer=issuer)
    try:
        ok = proof_verify(document=document, public_key=public_key)
    except UnmappedTermsError as error:
        raise _Invalid(
            MALFORMED,
            _("%(what)s格式错误：含有上下文未定义的字段或相对地址（%(terms)s），这些内容不受签名保护。")
            % {"what": what, "terms": ", ".join(error.terms)},
        ) from error
    except (LinkedDataError, ProofError) as error:
        raise _Invalid(MALFORMED, _("%(what)s格式错误：%(e)s") % {"what": what, "e": error}) from error
    if not ok:
        raise _Invalid(TAMPERED, _("%(what)s签名验证失败：内容在签发后被改动，或签名无效。") % {"what": what})


def _check_dates(document: Mapping[str, Any], *, at: datetime) -> None:
    valid_from = _parse_time(document.get("validFrom"), "validFrom")
    if at < valid_from:
        raise _Invalid(
            NOT_YET_VALID, _("凭证尚未生效：自 %(when)s 起有效。") % {"when": document["validFrom"]}
        )
    if "validUntil" in document:
        valid_until = _parse_time(document.get("validUntil"), "validUntil")
        if at > valid_until:
            raise _Invalid(EXPIRED, _("凭证已过期：有效期至 %(when)s。") % {"when": document["validUntil"]})


def _check_status(document: Mapping[str, Any], *, trust: Trust, issuer: str) -> None:
    statuses = document.get("credentialStatus")
    if statuses is None:
        return
    for entry in statuses if isinstance(statuses, list) else [statuses]:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            raise _Invalid(MALFORMED, _("凭证格式错误：credentialStatus 不是 BitstringStatusListEntry。"))
        url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
        try:
            index = int(str(entry.get("statusListIndex")), 10)
        except ValueError as error:
            raise _Invalid(MALFORMED, _("凭证格式错误：statusListIndex 不是十进制整数。")) from error
        unavailable = _("无法确认撤销状态（状态列表 %(url)s）：") % {"url": url}
        status_list = trust.status_list(str(url))
        if status_list is None:
            raise _Invalid(STATUS_UNAVAILABLE, unavailable + _("信任来源中没有该状态列表。"))
        if _issuer_id(status_list) != issuer:
            raise _Invalid(STATUS_UNAVAILABLE, unavailable + _("状态列表的签发机构与凭证不一致。"))
        try:
            _check_proof(status_list, trust=trust, issuer=issuer, what=_("状态列表"))
        except _Invalid as error:
            raise _Invalid(STATUS_UNAVAILABLE, unavailable + error.verdict.message) from error
        # A list states the current status: only its own expiry matters (a stale list fails closed),
        # judged by the clock, not by the moment ``at`` the credential is judged at.
        if "validUntil" in status_list and datetime.now(UTC) > _parse_time(
            status_list["validUntil"], "validUntil"
        ):
            raise _Invalid(STATUS_UNAVAILABLE, unavailable + _("状态列表已过期，请取得新的信任包。"))
        subject = status_list.get("credentialSubject") or {}
        if subject.get("statusPurpose") != purpose:
            raise _Invalid(STATUS_UNAVAILABLE, unavailable + _("状态列表的用途与凭证不一致。"))
        try:
            bits = bitstring_decode(str(subject.get("encodedList")))
        except BitstringError as error:
            raise _Invalid(STATUS_UNAVAILABLE, unavailable + _("状态位无法解码。")) from error
        if len(bits) * 8 < MIN_ENTRIES or not 0 <= index < len(bits) * 8:
            raise _Invalid(STATUS_UNAVAILABLE, unavailable + _("状态列表过短或序号越界。"))
        if bit_get(bits, index):
            if purpose == "revocation":
                raise _Invalid(
                    REVOKED,
                    _("证书已撤销（状态列表 %(url)s 第 %(index)d 位）。") % {"url": url, "index": index},
                )
            raise _Invalid(REVOKED, _("证书已暂停（%(purpose)s）。") % {"purpose": purpose})


def credential_verify(credential: Any, *, trust: Trust, at: datetime | None = None) -> Verdict:
    """Verify a credential offline: proof, issuer key, dates and status, all against ``trust``."""
    at = at or datetime.now(UTC)
    try:
        if not isinstance(credential, dict):
            raise _Invalid(MALFORMED, _("凭证格式错误：不是 JSON 对象。"))
        contexts = credential.get("@context")
        if not isinstance(contexts, list) or not contexts or contexts[0] != VC_CONTEXT:
            raise _Invalid(
                MALFORMED, _("凭证格式错误：@context 的第一项应为 %(url)s。") % {"url": VC_CONTEXT}
            )
        types = credential.get("type")
        if not isinstance(types, list) or "VerifiableCredential" not in types:
            raise _Invalid(MALFORMED, _("凭证格式错误：type 应包含 VerifiableCredential。"))
        issuer = _issuer_id(credential)
        _check_proof(credential, trust=trust, issuer=issuer, what=_("凭证"))
        _check_dates(credential, at=at)
        _check_status(credential, trust=trust, issuer=issuer)
    except _Invalid as invalid:
        return invalid.verdict
    name = credential.get("name") or ""
    return Verdict(
        VALID, _("凭证有效：签名正确，签发机构密钥可信，未被撤销，在有效期内。%(name)s") % {"name": name}
    )
