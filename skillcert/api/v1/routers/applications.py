"""``/api/v1``: a plan's applications: import the Excel template, register one person, list them.

Mounted at the API root (``api.add_router("/", applications.router)``) because its paths start with
``/plans/{plan_id}/applications``. Plans are looked up through ``plan_get_for_user``: another body's plan
is 404. An import with problems answers 422 with one error per problem, each with ``row`` and ``column``.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from skillcert.accounts.roles import BODY_MANAGER_ROLES, STAFF_ROLES
from skillcert.api.v1.auth import require_roles
from skillcert.api.v1.integers import DatabaseId, RowOffset
from skillcert.api.v1.problems import (
    FieldError,
    Problem,
    problem_responses,
)
from skillcert.core.identifiers import CertificateNumber, parse_certificate_number
from skillcert.evaluation.eligibility import Evidence, PriorCertificate
from skillcert.evaluation.models import Application, Education, TitleRank
from skillcert.evaluation.selectors.applications import application_list_for_plan
from skillcert.evaluation.selectors.plans import plan_get_for_user
from skillcert.evaluation.services.application_import import ImportRejected, application_import
from skillcert.evaluation.services.applications import application_register
from skillcert.evaluation.spreadsheets.reader import MAX_UPLOAD_BYTES

router = Router(tags=["applications"])


class ImportOut(Schema):
    imported: int = Field(description="新建的报名数")
    unchanged: int = Field(description="已报名且信息相同、未变化的行数")
    candidates_created: int = Field(description="新建的考生数")
    sha256: str = Field(description="上传文件的 SHA-256")


class PriorCertificateIn(Schema):
    number: str = Field(max_length=30, description="证书编号（22 位，或 16/13 位旧版编号）")
    issued_on: date


class ApplicationIn(Schema):
    name: str = Field(max_length=60)
    id_type: str = Field(default="resident_id", max_length=20, description="证件类型，默认 resident_id")
    id_number: str = Field(max_length=40)
    mobile: str = Field(default="", max_length=20)
    source: str = Field(
        default="body", pattern="^(body|group)$", description="body 机构登记 / group 团体申报"
    )
    group_name: str = Field(default="", max_length=120)
    work_years: Decimal = Field(default=Decimal(0), ge=0, le=60, decimal_places=1)
    education: Education = Education.NONE
    education_related: bool = False
    graduation_on: date | None = None
    title_rank: TitleRank = TitleRank.NONE
    title_obtained_on: date | None = None
    prior_certificates: list[PriorCertificateIn] = Field(default_factory=list, max_length=10)


class ApplicationOut(Schema):
    id: int
    plan_id: int
    name: str
    id_type: str
    id_number_masked: str = Field(description="脱敏的证件号码")
    status: str = Field(description="eligible / ineligible / withdrawn / submitted")
    eligibility_route: str
    eligibility_explanation: str
    source: str
    group_name: str
    ticket_number: str | None
    result: str
    created_at: datetime


class ApplicationListOut(Schema):
    count: int
    items: list[ApplicationOut]


class ApplicationListQuery(Schema):
    status: str | None = Field(default=None, max_length=12)
    q: str | None = Field(default=None, max_length=40, description="姓名、准考证号或完整证件号码")
    limit: int = Field(default=50, ge=1, le=500)
    offset: RowOffset = 0


def _out(application: Application) -> dict:
    return {
        "id": application.pk,
        "plan_id": application.plan_id,
        "name": application.candidate.name,
        "id_type": application.candidate.id_type,
        "id_number_masked": application.candidate.id_number_masked,
        "status": application.status,
        "eligibility_route": application.eligibility_route,
        "eligibility_explanation": application.eligibility_explanation,
        "source": application.source,
        "group_name": application.group_name,
        "ticket_number": application.ticket_number,
        "result": application.result,
        "created_at": application.created_at,
    }


def upload_size_check(file: UploadedFile) -> None:
    """Refuses a spreadsheet upload over MAX_UPLOAD_BYTES before it is read (422 on the field ``file``)."""
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise Problem(
            status=422, detail=_("文件不能大于 20 MB。"), errors=[FieldError("file", _("文件过大。"))]
        )


def import_rejected(rejected: ImportRejected) -> Problem:
    """A 422 problem naming every problem of a rejected spreadsheet by row, column letter and header."""
    return Problem(
        status=422,
        detail=rejected.message,
        errors=[
            FieldError(p.header or None, p.message, row=p.row, column=p.column) for p in rejected.problems
        ],
    )


@router.post(
    "/plans/{plan_id}/applications/import",
    response={200: ImportOut, **problem_responses(400, 401, 403, 404, 409, 422)},
    url_name="plan_applications_import",
    operation_id="plan_applications_import",
    summary="从 Excel 模板批量登记考生",
    description=(
        "评价机构管理员或考务人员调用，multipart 表单：file（.xlsx，本计划的报名模板），"
        "source（body 机构登记 / group 团体申报），group_name（团体申报单位）。"
        "整个文件校验通过才导入；否则 422，errors 中每项带 row、"
        "column 和 message，不导入任何数据。同一文件重复导入时已报名且信息相同的行计为 unchanged。"
    ),
)
def import_applications(
    request: HttpRequest,
    plan_id: DatabaseId,
    file: File[UploadedFile],
    source: Form[str] = "body",
    group_name: Form[str] = "",
):
    """Imports a filled-in application template for a plan of the caller's body; all rows or none."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    plan = plan_get_for_user(user=user, plan_id=plan_id)
    upload_size_check(file)
    try:
        result = application_import(
            plan=plan,
            content=file.read(),
            filename=file.name or "",
            source=source,
            group_name=group_name,
            actor=user,
            context=request.context,  # type: ignore[attr-defined]
        )
    except ImportRejected as rejected:
        raise import_rejected(rejected) from None
    return 200, {
        "imported": result.imported,
        "unchanged": result.unchanged,
        "candidates_created": result.candidates_created,
        "sha256": result.sha256,
    }


def _certificates(items: list[PriorCertificateIn]) -> tuple[PriorCertificate, ...]:
    certificates = []
    for index, item in enumerate(items):
        try:
            parsed = parse_certificate_number(item.number)
        except ValidationError as error:
            message = error.messages[0]
            raise Problem(
                status=422,
                detail=message,
                errors=[FieldError(f"body.prior_certificates.{index}.number", message)],
            ) from None
        number = parsed.number if isinstance(parsed, CertificateNumber) else parsed.original
        certificates.append(
            PriorCertificate(number=number, level_digit=parsed.level, issued_on=item.issued_on)
        )
    return tuple(certificates)


@router.post(
    "/plans/{plan_id}/applications",
    response={201: ApplicationOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_applications_create",
    operation_id="plan_applications_create",
    summary="登记一名考生",
    description=(
        "按证件号码找到或新建考生并报名本计划，随即按申报条件审核："
        "status 为 eligible（带 eligibility_route 和准考证号）"
        "或 ineligible（eligibility_explanation 说明原因）。名额已满或已报名时 409。"
    ),
)
def create_application(request: HttpRequest, plan_id: DatabaseId, data: ApplicationIn):
    """Registers one person for a plan of the caller's body and decides eligibility."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    plan = plan_get_for_user(user=user, plan_id=plan_id)
    evidence = Evidence(
        work_years=data.work_years,
        education=data.education,
        education_related=data.education_related,
        graduation_on=data.graduation_on,
        title_rank=data.title_rank,
        title_obtained_on=data.title_obtained_on,
        prior_certificates=_certificates(data.prior_certificates),
    )
    application = application_register(
        plan=plan,
        name=data.name,
        id_type=data.id_type,
        id_number=data.id_number,
        mobile=data.mobile,
        evidence=evidence,
        source=data.source,
        group_name=data.group_name,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 201, _out(application)


@router.get(
    "/plans/{plan_id}/applications",
    response={200: ApplicationListOut, **problem_responses(401, 403, 404, 422)},
    url_name="plan_applications_list",
    operation_id="plan_applications_list",
    summary="列出评价计划的报名",
    description="评价机构工作人员看到本机构计划的报名，人社部门工作人员看到辖区内机构计划的报名；证件号码均为脱敏形式。",
)
def list_applications(request: HttpRequest, plan_id: DatabaseId, filters: Query[ApplicationListQuery]):
    """The applications of a plan in the caller's scope, in ticket order, paged by limit/offset."""
    user = require_roles(request, *STAFF_ROLES)
    plan = plan_get_for_user(user=user, plan_id=plan_id)
    applications = application_list_for_plan(plan=plan, status=filters.status or "", search=filters.q or "")
    page = applications[filters.offset : filters.offset + filters.limit]
    return 200, {"count": applications.count(), "items": [_out(a) for a in page]}
