"""The JSON-LD documents we publish: issuer controller documents, status list credentials, certificates.

Unsigned builders only; signing is in ``services``. Addresses are absolute, on ``PUBLIC_BASE_URL``: the
issuer of a body's credentials is ``{PUBLIC_BASE_URL}/issuers/{credit code}`` (the body's unified social
credit code, which never changes), and that address serves the body's controller document.
"""

import uuid
from datetime import UTC, date, datetime, time
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from skillcert.certificates.models import Certificate
from skillcert.credentials.bitstring import bitstring_encode
from skillcert.credentials.models import CredentialEntry, IssuerKey, StatusList
from skillcert.registry.models import Body

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_CONTEXT = [VC_CONTEXT, OB_CONTEXT]
# The form both the Digital Bazaar verifier and 1EdTech's validator accept (credentials.md §2.5).
CONTROLLER_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
OCCUPATION_FRAMEWORK = "中华人民共和国职业分类大典"
RESIDENT_ID = "resident_id"


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def xsd_datetime(moment: datetime) -> str:
    """An XSD dateTime in UTC with seconds precision: ``2025-06-01T00:00:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in the installation's time zone (a certificate is valid from its issue date)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


# Built here rather than with reverse(): these addresses are identifiers inside signed credentials and
# must not change with the URL configuration (credentials.urls serves them, mounted at the root).
def issuer_id(*, body: Body) -> str:
    return _absolute(f"/issuers/{body.credit_code}")


def verification_method_id(*, body: Body, key: IssuerKey) -> str:
    return f"{issuer_id(body=body)}#{key.public_key_multibase}"


def status_list_id(*, status_list: StatusList, body: Body) -> str:
    return _absolute(f"/issuers/{body.credit_code}/status/{status_list.sequence}")


def controller_document(*, body: Body, keys: list[IssuerKey]) -> dict:
    """The body's controller document: every key it ever had, so old credentials keep verifying."""
    controller = issuer_id(body=body)
    methods = [
        {
            "id": verification_method_id(body=body, key=key),
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": CONTROLLER_CONTEXT,
        "id": controller,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def status_list_credential(*, status_list: StatusList, body: Body, valid_from: datetime) -> dict:
    """The unsigned BitstringStatusListCredential of a list, with its current bits."""
    list_id = status_list_id(status_list=status_list, body=body)
    return {
        "@context": [VC_CONTEXT],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(body=body),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": bitstring_encode(bytes(status_list.bits)),
        },
    }


def identity_type(id_type: str) -> str:
    """OB 3.0 identityType of an ID type: resident ID cards are national identity numbers."""
    return "nationalIdentityNumber" if id_type == RESIDENT_ID else f"ext:{id_type}"


def achievement_id(*, certificate: Certificate) -> str:
    path = f"/achievements/{certificate.occupation.code}/{certificate.level_id}"
    if certificate.job_type_name and certificate.job_type_name != "--":
        path += "/" + quote(certificate.job_type_name, safe="")
    return _absolute(path)


def certificate_credential(
    *,
    certificate: Certificate,
    entry: CredentialEntry,
    status_list: StatusList,
    valid_until: datetime | None = None,
) -> dict:
    """The unsigned OpenBadgeCredential of a certificate (credentials.md §1.3)."""
    body = certificate.tenant
    occupation = certificate.occupation
    level = certificate.level
    has_job_type = bool(certificate.job_type_name) and certificate.job_type_name != "--"
    job_part = f"（{certificate.job_type_name}）" if has_job_type else ""
    title = f"{certificate.occupation_name}{job_part} {level.label}"
    issued = xsd_datetime(local_midnight(certificate.issue_date))
    list_url = status_list_id(status_list=status_list, body=body)
    credential: dict = {
        "@context": CREDENTIAL_CONTEXT,
        "id": entry_urn(entry.credential_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"职业技能等级证书：{title}",
        "description": f"{certificate.body_name}颁发的职业技能等级证书，证书编号 {certificate.number}。",
        "issuer": {
            "id": issuer_id(body=body),
            "type": ["Profile"],
            "name": certificate.body_name,
            "url": _absolute(reverse("registry:body_public", args=[body.credit_code])),
        },
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                },
                # The salt stays with the platform and the holder: an ID number has so little entropy that
                # a hash published beside its salt gives the number back to anyone who scans the QR code.
                # Without the salt the hash only confirms an ID number that the holder chooses to show.
                {
                    "type": "IdentityObject",
                    "identityType": identity_type(certificate.holder_id_type),
                    "hashed": True,
                    "identityHash": entry.identity_hash,
                },
            ],
            "licenseNumber": certificate.number,
            "achievement": {
                "id": achievement_id(certificate=certificate),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": title,
                "description": (
                    f"职业技能等级证书：{certificate.occupation_name}（职业编码 {occupation.code}）"
                    f"{job_part}，职业技能等级 {level.label}。"
                ),
                "criteria": {
                    "narrative": "按国家职业技能标准参加职业技能等级认定，各考核科目成绩均达到合格标准。"
                },
                "humanCode": f"{occupation.code}/{level.label}",
                "inLanguage": "zh-CN",
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": certificate.occupation_name,
                        "targetUrl": _absolute(reverse("reference:occupations")) + f"?q={occupation.code}",
                        "targetFramework": f"{OCCUPATION_FRAMEWORK}（{occupation.edition}年版）",
                        "targetCode": occupation.code,
                    }
                ],
            },
        },
        "credentialStatus": {
            "id": f"{list_url}#{entry.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": status_list.purpose,
            "statusListIndex": str(entry.status_index),
            "statusListCredential": list_url,
        },
    }
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    return credential


def entry_urn(credential_id: uuid.UUID) -> str:
    return f"urn:uuid:{credential_id}"
