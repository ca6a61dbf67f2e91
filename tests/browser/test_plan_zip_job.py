"""The body's exam staff press 生成证书压缩包 in Chromium, watch the job page update itself while the PDFs
are made, and download the ZIP when the 下载压缩包 button appears."""

import zipfile

import pytest
from django.urls import reverse

from conftest import WORLD_PASSWORD
from skillcert.certificates.tests.builders import issue_certificates, make_plan
from tests.browser.orm import beside_the_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Enough certificates (~100 PDFs a second) that the job is still running when its page first shows.
CERTIFICATES = 300


def sign_in(page, username: str) -> None:
    page.goto(page.base_url + reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", WORLD_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard/"), f"{username} 未能登录"


def test_exam_staff_generate_a_plans_zip_and_download_it_when_ready(world, page, settings, tmp_path):
    # given: a plan of body_y with its certificates issued, and its exam staff signed in
    settings.SKILLCERT_REQUIRE_2FA = False
    settings.SKILLCERT_JOBS_DIR = tmp_path / "jobs"
    settings.SKILLCERT_JOBS_PROGRESS_MS = 100
    plan = beside_the_browser(make_plan, site=world.site_y)
    beside_the_browser(issue_certificates, plan=plan, actor=world.body_y_admin, count=CERTIFICATES)
    sign_in(page, world.body_y_exam_staff.username)

    # when: they press the button on the plan page
    page.goto(page.base_url + reverse("evaluation:plan_detail", args=[plan.pk]))
    page.click("section[aria-labelledby=plan-certificates-title] >> button:has-text('生成证书压缩包')")
    page.wait_for_load_state()

    # then: the job page shows the job under way, updates itself, and offers the download when done
    assert "/certificates-zip/" in page.url
    assert page.locator("#plan-zip-job .progress").count() == 1
    download_button = page.locator("#plan-zip-job >> a:has-text('下载压缩包')")
    download_button.wait_for(timeout=120_000)
    assert f"已生成 {CERTIFICATES} 本证书的压缩包" in page.inner_text("#plan-zip-job")
    with page.expect_download() as caught:
        download_button.click()
    download = caught.value
    assert download.suggested_filename == f"certificates-{plan.number}.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert len(archive.namelist()) == CERTIFICATES
