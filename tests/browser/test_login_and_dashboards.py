"""A person signs in through the real login form in Chromium and lands on their role's dashboard."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from django.conf import settings

from skillcert.portal.demo import demo_load
from tests.browser.orm import beside_the_browser

# The live server needs real commits; serialized rollback restores the reference data that the migrations
# seeded, which the flush after each transactional test removes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# One demo account per role, with what that role's dashboard must show.
DASHBOARDS = [
    ("sh_admin", "上海市 · 管理员", ["账户与系统管理", "登录异常账户", "上海浦江机电集团有限公司"]),
    ("sh_reviewer", "上海市 · 备案审核员", ["上海浦江机电集团有限公司", "上海闵行职业技能评价中心"]),
    ("sh_supervisor", "上海市 · 督导员", ["上海闵行职业技能评价中心"]),
    ("sh_statistician", "上海市 · 统计员", ["上海浦江机电集团有限公司"]),
    ("pd_reviewer", "浦东新区 · 备案审核员", ["上海浦江机电集团有限公司"]),
    ("pj_admin", "上海浦江机电集团有限公司 · 机构管理员", ["工作人员"]),
    ("pj_exam_staff", "上海浦江机电集团有限公司 · 考务人员", ["上海浦江机电集团有限公司"]),
    ("pj_examiner", "上海浦江机电集团有限公司 · 考评员", ["上海浦江机电集团有限公司"]),
    ("pj_supervisor", "上海浦江机电集团有限公司 · 内部督导员", ["上海浦江机电集团有限公司"]),
    ("ks_zhangwei", "考生", ["310***********"]),
]


def sign_in(page, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.SKILLCERT_DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("username", "identity", "expected_texts"), DASHBOARDS, ids=[d[0] for d in DASHBOARDS]
)
def test_each_demo_role_signs_in_and_sees_its_dashboard(page, settings, username, identity, expected_texts):
    # given the demo data and two-factor login turned off, as `SKILLCERT_REQUIRE_2FA=0 make run` does
    settings.SKILLCERT_REQUIRE_2FA = False
    beside_the_browser(demo_load)

    # when the person signs in through the login form
    sign_in(page, username)

    # then they are on the dashboard of their own role and scope
    assert page.url.endswith("/dashboard/")
    text = page.inner_text("main")
    assert "工作台" in text
    assert identity in page.inner_text("body")
    for expected in expected_texts:
        assert expected in text, f"{username} 的工作台应显示“{expected}”"


def test_district_reviewer_does_not_see_the_other_district(page, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    beside_the_browser(demo_load)

    sign_in(page, "pd_reviewer")

    text = page.inner_text("main")
    assert "上海浦江机电集团有限公司" in text
    assert "上海闵行职业技能评价中心" not in text


def totp(secret: str, at: float) -> str:
    """RFC 6238 with SHA-1, 30-second steps and 6 digits: what an authenticator app computes."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def test_staff_enrol_an_authenticator_at_first_login(page, settings):
    # given two-factor login on (the default) and a staff member without an authenticator
    settings.SKILLCERT_REQUIRE_2FA = True
    beside_the_browser(demo_load)

    # when they sign in, they are asked to bind an authenticator; they start, then type the code it shows
    sign_in(page, "pd_reviewer")
    assert "/accounts/login/enrol/" in page.url
    page.click("#enrolment-start")
    page.wait_for_load_state()
    secret = page.inner_text("#totp-secret").strip()
    page.fill("input[name=code]", totp(secret, time.time()))
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    # then they see their one-time recovery codes once, and then their dashboard
    assert "恢复码" in page.inner_text("main")
    page.click("text=我已保存，继续")
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard/")
    assert "浦东新区 · 备案审核员" in page.inner_text("body")
