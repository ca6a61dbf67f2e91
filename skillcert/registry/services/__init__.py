"""Writes of the registry: registration, filing applications and their review, filing status."""

from skillcert.registry.services.declarations import BodyDetails, ScopeDeclaration, SiteDeclaration
from skillcert.registry.services.filings import (
    filing_application_start,
    filing_create_and_submit,
    filing_details_update,
    filing_scope_add,
    filing_scope_remove,
    filing_scope_withdrawal_set,
    filing_site_add,
    filing_site_remove,
    filing_submit,
)
from skillcert.registry.services.registration import body_register
from skillcert.registry.services.review import filing_approve, filing_reject, filing_return
from skillcert.registry.services.status import (
    MSG_MAY_NOT_EVALUATE,
    body_filing_reinstate,
    body_filing_revoke,
    body_filing_suspend,
    body_require_may_evaluate,
)

__all__ = [
    "MSG_MAY_NOT_EVALUATE",
    "BodyDetails",
    "ScopeDeclaration",
    "SiteDeclaration",
    "body_filing_reinstate",
    "body_filing_revoke",
    "body_filing_suspend",
    "body_register",
    "body_require_may_evaluate",
    "filing_application_start",
    "filing_approve",
    "filing_create_and_submit",
    "filing_details_update",
    "filing_reject",
    "filing_return",
    "filing_scope_add",
    "filing_scope_remove",
    "filing_scope_withdrawal_set",
    "filing_site_add",
    "filing_site_remove",
    "filing_submit",
]
