"""Reads for accounts: scoped user lists for administrators, sign-in alerts, candidate lookup by ID number."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from skillcert.accounts.identity import id_number_blind_index, normalise_id_number
from skillcert.accounts.models import Candidate, LoginFailure, User
from skillcert.accounts.roles import Role
from skillcert.core.regions import region_covers, scope_prefix


def _is_municipal_admin(actor: User) -> bool:
    return (
        actor.has_role(Role.AUTHORITY_ADMIN)
        and actor.authority_region_id == settings.SKILLCERT_MUNICIPAL_REGION_CODE
    )


def user_administered_by(*, actor: User) -> QuerySet[User]:
    """The users an administrator answers for (sees their sign-in alerts, clears them); empty for anyone else.

    Authority administrators: authority staff whose region and body staff whose body's district their
    region covers, and, for the municipal administrator only, candidates. Body administrators: their own
    body's staff.
    """
    users = User.objects.select_related("authority_region", "body")
    conditions = Q(pk__in=[])
    if actor.has_role(Role.AUTHORITY_ADMIN) and actor.authority_region_id:
        prefix = scope_prefix(actor.authority_region_id)
        conditions |= Q(authority_region__code__startswith=prefix) | Q(
            body__district__code__startswith=prefix
        )
        if _is_municipal_admin(actor):
            conditions |= Q(authority_region__isnull=True, body__isnull=True, roles__role=Role.CANDIDATE)
    if actor.has_role(Role.BODY_ADMIN) and actor.body_id:
        conditions |= Q(body_id=actor.body_id)
    return users.filter(conditions).distinct()


def user_may_administer(*, actor: User, user: User) -> bool:
    """Whether ``actor`` administers ``user`` (the rule of ``user_administered_by``, for one user)."""
    if actor.has_role(Role.AUTHORITY_ADMIN) and actor.authority_region_id:
        if user.authority_region_id:
            return region_covers(actor.authority_region_id, user.authority_region_id)
        if user.body is not None:
            return region_covers(actor.authority_region_id, user.body.district_id)
        if user.is_candidate and _is_municipal_admin(actor):
            return True
    if actor.has_role(Role.BODY_ADMIN) and actor.body_id:
        return user.body_id == actor.body_id
    return False


def _failure_count(failures: QuerySet[LoginFailure], *, of: str, distinct: bool = False) -> Coalesce:
    """Per user, a count over their rows among ``failures`` (a subquery: no join multiplies the users)."""
    counted = (
        failures.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(n=Count(of, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def user_annotate_login_failures(*, users: QuerySet[User], at: datetime | None = None) -> QuerySet[User]:
    """``users`` with their sign-in failures at ``at`` (now by default), as login_failures.py counts them:

    ``login_failures`` (all clients, inside the challenge window, since the last sign-in or clearing),
    ``login_clients`` (the distinct clients those came from), ``login_locked_clients`` (clients whose lock
    on the account still runs), ``login_last_failure_at`` and ``login_challenge_required``.
    """
    at = at or timezone.now()
    counted = LoginFailure.objects.filter(
        counts_for_account=True,
        occurred_at__gt=at - timedelta(seconds=settings.SKILLCERT_LOGIN_CHALLENGE_WINDOW),
    )
    locked = LoginFailure.objects.filter(locked_until__gt=at)
    return users.annotate(
        login_failures=_failure_count(counted, of="pk"),
        login_clients=_failure_count(counted, of="ip_address", distinct=True),
        login_locked_clients=_failure_count(locked, of="ip_address", distinct=True),
        login_last_failure_at=Subquery(
            counted.filter(user=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
        ),
        login_challenge_required=ExpressionWrapper(
            Q(login_failures__gte=settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES),
            output_field=BooleanField(),
        ),
    )


def user_list_login_alerts(*, actor: User, at: datetime | None = None) -> QuerySet[User]:
    """Users in the actor's scope with a sign-in alert at ``at``: a client locked out of the account, or at
    least as many failures as lock a pair (from one client or several); the most failures first."""
    return user_filter_login_alerts(users=user_administered_by(actor=actor), at=at).order_by(
        F("login_failures").desc(), "username"
    )


def user_filter_login_alerts(*, users: QuerySet[User], at: datetime | None = None) -> QuerySet[User]:
    """The users among ``users`` with a sign-in alert (see ``user_list_login_alerts``), annotated.

    The few users with recent failures are found from the failure rows first, so that the counts are
    computed for them only, not for every user in scope.
    """
    at = at or timezone.now()
    window_start = at - timedelta(seconds=settings.SKILLCERT_LOGIN_CHALLENGE_WINDOW)
    alerted = (
        LoginFailure.objects.filter(user__isnull=False)
        .filter(Q(occurred_at__gt=window_start) | Q(locked_until__gt=at))
        .order_by()
        .values("user")
        .annotate(
            failures=Count("pk", filter=Q(counts_for_account=True, occurred_at__gt=window_start)),
            locks=Count("pk", filter=Q(locked_until__gt=at)),
        )
        .filter(Q(failures__gte=settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_PAIR) | Q(locks__gt=0))
        .values("user")
    )
    return user_annotate_login_failures(users=users.filter(pk__in=alerted), at=at)


def candidate_find_by_id_number(*, id_type: str, id_number: str) -> Candidate | None:
    """The candidate with this ID type and number (normalised first), or None; raises ValidationError."""
    number = normalise_id_number(id_type=id_type, id_number=id_number).number
    return (
        Candidate.objects.filter(
            id_type=id_type, id_number_index=id_number_blind_index(id_type=id_type, number=number)
        )
        .select_related("user")
        .first()
    )


def candidate_may_reveal_id_number(*, actor: User) -> bool:
    """Who may see full ID numbers: the municipal administrator and holders of the permission.

    Later issues widen this (a body's administrator for candidates who applied to that body).
    """
    return _is_municipal_admin(actor) or actor.has_perm("accounts.reveal_id_number")


def candidate_for_reveal(*, actor: User) -> QuerySet[Candidate]:
    """The candidates whose full ID number ``actor`` may reveal (none without the right)."""
    if not actor.is_authenticated or not candidate_may_reveal_id_number(actor=actor):
        return Candidate.objects.none()
    return Candidate.objects.all()
