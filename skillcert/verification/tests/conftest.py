"""Fixtures for the verification tests: real certificates issued through the issuing service, their read
model written by ``verification_records_upsert``, and the Starlette app over the test database.

The app reads through its own connection (read-only SQLite file, or a psycopg pool), which sees only
committed rows: hence transactional tests.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection
from starlette.testclient import TestClient

from skillcert.accounts.models import Candidate
from skillcert.accounts.services import candidate_create
from skillcert.certificates.models import Certificate
from skillcert.certificates.services import certificates_issue_for_plan
from skillcert.certificates.tests.builders import add_application, make_plan
from skillcert.core.identifiers import resident_id_check_character
from skillcert.verification.app import create_app
from skillcert.verification.config import Limits
from skillcert.verification.configure import config_from_settings

ISSUED_ON = date(2025, 6, 30)


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_character(first17)


# Two made-up people with valid check characters; 王芳's is typed with a lower-case x in one test.
ZHANG_ID = resident_id("31011519900307001")
WANG_ID = resident_id("31011219851120002")


def make_holder(*, name: str, id_number: str, world) -> Candidate:
    """A candidate created the way accounts creates them (ciphertext, blind index, mask)."""
    return candidate_create(
        name=name, id_type=Candidate.IdType.RESIDENT_ID, id_number=id_number, actor=world.municipal_admin
    )


@dataclass
class Issued:
    zhang: Certificate  # 张伟, 中式烹调师 三级
    wang: Certificate  # 王芳, 中式烹调师 三级
    wang_welder: Certificate  # 王芳 again, 焊工 (电焊工) 四级: her second certificate


def issue_for(*, world, holders: list[Candidate], level_code: str, job_type: str | None = None) -> list:
    plan = make_plan(site=world.site_y, level_code=level_code, job_type=job_type)
    for holder in holders:
        add_application(plan=plan, candidate=holder)
    # Issuance writes the verification records in its own transaction (certificates.services.sync).
    return certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)


@pytest.fixture
def issued(transactional_db, world) -> Issued:
    zhang = make_holder(name="张伟", id_number=ZHANG_ID, world=world)
    wang = make_holder(name="王芳", id_number=WANG_ID, world=world)
    first = issue_for(world=world, holders=[zhang, wang], level_code="L3")
    (welder,) = issue_for(world=world, holders=[wang], level_code="L4", job_type="电焊工")
    return Issued(zhang=first[0], wang=first[1], wang_welder=welder)


@pytest.fixture
def verification_config(transactional_db, tmp_path):
    """The configuration the combined ASGI app builds, with counters of this test's own."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM verification_counter")
    return dataclasses.replace(
        config_from_settings(),
        counters_path=tmp_path / "counters.bin",
        counter_slots=1 << 12,
        events_dir=tmp_path / "events",
    )


# A fixed moment early in a minute, hour and day: a test's counts never straddle two windows.
FIXED_NOW = 1_750_000_000.0 - 1_750_000_000.0 % 86400 + 5


def fixed_clock() -> float:
    return FIXED_NOW


def app_for(config, **limits):
    if limits:
        config = dataclasses.replace(config, limits=dataclasses.replace(config.limits, **limits))
    return create_app(config, clock=fixed_clock)


def client_for(config, **limits) -> TestClient:
    return TestClient(app_for(config, **limits), base_url="https://testserver")


# Limits high enough not to interfere with a test about something else (tests of limits lower them).
ROOMY = dataclasses.asdict(
    Limits(
        ip_per_minute=1000,
        ip_per_day=1000,
        network_per_minute=1000,
        number_per_day=1000,
        id_number_per_day=1000,
        name_per_hour=1000,
        view_per_minute=1000,
        challenge_after_misses=1000,
    )
)


@pytest.fixture
def client(verification_config, issued):
    """The verification app with limits high enough not to interfere."""
    with client_for(verification_config, **ROOMY) as test_client:
        yield test_client
