import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import make_user
from skillcert.accounts.models import LoginFailure
from skillcert.accounts.roles import Role
from skillcert.accounts.services import candidate_create
from skillcert.reference.models import Occupation


def failed(user, count: int, *, locked_until=None, counting: bool = True) -> None:
    """``count`` failed sign-ins of ``user`` from one client now, the last locking until ``locked_until``."""
    rows = [
        LoginFailure(
            user=user,
            username=user.username,
            ip_address="198.51.100.1",
            occurred_at=timezone.now(),
            counts_for_pair=counting,
            counts_for_account=counting,
        )
        for _ in range(count)
    ]
    rows[-1].locked_until = locked_until
    LoginFailure.objects.bulk_create(rows)


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def stat(html: str, panel: str, name: str) -> int:
    """The number shown in ``data-stat=name`` inside ``data-panel=panel``."""
    section = html[html.index(f'data-panel="{panel}"') :]
    section = section[: section.index("</section>")]
    return int(re.search(rf'data-stat="{name}">(\d+)<', section).group(1))


def test_anonymous_is_sent_to_sign_in(client, db, stand_in_urls):
    # when
    response = client.get("/dashboard/")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_pudong_reviewer_sees_pudong_bodies_only(client, world):
    # when
    html = dashboard(client, world.pudong_reviewer)

    # then
    assert stat(html, "region", "bodies") == 1
    assert stat(html, "region", "filed") == 1
    assert stat(html, "region", "employers") == 1
    assert stat(html, "region", "social") == 0
    assert stat(html, "region", "occupations") == Occupation.objects.count()
    assert world.body_y.name in html
    assert world.body_s.name not in html
    assert "审核评价机构的备案申请" in html
    assert 'data-panel="authority_admin"' not in html


def test_minhang_reviewer_sees_minhang_bodies_only(client, world):
    # when
    html = dashboard(client, world.minhang_reviewer)

    # then
    assert stat(html, "region", "bodies") == 1
    assert world.body_s.name in html
    assert world.body_y.name not in html


def test_municipal_reviewer_sees_every_district(client, world):
    # when
    html = dashboard(client, world.municipal_reviewer)

    # then
    assert stat(html, "region", "bodies") == 2
    assert stat(html, "region", "employers") == 1
    assert stat(html, "region", "social") == 1
    assert world.body_y.name in html and world.body_s.name in html
    assert "辖区评价机构 · 上海市" in html


@pytest.mark.parametrize(
    ("name", "step", "other_steps"),
    [
        ("municipal_supervisor", "安排质量督导与抽查", ["审核评价机构的备案申请", "查看与导出人才统计"]),
        ("municipal_statistician", "查看与导出人才统计", ["审核评价机构的备案申请", "安排质量督导与抽查"]),
    ],
)
def test_supervisor_and_statistician_see_their_own_next_step(client, world, name, step, other_steps):
    # when
    html = dashboard(client, getattr(world, name))

    # then
    assert step in html
    for other in other_steps:
        assert other not in html
    assert stat(html, "region", "bodies") == 2


@time_machine.travel("2025-06-01 10:00 +0800", tick=False)
def test_municipal_admin_sees_accounts_2fa_and_calendar_of_the_whole_city(client, world):
    # given: one account a client is locked out of, one with an expired lock and a success since, one
    # staff member with a confirmed authenticator and one unconfirmed
    failed(world.body_s_admin, 5, locked_until=timezone.now() + timedelta(minutes=20))
    failed(world.minhang_reviewer, 5, locked_until=timezone.now() - timedelta(minutes=1), counting=False)
    TOTPDevice.objects.create(user=world.municipal_reviewer, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=world.pudong_reviewer, name="phone", confirmed=False)

    # when
    html = dashboard(client, world.municipal_admin)

    # then: 6 authority staff + 5 body staff + 1 candidate account; 11 staff, 1 with an authenticator
    assert stat(html, "authority_admin", "users") == 12
    assert stat(html, "authority_admin", "login-alerts") == 1
    assert "s_admin（s_admin）近期登录失败 5 次，1 个来源暂停登录" in html
    assert stat(html, "authority_admin", "no-2fa") == 10
    assert "督促 10 名工作人员绑定双因素认证" in html
    assert stat(html, "authority_admin", "bodies") == 2
    assert "核实 1 个登录异常账户" in html
    # 2026's holidays are seeded, so nothing to enter for next year
    assert stat(html, "authority_admin", "calendar") > 0
    assert "录入 2026 年法定节假日与调休安排" not in html


@time_machine.travel("2026-12-01 10:00 +0800", tick=False)
def test_municipal_admin_is_asked_for_next_years_calendar(client, world):
    # when
    html = dashboard(client, world.municipal_admin)

    # then
    assert stat(html, "authority_admin", "calendar") == 0
    assert "录入 2027 年法定节假日与调休安排" in html


def test_district_admin_sees_only_the_district(client, world):
    # given
    pudong_admin = make_user("pudong_admin", Role.AUTHORITY_ADMIN, region=world.pudong)
    failed(world.body_s_admin, 5)  # in 闵行: not counted

    # when
    html = dashboard(client, pudong_admin)

    # then: pudong_admin, pudong_reviewer and body_y's four staff; no candidates, no calendar
    assert stat(html, "authority_admin", "users") == 6
    assert stat(html, "authority_admin", "login-alerts") == 0
    assert stat(html, "authority_admin", "no-2fa") == 6
    assert stat(html, "authority_admin", "bodies") == 1
    assert 'data-stat="calendar"' not in html
    assert world.body_s.name not in html


def test_body_admin_sees_the_body_and_its_staff_by_role(client, world):
    # given
    TOTPDevice.objects.create(user=world.body_y_examiner, name="phone", confirmed=True)

    # when
    html = dashboard(client, world.body_y_admin)

    # then
    assert "本机构 · 上海浦江机电集团有限公司" in html
    assert world.body_y.credit_code in html
    assert re.search(r'data-role="body_exam_staff">\s*<td>考务人员</td>\s*<td>y_exam_staff', html)
    assert re.search(r'data-role="body_examiner">\s*<td>考评员</td>\s*<td>y_examiner</td>', html)
    assert "工作人员（4 人）" in html
    assert "提醒 3 名员工绑定双因素认证" in html
    assert "s_admin" not in html
    assert world.body_s.name not in html


@pytest.mark.parametrize(
    ("name", "role", "step"),
    [
        ("body_y_exam_staff", "考务人员", "编制考前计划、受理考生报名"),
        ("body_y_examiner", "考评员", "查看分派给我的评价任务并录入成绩"),
        ("body_y_internal_supervisor", "内部督导员", "对本机构的评价活动进行内部督导"),
    ],
)
def test_body_staff_see_their_body_role_and_next_step(client, world, name, role, step):
    # when
    html = dashboard(client, getattr(world, name))

    # then
    assert f"<dt>所在机构</dt><dd>{world.body_y.name}</dd>" in html
    assert f"<dt>岗位</dt><dd>{role}</dd>" in html
    assert step in html
    assert "绑定双因素认证（TOTP 验证器）" in html  # none of them has an authenticator yet
    assert 'data-panel="body_admin"' not in html


def test_staff_with_an_authenticator_is_not_asked_to_enrol(client, world):
    # given
    TOTPDevice.objects.create(user=world.body_y_examiner, name="phone", confirmed=True)

    # when
    html = dashboard(client, world.body_y_examiner)

    # then
    assert 'data-panel="account"' not in html


def test_candidate_without_a_profile_is_asked_to_complete_it(client, world):
    # when
    html = dashboard(client, world.candidate)

    # then
    assert "您还没有考生档案。" in html
    assert "完善考生信息" in html
    assert 'data-panel="account"' not in html  # candidates need no authenticator


def test_candidate_sees_the_masked_profile_and_what_is_missing(client, world):
    # given: a profile without a mobile number
    candidate_create(
        name="张伟", id_type="resident_id", id_number="310115198803121519", user=world.candidate, actor=None
    )

    # when
    html = dashboard(client, world.candidate)

    # then
    assert '<dd data-field="id-number">310***********1519</dd>' in html
    assert "310115198803121519" not in html
    assert "补充：手机号码" in html
    assert '<dd data-field="complete">资料不完整</dd>' in html


def test_candidate_with_a_complete_profile(client, world):
    # given
    candidate_create(
        name="王芳",
        id_type="resident_id",
        id_number="310112199206072240",
        mobile="13700000102",
        user=world.candidate,
        actor=None,
    )

    # when
    html = dashboard(client, world.candidate)

    # then
    assert "<dd>137****0102</dd>" in html
    assert '<dd data-field="complete">资料完整，可以报名</dd>' in html
    assert "补充：" not in html


def test_user_without_roles_is_told_to_ask_for_one(client, world):
    # given
    nobody = make_user("nobody")

    # when
    html = dashboard(client, nobody)

    # then
    assert "尚未分配角色" in html


@pytest.mark.parametrize("name", ["municipal_admin", "municipal_reviewer", "body_y_admin", "candidate"])
def test_dashboard_queries_do_not_grow_with_staff(client, world, django_assert_max_num_queries, name):
    # given: many more staff in body_y
    for number in range(15):
        make_user(f"extra_{number}", Role.EXAMINER, body=world.body_y)
    client.force_login(getattr(world, name))

    # when / then
    with django_assert_max_num_queries(20):
        assert client.get("/dashboard/").status_code == 200
