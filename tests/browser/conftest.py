"""Playwright driving Debian's chromium against the live test server.

Where chromium is not installed the browser tests are reported as skipped, with the command that installs
it; CI (.ci/run) always installs it.

The browser starts for each test, after the database fixtures: once Playwright's event loop runs in this
thread, Django hands the ORM a connection of the async context, and a database restore (serialized
rollback) must already have happened on the test's own connection by then.
"""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "Debian chromium 未安装，浏览器测试跳过。安装：sudo apt-get install -y chromium fonts-noto-cjk"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page(live_server, monkeypatch):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    # The ORM calls that tests make between page actions are synchronous and safe, though Playwright's
    # event loop is running in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        yield page
        context.close()
        browser.close()
