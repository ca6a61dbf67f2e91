"""The public directory of evaluation bodies: ``GET /bodies`` and ``GET /bodies/{credit_code}``, no token.

Only what a body publishes: name, kind, district, address, contact phone, sites, filed scope and status.
"""

from datetime import datetime
from typing import Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from skillcert.api.v1.integers import PageNumber
from skillcert.api.v1.problems import Problem, problem_responses
from skillcert.registry import selectors

# Same tag as the filing operations: the directory is part of the registry in the API documentation.
router = Router(tags=["registry"])

BODIES_PER_PAGE = 20


# ---- schemas --------------------------------------------------------------------------------------


class PublicScopeOut(Schema):
    occupation_code: str
    occupation_name: str
    job_type: str
    level: str


class PublicSiteOut(Schema):
    name: str
    address: str
    district: str


class PublicBodyOut(Schema):
    name: str
    credit_code: str
    kind: Literal["Y", "S"]
    kind_label: str
    district_code: str
    district: str
    address: str
    contact_phone: str
    status: Literal["filed", "suspended", "revoked"]
    status_label: str
    filed_at: datetime | None
    status_since: datetime | None = Field(description="当前状态的起始时间（整改、退出的日期）")
    scope: list[PublicScopeOut]


class PublicBodyDetailOut(PublicBodyOut):
    sites: list[PublicSiteOut]


class BodyPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[PublicBodyOut]


class BodySearchIn(Schema):
    q: str = Field(default="", max_length=60, description="机构名称（部分）")
    occupation: str = Field(default="", max_length=40, description="职业编码（前缀）或职业名称（部分）")
    district: str = Field(default="", max_length=6, description="所在区代码，如 310115")
    page: PageNumber = 1


# ---- operations -----------------------------------------------------------------------------------


@router.get(
    "/bodies",
    auth=None,
    response={200: BodyPageOut, **problem_responses(422)},
    url_name="registry_body_list",
    operation_id="registry_body_list",
    summary="评价机构名录",
    description=(
        "已备案（含整改中、已退出）的评价机构及其有效备案范围，可按名称、职业和所在区查询，每页 20 条。"
    ),
)
def body_list(request: HttpRequest, filters: Query[BodySearchIn]):
    bodies = selectors.body_directory(
        name=filters.q, occupation=filters.occupation, district=filters.district
    )
    page = Paginator(bodies, BODIES_PER_PAGE).get_page(filters.page)
    return BodyPageOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        items=[
            PublicBodyOut(**_public_fields(body)) for body in selectors.public_bodies(bodies=page.object_list)
        ],
    )


def _public_fields(body: selectors.PublicBody) -> dict:
    return {
        "name": body.name,
        "credit_code": body.credit_code,
        "kind": body.kind,
        "kind_label": body.kind_label,
        "district_code": body.district_code,
        "district": body.district,
        "address": body.address,
        "contact_phone": body.contact_phone,
        "status": body.status,
        "status_label": body.status_label,
        "filed_at": body.filed_at,
        "status_since": body.status_since,
        "scope": [PublicScopeOut(**vars_of(row)) for row in body.scope],
    }


def vars_of(row) -> dict:
    return {name: getattr(row, name) for name in row.__dataclass_fields__}


@router.get(
    "/bodies/{credit_code}",
    auth=None,
    response={200: PublicBodyDetailOut, **problem_responses(404)},
    url_name="registry_body_detail",
    operation_id="registry_body_detail",
    summary="评价机构详情",
    description="按统一社会信用代码查询一家已备案评价机构：类别、所在区、站点、备案范围和备案状态。",
)
def body_detail(request: HttpRequest, credit_code: str):
    body = selectors.public_body_get(credit_code=credit_code)
    if body is None:
        raise Problem(status=404, detail=_("名录中没有该统一社会信用代码的评价机构。"))
    return PublicBodyDetailOut(
        **_public_fields(body), sites=[PublicSiteOut(**vars_of(site)) for site in body.sites]
    )
