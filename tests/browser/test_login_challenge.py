"""Signing in to an account that has failed too often: Chromium runs the page's proof of work while the
person types the password, and submits once both are there (security.md A2)."""

import pytest

from skillcert.accounts.authentication import LoginRefused, login_check_password
from skillcert.core.request_context import RequestContext
from skillcert.portal.demo import demo_load
from tests.browser.orm import beside_the_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

USERNAME = "ks_zhangwei"


def fail_from_elsewhere(times: int) -> None:
    """Wrong passwords on the account from another client, through the sign-in service itself."""
    for attempt in range(times):
        context = RequestContext(ip_address=f"198.51.100.{attempt + 1}", request_id=f"browser-{attempt}")
        with pytest.raises(LoginRefused):
            login_check_password(username=USERNAME, password="Wrong-Passw0rd!", context=context)


def test_a_challenged_account_signs_in_with_the_solver_running_in_the_page(page, settings):
    # given: the demo data, and an account that has failed three times from elsewhere, which is as many as
    # it takes here to need a challenge; the challenge is of the default difficulty
    settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = 3
    assert settings.SKILLCERT_LOGIN_CHALLENGE_BITS == 18
    beside_the_browser(demo_load)
    beside_the_browser(fail_from_elsewhere, times=3)

    # when: the person signs in
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", settings.SKILLCERT_DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    # then: the page explains the browser check, keeps the username and asks for the password again
    text = page.inner_text("main")
    assert "为保护账户安全，本次登录须先完成浏览器验证" in text
    assert "验证由本网站在您的浏览器中自行计算，不经第三方" in text
    assert page.input_value("input[name=username]") == USERNAME
    assert page.input_value("input[name=password]") == ""

    # when: they type the password and press 登录 at once, while the check may still be running
    page.fill("input[name=password]", settings.SKILLCERT_DEMO_PASSWORD)
    page.click("form button[type=submit]")

    # then: the page finishes the check, submits by itself, and they are signed in and told of the failures
    page.wait_for_url("**/dashboard/", timeout=60_000)
    assert "自您上次登录以来，您的账户有 3 次登录失败" in page.inner_text("main")


def test_the_challenge_page_says_what_to_do_without_javascript(page, settings, browser_without_javascript):
    # given: an account that needs a challenge, and a browser without JavaScript
    settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = 3
    beside_the_browser(demo_load)
    beside_the_browser(fail_from_elsewhere, times=3)
    plain = browser_without_javascript

    # when
    plain.goto(page.base_url + "/accounts/login/")
    plain.fill("input[name=username]", USERNAME)
    plain.fill("input[name=password]", settings.SKILLCERT_DEMO_PASSWORD)
    plain.click("form button[type=submit]")
    plain.wait_for_load_state()

    # then
    assert "本浏览器未启用 JavaScript，无法完成浏览器验证" in plain.inner_text("main")


@pytest.fixture
def browser_without_javascript(page):
    context = page.context.browser.new_context(locale="zh-CN", java_script_enabled=False)
    plain = context.new_page()
    plain.set_default_timeout(15_000)
    yield plain
    context.close()
