"""Who may edit reference data: the administrator of the municipal authority only."""

from django.conf import settings
from django.core.exceptions import PermissionDenied

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role


def is_municipal_admin(user: User) -> bool:
    return (
        user.is_authenticated
        and user.has_role(Role.AUTHORITY_ADMIN)
        and user.authority_region_id == settings.SKILLCERT_MUNICIPAL_REGION_CODE
    )


def require_municipal_admin(user: User) -> None:
    """403 for an administrator of a district: the calendar is the city's, not a scoped object."""
    if not is_municipal_admin(user):
        raise PermissionDenied
