"""``/api/v1/credentials``: a certificate's signed Open Badges 3.0 credential, and the signed trust bundle.

Mounted with ``api.add_router("/credentials", credentials.router)``.
"""

import json

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from skillcert.accounts.roles import AUTHORITY_ROLES
from skillcert.api.v1.auth import api_user, require_roles
from skillcert.api.v1.problems import problem_responses
from skillcert.credentials.selectors import certificate_visible_with_credential
from skillcert.credentials.services import credential_for_certificate, trust_bundle_export

router = Router(tags=["credentials"])

CREDENTIAL_CONTENT_TYPE = "application/vc+ld+json"


def _json_response(document: dict, *, content_type: str) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body.encode(), content_type=f"{content_type}; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    return response


@router.get(
    "/certificates/{number}",
    response={**problem_responses(401, 404)},
    url_name="credential_for_certificate",
    operation_id="credential_for_certificate",
    summary="读取证书的可验证电子凭证",
    description=(
        "返回证书对应的 Open Badges 3.0 凭证（W3C VC 2.0，DataIntegrityProof / eddsa-rdfc-2022 签名）。"
        "持证人本人，或调用者权限范围内（本机构或辖区）的工作人员可读取；其他证书按不存在处理（404）。"
        "凭证不含证件号码，仅含加盐哈希；撤销状态见凭证中的 credentialStatus 所指状态列表。"
    ),
    openapi_extra={
        "responses": {
            "200": {
                "description": "已签名的 OpenBadgeCredential",
                "content": {CREDENTIAL_CONTENT_TYPE: {"schema": {"type": "object"}}},
            }
        }
    },
)
def get_certificate_credential(request: HttpRequest, number: str):
    """The signed credential of one certificate the caller may see; 404 otherwise."""
    user = api_user(request)
    certificate = certificate_visible_with_credential(user=user, number=number.strip().upper())
    if certificate is None:
        raise Http404
    return _json_response(
        credential_for_certificate(certificate=certificate), content_type=CREDENTIAL_CONTENT_TYPE
    )


@router.post(
    "/trust-bundle",
    response={**problem_responses(401, 403)},
    url_name="credential_trust_bundle_export",
    operation_id="credential_trust_bundle_export",
    summary="导出信任包",
    description=(
        "人社部门工作人员调用。导出各评价机构的签发密钥文档和当前撤销状态列表，用平台密钥签名，"
        "供其他地区和用人单位离线验证（skillcert verify-credential --trust）。每次导出写入审计记录。"
    ),
    openapi_extra={
        "responses": {
            "200": {
                "description": "签名的信任包（SkillcertTrustBundle）",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def export_trust_bundle(request: HttpRequest):
    """A freshly signed trust bundle for authority staff."""
    user = require_roles(request, *AUTHORITY_ROLES)
    bundle = trust_bundle_export(actor=user, context=request.context)  # type: ignore[attr-defined]
    return _json_response(bundle, content_type="application/json")
