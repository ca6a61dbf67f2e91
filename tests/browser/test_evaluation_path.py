"""The main path of an evaluation in the portal, in Chromium, from the authority's acknowledgement to a
candidate's certificate.

Setup through the services (the demo's people and filed bodies, a spec, a staffed plan submitted to the
authority); then people do every step in the browser: the 浦东 reviewer acknowledges the plan, exam staff
register a candidate and enter the scores, the body administrator confirms them (double entry), the chief
examiner locks them, the administrator publishes the passing list and reports, the reviewer approves, the
administrator issues the certificate, and the candidate finds it under 我的证书.

Time cannot pass in a browser test, so the test moves two dates directly, as the demo does: the exam into
the past before scores are entered, and the publicity period into the past before the report.
"""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.core.calendar import add_working_days
from skillcert.evaluation.models import Component, EvaluationPlan, PlanSession, PlanStaff, StaffQualification
from skillcert.evaluation.selectors.publicity import publicity_ends_on
from skillcert.evaluation.services import (
    SessionInput,
    plan_create,
    plan_staff_assign,
    plan_submit,
    spec_create,
)
from skillcert.portal.demo import demo_load
from skillcert.portal.demo_candidates import CANDIDATES
from skillcert.reference.models import Occupation, SkillLevel
from skillcert.registry.models import Site
from tests.browser.orm import beside_the_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ELECTRICIAN = "6-31-01-03"
ZHANG_WEI = next(candidate for candidate in CANDIDATES if candidate.username == "ks_zhangwei")
THEORY = "82"
SKILLS = {"徐明": "76", "钱卫东": "80", "蒋立新": "74"}  # each examiner's mark; the chief is 徐明
SHOTS = "/tmp/skillcert-evaluation-path-{}.png"


def at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def submitted_plan() -> EvaluationPlan:
    """The demo body 浦江机电 has a spec for 电工 四级 and a staffed plan submitted to 浦东 (services)."""
    demo_load()
    users = {user.username: user for user in User.objects.filter(username__startswith="pj_")}
    admin, exam_staff = users["pj_admin"], users["pj_exam_staff"]
    body = admin.body
    occupation = Occupation.objects.get(code=ELECTRICIAN)
    for username in ("pj_examiner", "pj_examiner2", "pj_examiner3"):
        StaffQualification.objects.create(
            tenant=body, user=users[username], occupation=occupation, level=SkillLevel.objects.get(code="L2")
        )
    spec = spec_create(body=body, occupation=occupation, level=SkillLevel.objects.get(code="L4"), actor=admin)
    exam_on = add_working_days(timezone.localdate(), 10)
    plan = plan_create(
        body=body,
        spec=spec,
        site=Site.objects.get(tenant=body),
        capacity=15,
        sessions=[
            SessionInput(Component.THEORY, at(exam_on, 9), at(exam_on, 10, 30), "教学楼 201"),
            SessionInput(Component.SKILLS, at(exam_on, 13, 30), at(exam_on, 15), "实训楼 301"),
        ],
        actor=exam_staff,
    )
    duties = [
        ("pj_examiner", PlanStaff.Duty.CHIEF_EXAMINER),
        ("pj_examiner2", PlanStaff.Duty.EXAMINER),
        ("pj_examiner3", PlanStaff.Duty.EXAMINER),
        ("pj_exam_staff", PlanStaff.Duty.INVIGILATOR),
        ("pj_exam_staff2", PlanStaff.Duty.INVIGILATOR),
    ]
    for username, duty in duties:
        plan_staff_assign(plan=plan, user=users[username], duty=duty, actor=exam_staff)
    return plan_submit(plan=plan, actor=admin)


def publicity_moved_into_the_past(*, plan: EvaluationPlan) -> None:
    """The plan's publicity period as if it had ended yesterday or so (the calendar says when)."""
    starts_on = add_working_days(timezone.localdate(), -8)
    EvaluationPlan.objects.filter(pk=plan.pk).update(
        publicity_starts_on=starts_on, publicity_ends_on=publicity_ends_on(starts_on=starts_on)
    )


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.SKILLCERT_DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard/"), f"{username} 未能登录"


def open_plan(page, plan: EvaluationPlan) -> None:
    page.goto(f"{page.base_url}/evaluation/plans/{plan.pk}/")


def current_stage(page) -> str:
    """The label of the stage the timeline marks as current (shown in bold)."""
    return page.inner_text("ol.sc-timeline li[aria-current=step] strong").strip()


def next_steps(page) -> str:
    return page.inner_text("section[aria-labelledby=next-steps]")


def click_and_load(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


def test_a_plan_from_acknowledgement_to_a_certificate_in_the_portal(page, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    plan = beside_the_browser(submitted_plan)

    # the 浦东 reviewer sees the submitted plan and what to do, and acknowledges it
    sign_in(page, "pd_reviewer")
    open_plan(page, plan)
    assert current_stage(page) == "已提交"
    assert "确认计划" in next_steps(page)
    click_and_load(page, "section[aria-labelledby=next-steps] >> text=确认计划")
    click_and_load(page, "button:has-text('确认计划')")
    assert "已确认计划，计划开放报名。" in page.inner_text("main")
    assert current_stage(page) == "报名中"

    # exam staff register 张伟 from the applications page; he is eligible and gets a ticket number
    sign_in(page, "pj_exam_staff")
    open_plan(page, plan)
    assert "组织报名并审核申报资格" in next_steps(page)
    page.screenshot(path=SHOTS.format(1), full_page=True)
    click_and_load(page, "section[aria-labelledby=next-steps] >> text=组织报名并审核申报资格")
    click_and_load(page, "a:has-text('登记考生')")
    page.fill("#id_name", ZHANG_WEI.name)
    page.fill("#id_id_number", ZHANG_WEI.id_number)
    page.fill("#id_work_years", "8")
    click_and_load(page, "button:has-text('登记并审核')")
    ticket = f"{plan.number}-0001"
    assert f"已登记 张伟，准考证号 {ticket}。" in page.inner_text("main")
    assert "资格审核通过 1 人" in page.inner_text("main")

    # the exam takes place (date move), then exam staff enter the theory score and each examiner's mark
    beside_the_browser(
        PlanSession.objects.filter(plan=plan).update,
        starts_at=timezone.now() - timedelta(days=2, hours=3),
        ends_at=timezone.now() - timedelta(days=2),
    )
    page.goto(f"{page.base_url}/evaluation/plans/{plan.pk}/scores/")
    for sheet, value in [("理论知识考试", THEORY), *((f"操作技能考核：{n}", v) for n, v in SKILLS.items())]:
        click_and_load(page, f"main a:has-text('{sheet}')")
        page.fill("input[name^=score-]", value)
        click_and_load(page, "button:has-text('保存成绩')")
    page.goto(f"{page.base_url}/evaluation/plans/{plan.pk}/scores/")
    assert "没有需要您复核的成绩" in page.inner_text("main")  # nobody confirms their own entries

    # the body administrator types every score again: all four agree
    sign_in(page, "pj_admin")
    page.goto(f"{page.base_url}/evaluation/plans/{plan.pk}/scores/")
    click_and_load(page, "a:has-text('复核 4 个待复核的成绩')")
    for row in page.locator("tbody tr").all():
        cells = row.inner_text()
        marker = next((name for name in SKILLS if name in cells), None)
        row.locator("input").fill(SKILLS[marker] if marker else THEORY)
    click_and_load(page, "button:has-text('提交复核')")
    page.goto(f"{page.base_url}/evaluation/plans/{plan.pk}/scores/")
    page.screenshot(path=SHOTS.format(2), full_page=True)
    assert "没有复核不一致的成绩。" in page.inner_text("main")

    # the chief examiner locks the scores; 张伟 passes (theory 82, skills (76+80+74)/3 = 76.66)
    sign_in(page, "pj_examiner")
    page.goto(f"{page.base_url}/evaluation/plans/{plan.pk}/scores/")
    click_and_load(page, "a:has-text('锁定成绩并生成评定结果')")
    click_and_load(page, "button:has-text('确认锁定成绩')")
    page.goto(f"{page.base_url}/evaluation/plans/{plan.pk}/results/")
    results = page.inner_text("main")
    assert "76.66" in results and "82.00" in results and "合格" in results

    # the administrator publishes the passing list; anyone sees it with the name masked
    sign_in(page, "pj_admin")
    open_plan(page, plan)
    assert current_stage(page) == "成绩锁定"
    click_and_load(page, "section[aria-labelledby=next-steps] >> text=发布合格名单公示")
    click_and_load(page, "button:has-text('确认发布公示')")
    assert current_stage(page) == "公示中"
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/evaluation/publicity/{plan.number}/")
    public = page.inner_text("main")
    page.screenshot(path=SHOTS.format(3), full_page=True)
    assert "张*" in public and ZHANG_WEI.id_number not in public and "张伟" not in public

    # the publicity period ends (date move); the administrator reports the results
    beside_the_browser(publicity_moved_into_the_past, plan=plan)
    sign_in(page, "pj_admin")
    open_plan(page, plan)
    click_and_load(page, "section[aria-labelledby=next-steps] >> text=答复异议，公示期满后报送结果")
    click_and_load(page, "button:has-text('确认报送')")
    assert current_stage(page) == "已报送"

    # the 浦东 reviewer approves the results
    sign_in(page, "pd_reviewer")
    open_plan(page, plan)
    click_and_load(page, "section[aria-labelledby=next-steps] >> text=审核评价结果")
    click_and_load(page, "button:has-text('确认核准')")
    assert current_stage(page) == "结果核准"

    # the administrator issues the certificate
    sign_in(page, "pj_admin")
    open_plan(page, plan)
    click_and_load(page, "section[aria-labelledby=next-steps] >> text=发放证书")
    page.check("#id_confirm")
    click_and_load(page, "button:has-text('确认发放')")
    number = f"Y000031001501{timezone.localdate().year % 100:02d}4000001"
    assert number in page.inner_text("main")
    open_plan(page, plan)
    assert page.locator("ol.sc-timeline li[aria-current=step]").count() == 0  # every stage done
    assert "证书已发放" in next_steps(page)
    page.screenshot(path=SHOTS.format(4), full_page=True)

    # 张伟 signs in and finds his certificate under 我的证书
    sign_in(page, "ks_zhangwei")
    page.goto(f"{page.base_url}/certificates/mine/")
    mine = page.inner_text("main")
    assert number in mine and "电工" in mine and "四级/中级工" in mine
