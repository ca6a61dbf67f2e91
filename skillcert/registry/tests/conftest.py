"""Helpers for the registry tests: valid credit codes, declarations, a registered body with its draft."""

from dataclasses import dataclass

import pytest

from skillcert.accounts.models import User
from skillcert.core.identifiers import credit_code_check_character
from skillcert.reference.models import JobType, Occupation, Region, SkillLevel
from skillcert.registry.models import FilingApplication
from skillcert.registry.services import (
    BodyDetails,
    ScopeDeclaration,
    SiteDeclaration,
    body_register,
    filing_scope_add,
    filing_site_add,
)

NEW_BODY_PASSWORD = "Filing-Passw0rd!"


def credit_code(first17: str) -> str:
    """A credit code with its GB 32100 check character."""
    return first17 + credit_code_check_character(first17)


def details(*, district: Region, code: str = "", name: str = "上海新港智能制造有限公司") -> BodyDetails:
    return BodyDetails(
        body_name=name,
        credit_code=code or credit_code("91310115MA1K4XQ2P"),
        body_kind="Y",
        district=district,
        address="浦东新区张江路 88 号",
        contact_name="王敏",
        contact_phone="021-58880000",
    )


def site(*, district: Region, name: str = "张江实训中心") -> SiteDeclaration:
    return SiteDeclaration(name=name, address="浦东新区张江路 90 号", district=district)


def scope(occupation_code: str = "4-03-02-01", level: str = "L4", job_type: str = "") -> ScopeDeclaration:
    occupation = Occupation.objects.get(code=occupation_code)
    return ScopeDeclaration(
        occupation=occupation,
        job_type=JobType.objects.get(occupation=occupation, name=job_type) if job_type else None,
        level=SkillLevel.objects.get(code=level),
        examiners=5,
        internal_supervisors=1,
        question_bank="国家题库（中式烹调师 2019 版）",
        equipment="灶台 20 个，理论考场 1 间（40 座）",
    )


@dataclass
class Registered:
    application: FilingApplication
    admin: User

    @property
    def body(self):
        return self.application.tenant


def register(*, district: Region, code: str = "", username: str = "xingang_admin") -> Registered:
    application = body_register(
        details=details(district=district, code=code),
        username=username,
        full_name="王敏",
        mobile="13800138000",
        password=NEW_BODY_PASSWORD,
    )
    return Registered(application=application, admin=User.objects.get(username=username))


def complete(registered: Registered, *, district: Region) -> Registered:
    """Give the draft one site and one scope row, enough to submit."""
    filing_site_add(actor=registered.admin, application=registered.application, site=site(district=district))
    filing_scope_add(actor=registered.admin, application=registered.application, scope=scope())
    return registered


@pytest.fixture
def draft(world) -> Registered:
    """A new body in 浦东 with its draft initial application, one site and one scope row."""
    return complete(register(district=world.pudong), district=world.pudong)


def grant_scope(*, body, admin: User, reviewer: User, scopes: list[ScopeDeclaration]) -> FilingApplication:
    """Put ``scopes`` in force for a filed body the way the platform does: a scope change, approved."""
    from skillcert.registry.services import filing_application_start, filing_approve, filing_submit

    change = filing_application_start(actor=admin, body=body)
    for row in scopes:
        filing_scope_add(actor=admin, application=change, scope=row)
    filing_submit(actor=admin, application=change)
    return filing_approve(actor=reviewer, application=change, site_codes={})
