"""Certificates issued through the real services, with their credential entries allocated."""

import copy
from datetime import date

from skillcert.certificates.models import Certificate
from skillcert.certificates.tests.builders import issue_certificates, make_candidate, make_plan
from skillcert.credentials.selectors import DatabaseTrust
from skillcert.credentials.services import credential_entries_allocate

ISSUED_ON = date(2025, 6, 30)
HOLDER_ID = "310115199001010011"


def issue(
    world, *, count: int = 1, body: str = "y", job_type: str | None = None, **candidate
) -> list[Certificate]:
    """Issue ``count`` certificates of body_y (or body_s); entries allocated as issuance does once wired."""
    site, admin = (world.site_y, world.body_y_admin) if body == "y" else (world.site_s, world.body_s_admin)
    plan = make_plan(site=site, job_type=job_type)
    candidates = [make_candidate(**candidate)] if candidate else None
    certificates = issue_certificates(
        plan=plan, actor=admin, count=count, candidates=candidates, issue_date=ISSUED_ON
    )
    credential_entries_allocate(certificates=certificates)  # idempotent: a no-op once issuance does it
    return certificates


def changed(document: dict, path: list, value) -> dict:
    """A deep copy of ``document`` with the value at ``path`` replaced."""
    result = copy.deepcopy(document)
    target = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


def local_trust() -> DatabaseTrust:
    return DatabaseTrust()


def writes(queries) -> list[str]:
    """The statements of a ``CaptureQueriesContext`` that change the database."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}
    ]
