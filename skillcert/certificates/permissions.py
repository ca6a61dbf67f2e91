"""Who may do what with a certificate: print its PDF, revoke it, reissue it.

One place for the rules so that the selectors (which answer 404 outside them), the services (which check
again) and the pages (which offer only the allowed actions) agree.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.accounts.roles import AUTHORITY_ACTOR_ROLES, BODY_MANAGER_ROLES, Role
from skillcert.core.regions import region_covers
from skillcert.registry.models import Body

# The PDF carries the full ID number: the holder, and the staff who print and hand out certificates.
PRINTER_ROLES = BODY_MANAGER_ROLES
# Revocation as a sanction: the authority's staff who review filings, supervise or administer.
AUTHORITY_REVOKER_ROLES = AUTHORITY_ACTOR_ROLES
BODY_REVOKER_ROLES = frozenset({Role.BODY_ADMIN})
REVOKER_ROLES = AUTHORITY_REVOKER_ROLES | BODY_REVOKER_ROLES
REISSUER_ROLES = frozenset({Role.BODY_ADMIN})


class RevokedBy(models.TextChoices):
    BODY = "body", _("评价机构")
    AUTHORITY = "authority", _("人社部门")


def user_is_printer(*, user: User, body_id: int) -> bool:
    """Whether ``user`` is admin or exam staff of the body ``body_id`` (may print its certificates)."""
    return bool(
        user.is_authenticated
        and user.is_body_staff
        and user.body_id == body_id
        and user.has_role(*PRINTER_ROLES)
    )


def user_is_reissuer(*, user: User, body_id: int) -> bool:
    """Whether ``user`` administers the body ``body_id`` (may reissue its certificates)."""
    return bool(
        user.is_authenticated
        and user.is_body_staff
        and user.body_id == body_id
        and user.has_role(*REISSUER_ROLES)
    )


def revoker_kind(*, actor: User, body: Body) -> str | None:
    """ "body" or "authority" when ``actor`` may revoke the certificates of ``body``; None otherwise."""
    if not actor.is_authenticated:
        return None
    if actor.is_body_staff and actor.body_id == body.pk and actor.has_role(*BODY_REVOKER_ROLES):
        return RevokedBy.BODY
    if (
        actor.is_authority_staff
        and actor.authority_region_id
        and actor.has_role(*AUTHORITY_REVOKER_ROLES)
        and region_covers(actor.authority_region_id, body.district_id)
    ):
        return RevokedBy.AUTHORITY
    return None
