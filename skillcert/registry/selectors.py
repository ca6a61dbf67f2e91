"""Reads on evaluation bodies and their filings: scoped lists for staff, scope checks, the public directory.

Authority staff see what lies in their region (the municipal authority: the whole city; a district
authority: its district); body staff see their own body; anything else answers 404.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from skillcert.accounts.models import User
from skillcert.accounts.roles import FILING_AUTHORITY_ROLES, Role
from skillcert.core.regions import scope_prefix
from skillcert.reference.models import JobType, Occupation, SkillLevel
from skillcert.registry.models import (
    Body,
    FiledScope,
    FilingApplication,
    FilingApplicationSite,
    FilingScopeRequest,
    FilingStatusChange,
    Site,
)

# Statuses in which a body still works on its application; the authority does not see drafts.
OPEN_STATUSES = (
    FilingApplication.Status.DRAFT,
    FilingApplication.Status.SUBMITTED,
    FilingApplication.Status.RETURNED,
)
# A body appears in the public directory once filed, and stays there (marked) when suspended or revoked.
PUBLIC_STATUSES = (Body.FilingStatus.FILED, Body.FilingStatus.SUSPENDED, Body.FilingStatus.REVOKED)
SEQUENCE_CODE_MAX = 999_999


def _region_prefix(user: User) -> str | None:
    if not user.is_authenticated or not user.is_authority_staff or user.authority_region_id is None:
        return None
    return scope_prefix(user.authority_region_id)


def user_reviews_district(*, user: User, district_code: str) -> bool:
    """Whether ``user`` is filing authority staff whose region covers ``district_code``."""
    prefix = _region_prefix(user)
    return prefix is not None and user.has_role(*FILING_AUTHORITY_ROLES) and district_code.startswith(prefix)


def user_administers_body(*, user: User, body: Body) -> bool:
    """Whether ``user`` is the administrator of ``body``."""
    return user.is_authenticated and user.body_id == body.pk and user.has_role(Role.BODY_ADMIN)


# ---- bodies ---------------------------------------------------------------------------------------


def body_list_for_user(*, user: User) -> QuerySet[Body]:
    """Bodies the user may see: an authority's bodies in its region, body staff their own body only."""
    bodies = Body.objects.select_related("district").order_by("name")
    prefix = _region_prefix(user)
    if prefix is not None:
        return bodies.filter(district__code__startswith=prefix)
    if user.is_authenticated and user.is_body_staff and user.body_id is not None:
        return bodies.filter(pk=user.body_id)
    return bodies.none()


def body_get_for_user(*, user: User, pk: int) -> Body:
    """One body in the user's scope; 404 outside it."""
    try:
        return body_list_for_user(user=user).get(pk=pk)
    except Body.DoesNotExist as error:
        raise Http404 from error


def body_status_changes(*, body: Body) -> QuerySet[FilingStatusChange]:
    """The filing status history of a body, newest first."""
    return FilingStatusChange.objects.for_tenant(body).select_related("actor").order_by("-changed_at", "-pk")


def body_sites(*, body: Body) -> QuerySet[Site]:
    """The body's evaluation sites, active first."""
    return Site.objects.for_tenant(body).select_related("district").order_by("-is_active", "name")


# ---- scope ----------------------------------------------------------------------------------------


def filed_scope_in_force(*, body: Body) -> QuerySet[FiledScope]:
    """The occupations / job types / levels the body is filed for and has not withdrawn."""
    return (
        FiledScope.objects.for_tenant(body)
        .filter(withdrawn_at__isnull=True)
        .select_related("occupation", "job_type", "level")
        .order_by("occupation__code", "job_type__name", "level__rank")
    )


def body_may_evaluate_scope(
    *, body: Body, occupation: Occupation, job_type: JobType | None, level: SkillLevel
) -> bool:
    """Whether the body may evaluate now (filed, not suspended or revoked) in this scope.

    A scope row without a job type covers the occupation as a whole, every job type included; a row
    with a job type covers that job type only.
    """
    if not body.may_evaluate:
        return False
    rows = filed_scope_in_force(body=body).filter(occupation=occupation, level=level)
    if job_type is None:
        return rows.filter(job_type__isnull=True).exists()
    return rows.filter(Q(job_type__isnull=True) | Q(job_type=job_type)).exists()


# ---- filing applications --------------------------------------------------------------------------


def filing_list_for_user(*, user: User, status: str = "", search: str = "") -> QuerySet[FilingApplication]:
    """Applications the user may see: an authority's submitted ones in its region, a body admin's own."""
    applications = FilingApplication.objects.select_related("district", "tenant").order_by(
        "-created_at", "-pk"
    )
    prefix = _region_prefix(user)
    if prefix is not None and user.has_role(*FILING_AUTHORITY_ROLES):
        applications = applications.filter(district__code__startswith=prefix).exclude(
            status=FilingApplication.Status.DRAFT
        )
    elif user.is_authenticated and user.body_id is not None and user.has_role(Role.BODY_ADMIN):
        applications = applications.filter(tenant_id=user.body_id)
    else:
        return applications.none()
    if status:
        applications = applications.filter(status=status)
    search = search.strip()
    if search:
        applications = applications.filter(Q(body_name__contains=search) | Q(credit_code=search.upper()))
    return applications


def filing_get_for_user(*, user: User, pk: int) -> FilingApplication:
    """One application in the user's scope, with its sites and scope rows; 404 outside it."""
    queryset = filing_list_for_user(user=user).prefetch_related(
        Prefetch("sites", queryset=_application_sites()),
        Prefetch("scope_requests", queryset=_scope_requests()),
        Prefetch("scope_withdrawals", queryset=_filed_scope_rows()),
    )
    try:
        return queryset.get(pk=pk)
    except FilingApplication.DoesNotExist as error:
        raise Http404 from error


def _application_sites() -> QuerySet[FilingApplicationSite]:
    return FilingApplicationSite.objects.select_related("district", "site").order_by("pk")


def _scope_requests() -> QuerySet[FilingScopeRequest]:
    return FilingScopeRequest.objects.select_related("occupation", "job_type", "level").order_by(
        "occupation__code", "level__rank", "pk"
    )


def _filed_scope_rows() -> QuerySet[FiledScope]:
    return FiledScope.objects.select_related("occupation", "job_type", "level")


def filing_open_for_body(*, body: Body) -> FilingApplication | None:
    """The body's application still in progress (draft, submitted or returned), if any."""
    return FilingApplication.objects.for_tenant(body).filter(status__in=OPEN_STATUSES).order_by("-pk").first()


def site_sequence_code_suggestions(*, application: FilingApplication) -> dict[int, str]:
    """A 6-digit sequence code for each site of the application: its own if it has one, else the next free.

    Codes are unique in the province, so the next free code follows the highest one used there.
    """
    province = application.district_id[:2]
    used = set(Site.objects.exclude(sequence_code__isnull=True).values_list("sequence_code", flat=True))
    in_province = [
        int(code or 0)
        for code in Site.objects.filter(district__code__startswith=province, sequence_code__isnull=False)
        .values_list("sequence_code", flat=True)
        .iterator()
    ]
    candidate = max(in_province, default=0) + 1
    suggestions: dict[int, str] = {}
    for declared in application.sites.select_related("site").order_by("pk"):
        if declared.site is not None and declared.site.sequence_code:
            suggestions[declared.pk] = declared.site.sequence_code
            continue
        while f"{candidate:06d}" in used and candidate < SEQUENCE_CODE_MAX:
            candidate += 1
        code = f"{candidate:06d}"
        suggestions[declared.pk] = code
        used.add(code)
    return suggestions


# ---- the public directory -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicScope:
    occupation_code: str
    occupation_name: str
    job_type: str
    level: str


@dataclass(frozen=True, slots=True)
class PublicSite:
    name: str
    address: str
    district: str


@dataclass(frozen=True, slots=True)
class PublicBody:
    """What anyone may read about a filed body: no personal data, no internal keys."""

    name: str
    credit_code: str
    kind: str
    kind_label: str
    district_code: str
    district: str
    address: str
    contact_phone: str  # the body's published contact number
    status: str
    status_label: str
    filed_at: datetime | None
    status_since: datetime | None  # when the current status began (整改 / 退出 date)
    scope: tuple[PublicScope, ...]
    sites: tuple[PublicSite, ...] = ()


def _public_bodies() -> QuerySet[Body]:
    latest_change = FilingStatusChange.objects.filter(tenant=OuterRef("pk")).order_by("-changed_at", "-pk")
    return (
        Body.objects.filter(filing_status__in=PUBLIC_STATUSES)
        .select_related("district")
        .annotate(status_since=Subquery(latest_change.values("changed_at")[:1]))
    )


def body_directory(*, name: str = "", occupation: str = "", district: str = "") -> QuerySet[Body]:
    """Filed bodies (and suspended or revoked ones, marked) by name, occupation code or name, and district."""
    bodies = _public_bodies().order_by("name", "pk")
    name = name.strip()
    if name:
        bodies = bodies.filter(name__contains=name)
    occupation = occupation.strip()
    if occupation:
        matching = FiledScope.objects.filter(tenant=OuterRef("pk"), withdrawn_at__isnull=True).filter(
            Q(occupation__code__startswith=occupation) | Q(occupation__name__contains=occupation)
        )
        bodies = bodies.filter(Exists(matching))
    district = district.strip()
    if district:
        bodies = bodies.filter(district__code=district)
    return bodies


def _public_scope(rows) -> tuple[PublicScope, ...]:
    return tuple(
        PublicScope(
            occupation_code=row.occupation.code,
            occupation_name=row.occupation.name,
            job_type=row.job_type.name if row.job_type else "",
            level=row.level.label,
        )
        for row in rows
    )


def public_bodies(*, bodies) -> list[PublicBody]:
    """The public view of a page of directory bodies, with their scope in force (two queries in all)."""
    bodies = list(bodies)
    scope_by_body: dict[int, list[FiledScope]] = {body.pk: [] for body in bodies}
    rows = (
        FiledScope.objects.filter(tenant__in=[body.pk for body in bodies], withdrawn_at__isnull=True)
        .select_related("occupation", "job_type", "level")
        .order_by("occupation__code", "job_type__name", "level__rank")
    )
    for row in rows:
        scope_by_body[row.tenant_id].append(row)
    return [_public_body(body, scope_by_body[body.pk], ()) for body in bodies]


def _public_body(body: Body, scope: list[FiledScope], sites: tuple[PublicSite, ...]) -> PublicBody:
    return PublicBody(
        name=body.name,
        credit_code=body.credit_code,
        kind=body.kind,
        kind_label=str(body.get_kind_display()),
        district_code=body.district_id,
        district=body.district.name,
        address=body.address,
        contact_phone=body.contact_phone,
        status=body.filing_status,
        status_label=str(body.get_filing_status_display()),
        filed_at=body.filed_at,
        status_since=getattr(body, "status_since", None) or body.filed_at,
        scope=_public_scope(scope),
        sites=sites,
    )


def public_body_get(*, credit_code: str) -> PublicBody | None:
    """The public page of one body in the directory, by its credit code; None if it is not listed."""
    body = _public_bodies().filter(credit_code=credit_code.strip().upper()).first()
    if body is None:
        return None
    sites = tuple(
        PublicSite(name=site.name, address=site.address, district=site.district.name)
        for site in body_sites(body=body).filter(is_active=True)
    )
    return _public_body(body, list(filed_scope_in_force(body=body)), sites)
