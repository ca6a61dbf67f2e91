"""Scoped reads: bodies by user, scope in force, may-evaluate checks, the public directory search."""

import pytest
from django.http import Http404

from skillcert.reference.models import JobType, Occupation, SkillLevel
from skillcert.registry.models import FiledScope
from skillcert.registry.selectors import (
    body_directory,
    body_get_for_user,
    body_list_for_user,
    body_may_evaluate_scope,
    filed_scope_in_force,
    public_bodies,
    public_body_get,
)
from skillcert.registry.services import body_filing_revoke, body_filing_suspend
from skillcert.registry.tests.conftest import grant_scope, scope


def test_body_list_for_user_follows_region_and_body(world, draft):
    # Given: body_y (浦东), body_s (闵行) and the new unfiled body (浦东)
    new = draft.body
    assert set(body_list_for_user(user=world.municipal_admin)) == {world.body_y, world.body_s, new}
    assert set(body_list_for_user(user=world.municipal_statistician)) == {world.body_y, world.body_s, new}
    assert set(body_list_for_user(user=world.pudong_reviewer)) == {world.body_y, new}
    assert list(body_list_for_user(user=world.minhang_reviewer)) == [world.body_s]
    assert list(body_list_for_user(user=world.body_y_examiner)) == [world.body_y]
    assert list(body_list_for_user(user=world.candidate)) == []


def test_body_get_for_user_answers_404_outside_scope(world):
    assert body_get_for_user(user=world.pudong_reviewer, pk=world.body_y.pk) == world.body_y
    with pytest.raises(Http404):
        body_get_for_user(user=world.pudong_reviewer, pk=world.body_s.pk)
    with pytest.raises(Http404):
        body_get_for_user(user=world.body_s_admin, pk=world.body_y.pk)


@pytest.fixture
def welding(world):
    """body_y filed for 焊工/电焊工 三级 and 中式烹调师 (no job type) 四级."""
    grant_scope(
        body=world.body_y,
        admin=world.body_y_admin,
        reviewer=world.pudong_reviewer,
        scopes=[scope("6-18-02-04", "L3", "电焊工"), scope("4-03-02-01", "L4")],
    )
    return world


def test_body_may_evaluate_scope(welding):
    world = welding
    welder = Occupation.objects.get(code="6-18-02-04")
    electric = JobType.objects.get(occupation=welder, name="电焊工")
    gas = JobType.objects.get(occupation=welder, name="气焊工")
    cook = Occupation.objects.get(code="4-03-02-01")
    l3, l4 = SkillLevel.objects.get(code="L3"), SkillLevel.objects.get(code="L4")

    # Then: only the filed job type and level count
    assert body_may_evaluate_scope(body=world.body_y, occupation=welder, job_type=electric, level=l3) is True
    assert body_may_evaluate_scope(body=world.body_y, occupation=welder, job_type=gas, level=l3) is False
    assert body_may_evaluate_scope(body=world.body_y, occupation=welder, job_type=electric, level=l4) is False
    assert body_may_evaluate_scope(body=world.body_y, occupation=welder, job_type=None, level=l3) is False
    assert body_may_evaluate_scope(body=world.body_y, occupation=cook, job_type=None, level=l4) is True
    assert body_may_evaluate_scope(body=world.body_s, occupation=cook, job_type=None, level=l4) is False

    # When: body_y is suspended, nothing counts any more
    body_filing_suspend(actor=world.pudong_reviewer, body=world.body_y, reason="整改")
    world.body_y.refresh_from_db()
    assert body_may_evaluate_scope(body=world.body_y, occupation=cook, job_type=None, level=l4) is False


def test_filed_scope_in_force_leaves_out_withdrawn_rows(welding):
    rows = list(filed_scope_in_force(body=welding.body_y))
    assert [(row.occupation.code, row.level_id) for row in rows] == [
        ("4-03-02-01", "L4"),
        ("6-18-02-04", "L3"),
    ]
    FiledScope.objects.filter(pk=rows[0].pk).update(withdrawn_at=rows[0].granted_at)
    assert [row.occupation.code for row in filed_scope_in_force(body=welding.body_y)] == ["6-18-02-04"]


def test_directory_search(welding, draft):
    world = welding
    # Given: body_y (浦东, 焊工 and 中式烹调师), body_s (闵行, no scope), the new body (unfiled: not listed)
    assert set(body_directory()) == {world.body_y, world.body_s}
    assert list(body_directory(name="浦江")) == [world.body_y]
    assert list(body_directory(occupation="6-18-02")) == [world.body_y]
    assert list(body_directory(occupation="中式烹调")) == [world.body_y]
    assert list(body_directory(occupation="快递员")) == []
    assert list(body_directory(district="310112")) == [world.body_s]
    assert list(body_directory(name="浦江", district="310112")) == []


def test_public_body_shows_status_date_and_no_personal_data(welding):
    world = welding
    body_filing_revoke(actor=world.minhang_reviewer, body=world.body_s, reason="退出")
    listed = {entry.credit_code: entry for entry in public_bodies(bodies=body_directory())}
    revoked = listed[world.body_s.credit_code]
    assert (revoked.status, revoked.status_label) == ("revoked", "已退出")
    assert revoked.status_since is not None and revoked.status_since > revoked.filed_at
    assert "contact_name" not in revoked.__dataclass_fields__
    detail = public_body_get(credit_code=world.body_y.credit_code.lower())
    assert [(row.occupation_name, row.job_type, row.level) for row in detail.scope] == [
        ("中式烹调师", "", "四级/中级工"),
        ("焊工", "电焊工", "三级/高级工"),
    ]
    assert [site.name for site in detail.sites] == ["浦江机电实训基地"]
    assert public_body_get(credit_code="91310115MA1K4XQ2P0") is None
