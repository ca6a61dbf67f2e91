"""Filing applications for enterprise systems: a body administrator submits a whole application in one
call (``POST /filings``); the district authority approves, returns or rejects it.

The public directory of filed bodies (``GET /bodies``) is in ``routers/directory.py``.
"""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from skillcert.accounts.roles import FILING_AUTHORITY_ROLES, Role
from skillcert.api.v1.auth import api_user, require_roles
from skillcert.api.v1.integers import DatabaseId
from skillcert.api.v1.problems import FieldError, Problem, problem_responses
from skillcert.reference.models import JobType, Occupation, Region, SkillLevel
from skillcert.registry import selectors, services
from skillcert.registry.models import FiledScope, FilingApplication

router = Router(tags=["registry"])


# ---- schemas --------------------------------------------------------------------------------------


class DetailsIn(Schema):
    body_name: str = Field(max_length=120)
    credit_code: str = Field(max_length=30)
    body_kind: Literal["Y", "S"]
    district: str = Field(max_length=6, description="所在区代码，如 310115")
    address: str = Field(max_length=200)
    contact_name: str = Field(max_length=40)
    contact_phone: str = Field(max_length=20)


class SiteIn(Schema):
    name: str = Field(max_length=120)
    address: str = Field(max_length=200)
    district: str = Field(max_length=6)


class ScopeKeyIn(Schema):
    occupation: str = Field(max_length=12, description="职业编码，如 6-18-02-04")
    job_type: str | None = Field(default=None, max_length=80, description="工种名称；无工种留空")
    level: str = Field(max_length=16, description="等级代码，L5（五级）至 L1（一级）")


class ScopeIn(ScopeKeyIn):
    examiners: int = Field(ge=0, le=9999)
    internal_supervisors: int = Field(ge=0, le=9999)
    question_bank: str = Field(max_length=200)
    equipment: str = Field(max_length=2000)


class FilingIn(Schema):
    details: DetailsIn | None = Field(
        default=None, description="首次备案的机构基本信息；省略则沿用注册时填写的信息。变更申请忽略此项。"
    )
    sites: list[SiteIn] = Field(default_factory=list, description="首次备案的全部站点；变更申请中为新增站点")
    scope: list[ScopeIn] = Field(default_factory=list, description="申请（新增）的备案范围")
    withdraw: list[ScopeKeyIn] = Field(default_factory=list, description="变更申请中要撤回的现有备案范围")


class FilingSiteOut(Schema):
    id: int
    name: str
    address: str
    district: str
    sequence_code: str | None


class FilingScopeOut(Schema):
    occupation: str
    occupation_name: str
    job_type: str | None
    level: str
    examiners: int
    internal_supervisors: int
    question_bank: str
    equipment: str


class ScopeKeyOut(Schema):
    occupation: str
    job_type: str | None
    level: str


class FilingOut(Schema):
    id: int
    kind: Literal["initial", "scope_change"]
    status: Literal["draft", "submitted", "returned", "approved", "rejected"]
    body_name: str
    credit_code: str
    body_kind: Literal["Y", "S"]
    district: str
    address: str
    contact_name: str
    contact_phone: str
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_reason: str
    sites: list[FilingSiteOut]
    scope: list[FilingScopeOut]
    withdraw: list[ScopeKeyOut]


class SiteCodeIn(Schema):
    id: DatabaseId = Field(description="申请中站点的 id（见 GET /filings/{id} 的 sites）")
    sequence_code: str = Field(max_length=6, description="6 位站点序列码")


class ApproveIn(Schema):
    body_code: str = Field(default="0000", max_length=4, description="评价机构代码；本省（市）备案为 0000")
    sites: list[SiteCodeIn] = Field(default_factory=list, description="省略的站点使用建议的下一个可用序列码")


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


# ---- helpers --------------------------------------------------------------------------------------


def _problem_from(error: ValidationError) -> Problem:
    """A 422 naming each field by its JSON path in the request body."""
    renamed = {"site_codes": "sites", "__all__": None}
    errors = [
        FieldError(
            None if field == "__all__" else "body." + (renamed.get(field) or field),
            message,
        )
        for field, messages in error.message_dict.items()
        for message in messages
    ]
    detail = errors[0].message if len(errors) == 1 else _("请求数据未通过校验，请查看 errors 中列出的字段。")
    return Problem(status=422, detail=detail, errors=errors)


class _Resolver:
    """Turns codes in the request into reference rows, collecting an error per unknown code."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def district(self, code: str, field: str) -> Region | None:
        region = Region.objects.filter(code=code).first()
        if region is None:
            self.errors.append(FieldError(field, _("没有代码为“%(code)s”的区。") % {"code": code}))
        return region

    def scope_key(self, item: ScopeKeyIn, field: str) -> tuple[Occupation, JobType | None, SkillLevel] | None:
        occupation = Occupation.objects.filter(code=item.occupation.strip()).first()
        level = SkillLevel.objects.filter(code=item.level.strip()).first()
        if occupation is None:
            self.errors.append(
                FieldError(f"{field}.occupation", _("职业目录中没有“%(code)s”。") % {"code": item.occupation})
            )
        if level is None:
            self.errors.append(
                FieldError(f"{field}.level", _("没有代码为“%(code)s”的等级。") % {"code": item.level})
            )
        job_type = None
        if occupation is not None and item.job_type:
            job_type = JobType.objects.filter(occupation=occupation, name=item.job_type.strip()).first()
            if job_type is None:
                self.errors.append(
                    FieldError(
                        f"{field}.job_type",
                        _("职业“%(occupation)s”下没有工种“%(name)s”。")
                        % {"occupation": occupation.name, "name": item.job_type},
                    )
                )
        if occupation is None or level is None or (item.job_type and job_type is None):
            return None
        return occupation, job_type, level

    def raise_if_any(self) -> None:
        if self.errors:
            detail = (
                self.errors[0].message
                if len(self.errors) == 1
                else _("请求数据未通过校验，请查看 errors 中列出的字段。")
            )
            raise Problem(status=422, detail=detail, errors=self.errors)


def _filing_out(application: FilingApplication) -> FilingOut:
    fields: dict[str, Any] = {
        "id": application.pk,
        "kind": application.kind,
        "status": application.status,
        "body_name": application.body_name,
        "credit_code": application.credit_code,
        "body_kind": application.body_kind,
        "district": application.district_id,
        "address": application.address,
        "contact_name": application.contact_name,
        "contact_phone": application.contact_phone,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "decision_reason": application.decision_reason,
        "sites": [
            FilingSiteOut(
                id=site.pk,
                name=site.name,
                address=site.address,
                district=site.district_id,
                sequence_code=site.site.sequence_code if site.site else None,
            )
            for site in application.sites.all()
        ],
        "scope": [
            FilingScopeOut(
                occupation=row.occupation.code,
                occupation_name=row.occupation.name,
                job_type=row.job_type.name if row.job_type else None,
                level=row.level_id,
                examiners=row.examiners,
                internal_supervisors=row.internal_supervisors,
                question_bank=row.question_bank,
                equipment=row.equipment,
            )
            for row in application.scope_requests.all()
        ],
        "withdraw": [
            ScopeKeyOut(
                occupation=row.occupation.code,
                job_type=row.job_type.name if row.job_type else None,
                level=row.level_id,
            )
            for row in application.scope_withdrawals.all()
        ],
    }
    return FilingOut(**fields)


def _filing_for(request: HttpRequest, filing_id: int) -> FilingOut:
    return _filing_out(selectors.filing_get_for_user(user=api_user(request), pk=filing_id))


# ---- filing applications --------------------------------------------------------------------------


@router.post(
    "/filings",
    response={201: FilingOut, **problem_responses(401, 403, 409, 422)},
    url_name="registry_filing_submit",
    operation_id="registry_filing_submit",
    summary="提交备案申请",
    description=(
        "机构管理员一次提交完整的备案申请（基本信息、站点、备案范围）并送审。未备案机构为首次备案，"
        "已备案机构为备案范围变更（可新增范围、新增站点、撤回现有范围）。"
        "校验错误以 422 返回，errors 指明字段。"
    ),
)
def filing_submit(request: HttpRequest, data: FilingIn):
    user = require_roles(request, Role.BODY_ADMIN)
    body = user.body
    if body is None:
        raise Problem(status=403, detail=_("当前账号未关联评价机构。"))
    resolve = _Resolver()
    details = None
    if data.details is not None:
        district = resolve.district(data.details.district, "body.details.district")
        details = services.BodyDetails(
            body_name=data.details.body_name,
            credit_code=data.details.credit_code,
            body_kind=data.details.body_kind,
            district=district,
            address=data.details.address,
            contact_name=data.details.contact_name,
            contact_phone=data.details.contact_phone,
        )
    sites = [
        services.SiteDeclaration(
            name=site.name,
            address=site.address,
            district=resolve.district(site.district, f"body.sites.{index}.district"),
        )
        for index, site in enumerate(data.sites)
    ]
    scope: list[services.ScopeDeclaration] = []
    for index, row in enumerate(data.scope):
        key = resolve.scope_key(row, f"body.scope.{index}")
        if key is not None:
            scope.append(
                services.ScopeDeclaration(
                    occupation=key[0],
                    job_type=key[1],
                    level=key[2],
                    examiners=row.examiners,
                    internal_supervisors=row.internal_supervisors,
                    question_bank=row.question_bank,
                    equipment=row.equipment,
                )
            )
    withdraw: list[FiledScope] = []
    in_force = selectors.filed_scope_in_force(body=body)
    for index, item in enumerate(data.withdraw):
        key = resolve.scope_key(item, f"body.withdraw.{index}")
        if key is None:
            continue
        filed = in_force.filter(occupation=key[0], job_type=key[1], level=key[2]).first()
        if filed is None:
            resolve.errors.append(
                FieldError(f"body.withdraw.{index}", _("本机构当前有效的备案范围中没有这一项。"))
            )
        else:
            withdraw.append(filed)
    resolve.raise_if_any()
    try:
        application = services.filing_create_and_submit(
            actor=user,
            body=body,
            details=details,
            sites=sites,
            scope=scope,
            withdraw=withdraw,
            context=request.context,  # type: ignore[attr-defined]
        )
    except ValidationError as error:
        raise _problem_from(_details_prefixed(error)) from error
    return 201, _filing_for(request, application.pk)


_DETAIL_FIELDS = frozenset(DetailsIn.model_fields)


def _details_prefixed(error: ValidationError) -> ValidationError:
    """Errors about the body's details sit under ``details`` in the request body."""
    return ValidationError(
        {
            (f"details.{field}" if field in _DETAIL_FIELDS else field): messages
            for field, messages in error.message_dict.items()
        }
    )


@router.get(
    "/filings/{filing_id}",
    response={200: FilingOut, **problem_responses(401, 403, 404, 422)},
    url_name="registry_filing_detail",
    operation_id="registry_filing_detail",
    summary="查看备案申请",
    description="机构管理员查看本机构的申请；人社部门查看辖区内已提交的申请。范围外的申请返回 404。",
)
def filing_detail(request: HttpRequest, filing_id: DatabaseId):
    require_roles(request, Role.BODY_ADMIN, *FILING_AUTHORITY_ROLES)
    return _filing_for(request, filing_id)


@router.post(
    "/filings/{filing_id}/approve",
    response={200: FilingOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="registry_filing_approve",
    operation_id="registry_filing_approve",
    summary="批准备案申请",
    description=(
        "为站点赋予 6 位序列码（省略的站点使用建议码）、为首次备案的机构赋予 4 位机构代码，备案范围随即生效。"
    ),
)
def filing_approve(request: HttpRequest, filing_id: DatabaseId, data: ApproveIn):
    user = require_roles(request, *FILING_AUTHORITY_ROLES)
    application = selectors.filing_get_for_user(user=user, pk=filing_id)
    codes = selectors.site_sequence_code_suggestions(application=application)
    codes.update({site.id: site.sequence_code for site in data.sites})
    try:
        services.filing_approve(
            actor=user,
            application=application,
            site_codes=codes,
            body_code=data.body_code,
            context=request.context,  # type: ignore[attr-defined]
        )
    except ValidationError as error:
        raise _problem_from(error) from error
    return _filing_for(request, filing_id)


def _decide(request: HttpRequest, filing_id: int, data: ReasonIn, service) -> FilingOut:
    user = require_roles(request, *FILING_AUTHORITY_ROLES)
    application = selectors.filing_get_for_user(user=user, pk=filing_id)
    try:
        service(actor=user, application=application, reason=data.reason, context=request.context)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise _problem_from(error) from error
    return _filing_for(request, filing_id)


@router.post(
    "/filings/{filing_id}/return",
    response={200: FilingOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="registry_filing_return",
    operation_id="registry_filing_return",
    summary="退回备案申请",
    description="退回申请并说明需要修改的内容；机构修改后可重新提交。",
)
def filing_return(request: HttpRequest, filing_id: DatabaseId, data: ReasonIn):
    return _decide(request, filing_id, data, services.filing_return)


@router.post(
    "/filings/{filing_id}/reject",
    response={200: FilingOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="registry_filing_reject",
    operation_id="registry_filing_reject",
    summary="不予备案",
    description="作出不予备案的决定并说明理由；申请办结。",
)
def filing_reject(request: HttpRequest, filing_id: DatabaseId, data: ReasonIn):
    return _decide(request, filing_id, data, services.filing_reject)
