"""Reads behind the home page and the dashboards. Every authority read is limited to the user's region.

A region scope is a code prefix (``skillcert.core.regions.scope_prefix``): 310000 covers every code
starting with "31", 310115 only itself. Bodies are in a region through their district; authority
staff through their own region; body staff through their body's district.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillcert.accounts.models import Candidate, User, UserRole
from skillcert.accounts.roles import BODY_ROLES, STAFF_ROLES, Role
from skillcert.accounts.selectors import user_filter_login_alerts
from skillcert.core.models import CalendarDay
from skillcert.core.personal_data import mask_mobile
from skillcert.core.regions import scope_prefix
from skillcert.reference.models import Occupation, Region, SkillLevel
from skillcert.registry.models import Body
from skillcert.verification.selectors import enumeration_alert_open_count

# ---- home page -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HomeFigures:
    filed_body_count: int
    body_count: int  # registered, filed or not
    occupation_count: int
    level_count: int
    lowest_level: str  # "学徒工"
    highest_level: str  # "首席技师"


def home_figures() -> HomeFigures:
    """The live figures the home page shows: bodies, catalogue occupations and skill levels."""
    level_names = list(SkillLevel.objects.order_by("rank").values_list("name", flat=True))
    bodies = Body.objects.aggregate(
        total=Count("pk"), filed=Count("pk", filter=Q(filing_status=Body.FilingStatus.FILED))
    )
    return HomeFigures(
        filed_body_count=bodies["filed"],
        body_count=bodies["total"],
        occupation_count=Occupation.objects.count(),
        level_count=len(level_names),
        lowest_level=level_names[0] if level_names else "",
        highest_level=level_names[-1] if level_names else "",
    )


# ---- scope helpers ---------------------------------------------------------------------------------


def is_whole_province(region: Region) -> bool:
    return len(scope_prefix(region.code)) == 2


def bodies_in_region(*, region: Region) -> QuerySet[Body]:
    """The evaluation bodies whose district lies in ``region``."""
    return Body.objects.filter(district__code__startswith=scope_prefix(region.code))


def _has_confirmed_totp() -> Exists:
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))


def users_in_region(*, region: Region) -> QuerySet[User]:
    """Accounts an authority of ``region`` answers for.

    Authority staff of the region and its districts, staff of bodies in it, and, for a city-wide
    scope only, candidate accounts (candidates belong to no district).
    """
    prefix = scope_prefix(region.code)
    scope = Q(authority_region__code__startswith=prefix) | Q(body__district__code__startswith=prefix)
    if is_whole_province(region):
        scope |= Q(roles__role=Role.CANDIDATE)
    # The join through roles may repeat a user; select the ids once, then count users.
    return User.objects.filter(pk__in=User.objects.filter(scope).values("pk"))


def staff_in_region(*, region: Region) -> QuerySet[User]:
    return users_in_region(region=region).filter(
        pk__in=UserRole.objects.filter(role__in=STAFF_ROLES).values("user_id")
    )


# ---- authority dashboards --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorityAdminOverview:
    region: Region
    users_in_scope: int
    login_alert_users: Sequence[User]  # annotated as accounts.selectors.user_filter_login_alerts does
    staff_without_2fa: Sequence[User]
    manages_calendar: bool  # the working-day calendar is the city's: its administrator keeps it
    calendar_year: int
    calendar_days_entered: int
    body_count: int
    # Unacknowledged alerts of the public query's enumeration watch: the query is the city's, like the
    # calendar, so only the municipal administrator sees them (0 for a district).
    enumeration_alerts_open: int


def authority_admin_overview(*, region: Region, at: datetime | None = None) -> AuthorityAdminOverview:
    """What an authority administrator of ``region`` has to look after: accounts, 2FA, calendar, bodies."""
    now = at or timezone.now()
    next_year = timezone.localdate(now).year + 1
    manages_calendar = region.code == settings.SKILLCERT_MUNICIPAL_REGION_CODE
    users = users_in_region(region=region)
    return AuthorityAdminOverview(
        region=region,
        users_in_scope=users.count(),
        login_alert_users=list(user_filter_login_alerts(users=users, at=now).order_by("username")),
        staff_without_2fa=list(
            staff_in_region(region=region)
            .annotate(has_totp=_has_confirmed_totp())
            .filter(has_totp=False, is_active=True)
            .order_by("username")
        ),
        manages_calendar=manages_calendar,
        calendar_year=next_year,
        calendar_days_entered=(
            CalendarDay.objects.filter(date__year=next_year).count() if manages_calendar else 0
        ),
        body_count=bodies_in_region(region=region).count(),
        enumeration_alerts_open=enumeration_alert_open_count() if manages_calendar else 0,
    )


@dataclass(frozen=True, slots=True)
class RegionOverview:
    region: Region
    bodies: Sequence[Body]  # each with ``staff_count``
    filed_count: int
    employer_count: int
    social_organisation_count: int
    occupation_count: int


def region_overview(*, region: Region) -> RegionOverview:
    """The bodies in ``region`` (with their staff counts) and the catalogue size, for authority staff."""
    bodies = list(
        bodies_in_region(region=region)
        .select_related("district")
        .annotate(staff_count=Count("staff", distinct=True))
        .order_by("district__code", "name")
    )
    return RegionOverview(
        region=region,
        bodies=bodies,
        filed_count=sum(1 for body in bodies if body.filing_status == Body.FilingStatus.FILED),
        employer_count=sum(1 for body in bodies if body.kind == Body.Kind.EMPLOYER),
        social_organisation_count=sum(1 for body in bodies if body.kind == Body.Kind.SOCIAL_ORGANISATION),
        occupation_count=Occupation.objects.count(),
    )


# ---- body dashboards -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffGroup:
    role: str
    label: str
    members: Sequence[User]


@dataclass(frozen=True, slots=True)
class BodyOverview:
    body: Body
    staff_groups: list[StaffGroup]
    staff_count: int
    staff_without_2fa: Sequence[User]


def body_overview(*, body: Body) -> BodyOverview:
    """A body's details and its staff by role, with who has not enrolled a second factor."""
    body = Body.objects.select_related("district").get(pk=body.pk)
    staff = list(
        User.objects.filter(body=body)
        .annotate(has_totp=_has_confirmed_totp())
        .prefetch_related("roles")
        .order_by("full_name", "username")
    )
    groups = []
    for role in Role:
        if role.value not in BODY_ROLES:
            continue
        members = [user for user in staff if any(r.role == role.value for r in user.roles.all())]
        groups.append(StaffGroup(role=role.value, label=str(role.label), members=members))
    return BodyOverview(
        body=body,
        staff_groups=groups,
        staff_count=len(staff),
        staff_without_2fa=[user for user in staff if user.is_active and not user.has_totp],
    )


def user_has_confirmed_totp(*, user: User) -> bool:
    """Whether ``user`` has a confirmed TOTP authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# ---- candidate dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateOverview:
    candidate: Candidate | None
    missing: list[str] = field(default_factory=list)  # field labels still to fill in
    mobile_masked: str = ""

    @property
    def complete(self) -> bool:
        return self.candidate is not None and not self.missing


# What a candidate needs before applying, with the labels the profile page uses.
PROFILE_FIELDS = (("name", _("姓名")), ("id_number_masked", _("证件号码")), ("mobile", _("手机号码")))


def candidate_overview(*, user: User) -> CandidateOverview:
    """The candidate profile linked to ``user`` and which of its fields are still empty."""
    candidate = Candidate.objects.filter(user=user).first()
    if candidate is None:
        return CandidateOverview(candidate=None)
    missing = [str(label) for name, label in PROFILE_FIELDS if not getattr(candidate, name)]
    return CandidateOverview(
        candidate=candidate,
        missing=missing,
        mobile_masked=mask_mobile(candidate.mobile) if candidate.mobile else "",
    )
