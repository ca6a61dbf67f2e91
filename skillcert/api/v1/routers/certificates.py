"""``/api/v1``: issue a plan's certificates, list them in the caller's scope, read one, download its PDF,
revoke one or a plan's, reissue a corrected one.

Mounted at the API root (``api.add_router("/", certificates.router)``) because its paths span
``/plans/{plan_id}/certificates/issue`` and ``/certificates``.
"""

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from skillcert.accounts.roles import STAFF_ROLES, Role
from skillcert.api.v1.auth import api_user, require_roles
from skillcert.api.v1.integers import DatabaseId, RowOffset
from skillcert.api.v1.problems import problem_responses
from skillcert.certificates import selectors
from skillcert.certificates.models import Certificate
from skillcert.certificates.pdf import certificate_pdf_filename
from skillcert.certificates.permissions import REISSUER_ROLES, REVOKER_ROLES, revoker_kind
from skillcert.certificates.services import (
    certificate_pdf_download,
    certificate_reissue,
    certificate_revoke,
    certificates_issue_for_plan,
    certificates_revoke_for_plan,
)
from skillcert.certificates.services.revoke import REASON_MAX_LENGTH, REASON_MIN_LENGTH

router = Router(tags=["certificates"])


class CertificateIssueOut(Schema):
    plan_id: int
    plan_number: str
    plan_status: str = Field(description="发证后为 issued")
    count: int = Field(description="本次发放的证书数量")
    first_number: str | None
    last_number: str | None


class CertificateOut(Schema):
    number: str = Field(description="22 位证书编号")
    status: str = Field(description="valid 有效 / revoked 已撤销")
    holder_name: str
    holder_id_type: str
    id_number_masked: str = Field(description="脱敏的证件号码，完整号码不经接口提供")
    occupation_code: str
    occupation_name: str
    job_type_name: str = Field(description="无工种时为 --")
    level_code: str
    level_label: str
    body_name: str
    province_code: str
    issue_date: date
    revoked_at: datetime | None
    plan_id: int
    plan_number: str


class CertificateListOut(Schema):
    count: int
    items: list[CertificateOut]


class CertificateListQuery(Schema):
    plan_id: DatabaseId | None = Field(default=None, description="只列出该评价计划的证书")
    q: str | None = Field(default=None, max_length=60, description="证书编号（前缀）或姓名")
    level: str | None = Field(default=None, max_length=16, description="等级代码，如 L3")
    year: int | None = Field(default=None, ge=2019, le=2100, description="发证年份")
    limit: int = Field(default=50, ge=1, le=200)
    offset: RowOffset = 0


def _certificate_out(certificate: Certificate) -> dict:
    return {
        "number": certificate.number,
        "status": certificate.status,
        "holder_name": certificate.holder_name,
        "holder_id_type": certificate.holder_id_type,
        "id_number_masked": certificate.candidate.id_number_masked,
        "occupation_code": certificate.occupation.code,
        "occupation_name": certificate.occupation_name,
        "job_type_name": certificate.job_type_name,
        "level_code": certificate.level_id,
        "level_label": certificate.level.label,
        "body_name": certificate.body_name,
        "province_code": certificate.province_code,
        "issue_date": certificate.issue_date,
        "revoked_at": certificate.revoked_at,
        "plan_id": certificate.application.plan_id,
        "plan_number": certificate.application.plan.number,
    }


@router.post(
    "/plans/{plan_id}/certificates/issue",
    response={201: CertificateIssueOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_certificates_issue",
    operation_id="plan_certificates_issue",
    summary="为评价计划的合格考生发放证书",
    description=(
        "评价机构管理员调用。计划须处于“结果已核准”状态（否则 409），一次为全部合格考生生成证书编号并发证，"
        "计划状态变为“证书已发放”。全部成功或全部不发。其他机构的计划按不存在处理（404）。"
    ),
)
def issue_plan_certificates(request: HttpRequest, plan_id: DatabaseId):
    """Issues every passed candidate's certificate of a results-approved plan of the caller's body."""
    user = require_roles(request, Role.BODY_ADMIN)
    plan = get_object_or_404(selectors.plan_list_for_issuer(user=user), pk=plan_id)
    certificates = certificates_issue_for_plan(plan=plan, actor=user, context=request.context)  # type: ignore[attr-defined]
    return 201, {
        "plan_id": plan.pk,
        "plan_number": plan.number,
        "plan_status": "issued",
        "count": len(certificates),
        "first_number": certificates[0].number if certificates else None,
        "last_number": certificates[-1].number if certificates else None,
    }


@router.get(
    "/certificates",
    response={200: CertificateListOut, **problem_responses(401, 403, 422)},
    url_name="certificate_list",
    operation_id="certificate_list",
    summary="查询证书",
    description="评价机构工作人员看到本机构的证书，人社部门工作人员看到辖区内机构的证书。证件号码均为脱敏形式。",
)
def list_certificates(request: HttpRequest, filters: Query[CertificateListQuery]):
    """Certificates in the caller's scope, newest first, filtered and paged by limit/offset."""
    user = require_roles(request, *STAFF_ROLES)
    certificates = selectors.certificate_search(
        certificates=selectors.certificate_list_for_staff(user=user).select_related("occupation"),
        q=filters.q or "",
        plan_id=filters.plan_id,
        level_code=filters.level or "",
        year=filters.year,
    )
    page = certificates[filters.offset : filters.offset + filters.limit]
    return 200, {"count": certificates.count(), "items": [_certificate_out(c) for c in page]}


@router.get(
    "/certificates/{number}",
    response={200: CertificateOut, **problem_responses(401, 403, 404)},
    url_name="certificate_detail",
    operation_id="certificate_detail",
    summary="按证书编号读取一本证书",
    description="只返回调用者权限范围内的证书；范围外的证书按不存在处理（404）。",
)
def get_certificate(request: HttpRequest, number: str):
    """One certificate in the caller's scope by its number; 404 outside the scope."""
    user = require_roles(request, *STAFF_ROLES)
    certificates = selectors.certificate_list_for_staff(user=user).select_related("occupation")
    return 200, _certificate_out(get_object_or_404(certificates, number=number.strip().upper()))


def _number(number: str) -> str:
    return number.strip().upper()


@router.get(
    "/certificates/{number}/pdf",
    response={**problem_responses(401, 404)},
    url_name="certificate_pdf",
    operation_id="certificate_pdf",
    summary="下载证书 PDF",
    description=(
        "持证人本人，或发证评价机构的管理员、考务人员可下载；其他人按不存在处理（404）。"
        "PDF 印有完整证件号码，每次下载都写入审计记录。"
        "同一证书的 PDF 内容逐字节相同；已撤销的证书加印“已撤销”。"
    ),
    openapi_extra={
        "responses": {
            "200": {
                "description": "A4 单页 PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_certificate_pdf(request: HttpRequest, number: str):
    """The certificate's PDF for its holder or the issuing body's admin and exam staff; 404 otherwise."""
    user = api_user(request)
    certificate = get_object_or_404(selectors.certificate_list_printable(user=user), number=_number(number))
    pdf = certificate_pdf_download(certificate=certificate, actor=user, context=request.context)  # type: ignore[attr-defined]
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_pdf_filename(certificate)}"'
    response["Cache-Control"] = "no-store, private"
    return response


class CertificateRevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=REASON_MIN_LENGTH, max_length=REASON_MAX_LENGTH, description="撤销原因，至少 4 个字"
    )


class CertificateRevokeOut(Schema):
    number: str
    status: str = Field(description="revoked")
    revoked_at: datetime
    revocation_reason: str
    revoked_by: str = Field(description="body 评价机构撤销 / authority 人社部门撤销（处罚）")


@router.post(
    "/certificates/{number}/revoke",
    response={200: CertificateRevokeOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="certificate_revoke",
    operation_id="certificate_revoke",
    summary="撤销证书",
    description=(
        "发证评价机构管理员，或辖区覆盖该机构的人社部门备案审核员、督导员、管理员（作为处罚）调用。"
        "范围外的证书按不存在处理（404）；已撤销的证书答 409。公开查询记录与电子证书状态同步更新。"
    ),
)
def revoke_certificate(request: HttpRequest, number: str, data: CertificateRevokeIn):
    """Revokes one certificate in the caller's scope with a reason."""
    user = require_roles(request, *REVOKER_ROLES)
    certificate = get_object_or_404(selectors.certificate_list_revocable(user=user), number=_number(number))
    certificate = certificate_revoke(
        certificate=certificate,
        reason=data.reason,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 200, {
        "number": certificate.number,
        "status": certificate.status,
        "revoked_at": certificate.revoked_at,
        "revocation_reason": certificate.revocation_reason,
        "revoked_by": str(revoker_kind(actor=user, body=certificate.tenant)),
    }


class PlanCertificatesRevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=REASON_MIN_LENGTH, max_length=REASON_MAX_LENGTH, description="撤销原因，至少 4 个字"
    )


class PlanCertificatesRevokeOut(Schema):
    plan_id: int
    plan_number: str
    count: int = Field(description="本次撤销的证书数量")
    numbers: list[str]


@router.post(
    "/plans/{plan_id}/certificates/revoke",
    response={200: PlanCertificatesRevokeOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_certificates_revoke",
    operation_id="plan_certificates_revoke",
    summary="批量撤销评价计划的全部有效证书",
    description="权限同撤销单本证书。计划没有有效证书时答 409。",
)
def revoke_plan_certificates(request: HttpRequest, plan_id: DatabaseId, data: PlanCertificatesRevokeIn):
    """Revokes every valid certificate of a plan in the caller's scope with one reason."""
    user = require_roles(request, *REVOKER_ROLES)
    plan = get_object_or_404(selectors.plan_list_for_revoker(user=user), pk=plan_id)
    revoked = certificates_revoke_for_plan(
        plan=plan,
        reason=data.reason,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 200, {
        "plan_id": plan.pk,
        "plan_number": plan.number,
        "count": len(revoked),
        "numbers": sorted(certificate.number for certificate in revoked),
    }


class CertificateCorrectionsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    holder_name: str | None = Field(default=None, max_length=60, description="更正后的姓名")
    job_type_name: str | None = Field(
        default=None, max_length=80, description="更正后的工种/职业方向；无工种时为 --"
    )


class CertificateReissueIn(Schema):
    model_config = ConfigDict(extra="forbid")

    corrections: CertificateCorrectionsIn
    reason: str = Field(
        min_length=REASON_MIN_LENGTH, max_length=REASON_MAX_LENGTH, description="更正原因，至少 4 个字"
    )


class CertificateReissueOut(Schema):
    number: str = Field(description="新证书编号")
    replaces: str = Field(description="被替代（已撤销）的原证书编号")
    holder_name: str
    job_type_name: str
    issue_date: date
    status: str


@router.post(
    "/certificates/{number}/reissue",
    response={201: CertificateReissueOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="certificate_reissue",
    operation_id="certificate_reissue",
    summary="更正换发证书",
    description=(
        "发证评价机构管理员调用。生成一本更正姓名或工种的新证书（新编号，发证日期为今天），"
        "原证书以更正原因撤销并指向新证书。已撤销的证书答 409；没有实际更正答 422。"
    ),
)
def reissue_certificate(request: HttpRequest, number: str, data: CertificateReissueIn):
    """Reissues a corrected certificate of the caller's body; the old one is revoked and replaced."""
    user = require_roles(request, *REISSUER_ROLES)
    certificate = get_object_or_404(selectors.certificate_list_reissuable(user=user), number=_number(number))
    corrections = data.corrections.model_dump(exclude_none=True)
    new = certificate_reissue(
        certificate=certificate,
        corrections=corrections,
        reason=data.reason,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 201, {
        "number": new.number,
        "replaces": certificate.number,
        "holder_name": new.holder_name,
        "job_type_name": new.job_type_name,
        "issue_date": new.issue_date,
        "status": new.status,
    }
