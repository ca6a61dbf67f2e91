"""The test world shared by every app's tests: two districts, two bodies, a user for every role.

Passwords are real Argon2 hashes of ``WORLD_PASSWORD``, computed once per test session.
"""

from dataclasses import dataclass
from functools import cache

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from skillcert.accounts.models import User, UserRole
from skillcert.accounts.roles import Role
from skillcert.reference.models import Region
from skillcert.registry.models import Body, Site

WORLD_PASSWORD = "World-Passw0rd!"


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migration-seeded data afterwards (serialized rollback).

    A transactional test ends with a flush that empties every table, including the reference data the
    migrations seed. With serialized rollback Django reloads that data for the next test; mixing in a
    transactional test without it re-runs post_migrate after its flush, and the next restore collides
    with the recreated content types. So all of them get it, here, once.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & fixtures
        )
        if transactional and not (marker and marker.kwargs.get("serialized_rollback")):
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@cache
def world_password_hash() -> str:
    return make_password(WORLD_PASSWORD)


def make_user(username: str, *roles: str, region: Region | None = None, body: Body | None = None) -> User:
    user = User.objects.create(
        username=username,
        full_name=username,
        password=world_password_hash(),
        authority_region=region,
        body=body,
    )
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in roles])
    return user


def region(code: str, name: str, level: str = Region.Level.COUNTY) -> Region:
    return Region.objects.update_or_create(code=code, defaults={"name": name, "level": level})[0]


@dataclass
class World:
    shanghai: Region
    pudong: Region
    minhang: Region
    body_y: Body  # employer in 浦东新区, filed
    body_s: Body  # social organisation in 闵行区, filed
    site_y: Site  # body_y's evaluation site, sequence code 000101
    site_s: Site  # body_s's evaluation site, sequence code 000202
    municipal_admin: User
    municipal_reviewer: User
    municipal_supervisor: User
    municipal_statistician: User
    pudong_reviewer: User
    minhang_reviewer: User
    body_y_admin: User
    body_y_exam_staff: User
    body_y_examiner: User
    body_y_internal_supervisor: User
    body_s_admin: User
    candidate: User

    def users(self) -> dict[str, User]:
        return {name: value for name, value in vars(self).items() if isinstance(value, User)}


@pytest.fixture
def world(db) -> World:
    shanghai = region("310000", "上海市", Region.Level.PROVINCE)
    pudong = region("310115", "浦东新区")
    minhang = region("310112", "闵行区")
    filed = {"filing_status": Body.FilingStatus.FILED, "filed_at": timezone.now()}
    body_y = Body.objects.create(
        name="上海浦江机电集团有限公司",
        credit_code="91310115MA1H7GQX37",
        kind=Body.Kind.EMPLOYER,
        district=pudong,
        **filed,
    )
    body_s = Body.objects.create(
        name="上海闵行职业技能评价中心",
        credit_code="52310112MJ5021947L",
        kind=Body.Kind.SOCIAL_ORGANISATION,
        district=minhang,
        **filed,
    )
    site_y = Site.objects.create(
        tenant=body_y,
        name="浦江机电实训基地",
        address="浦东新区川沙路 1 号",
        district=pudong,
        sequence_code="000101",
    )
    site_s = Site.objects.create(
        tenant=body_s,
        name="闵行评价中心考点",
        address="闵行区莘庄镇 2 号",
        district=minhang,
        sequence_code="000202",
    )
    return World(
        shanghai=shanghai,
        pudong=pudong,
        minhang=minhang,
        body_y=body_y,
        body_s=body_s,
        site_y=site_y,
        site_s=site_s,
        municipal_admin=make_user("muni_admin", Role.AUTHORITY_ADMIN, region=shanghai),
        municipal_reviewer=make_user("muni_reviewer", Role.FILING_REVIEWER, region=shanghai),
        municipal_supervisor=make_user("muni_supervisor", Role.SUPERVISOR, region=shanghai),
        municipal_statistician=make_user("muni_statistician", Role.STATISTICIAN, region=shanghai),
        pudong_reviewer=make_user("pudong_reviewer", Role.FILING_REVIEWER, region=pudong),
        minhang_reviewer=make_user("minhang_reviewer", Role.FILING_REVIEWER, region=minhang),
        body_y_admin=make_user("y_admin", Role.BODY_ADMIN, body=body_y),
        body_y_exam_staff=make_user("y_exam_staff", Role.EXAM_STAFF, body=body_y),
        body_y_examiner=make_user("y_examiner", Role.EXAMINER, body=body_y),
        body_y_internal_supervisor=make_user("y_internal_supervisor", Role.INTERNAL_SUPERVISOR, body=body_y),
        body_s_admin=make_user("s_admin", Role.BODY_ADMIN, body=body_s),
        candidate=make_user("candidate", Role.CANDIDATE),
    )


def _audit_triggers_sql(direction: str) -> list[str]:
    from importlib import import_module

    from django.db import connection

    migration = import_module("skillcert.core.migrations.0002_auditevent_append_only")
    vendor = "POSTGRES" if connection.vendor == "postgresql" else "SQLITE"
    return getattr(migration, f"{vendor}_{direction}")


def clear_audit_log() -> None:
    """Empty the append-only audit table the only way possible: lift its triggers, delete, restore."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in _audit_triggers_sql("BACKWARD"):
            cursor.execute(statement)
        cursor.execute("DELETE FROM core_auditevent")
        for statement in _audit_triggers_sql("FORWARD"):
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _fresh_address_code_cache():
    """The address-code cache outlives a test's rolled-back transaction; start and end every test clean."""
    from skillcert.core.identifiers import clear_address_code_cache

    clear_address_code_cache()
    yield
    clear_address_code_cache()


@pytest.fixture(autouse=True)
def _clear_audit_log_before_flush(request):
    """Transactional tests end with a flush that the audit triggers refuse; empty the log first."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    clear_audit_log()
