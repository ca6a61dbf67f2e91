"""Reads for accounts: scoped user lists for administrators, candidate lookup by ID number."""

from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from skillcert.accounts.identity import id_number_blind_index, normalise_id_number
from skillcert.accounts.models import Candidate, User
from skillcert.accounts.roles import Role
from skillcert.core.regions import region_covers, scope_prefix


def _is_municipal_admin(actor: User) -> bool:
    return (
        actor.has_role(Role.AUTHORITY_ADMIN)
        and actor.authority_region_id == settings.SKILLCERT_MUNICIPAL_REGION_CODE
    )


def user_administered_by(*, actor: User) -> QuerySet[User]:
    """The users an administrator answers for (may see locked, may unlock); empty for anyone else.

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


def user_may_unlock(*, actor: User, user: User) -> bool:
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


def user_list_locked(*, actor: User, at: datetime | None = None) -> QuerySet[User]:
    """Users in the actor's scope whose account is locked at ``at`` (now by default), soonest end first."""
    at = at or timezone.now()
    return user_administered_by(actor=actor).filter(locked_until__gt=at).order_by("locked_until", "username")


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
