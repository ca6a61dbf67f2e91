"""Plans: creation, submission deadline and ratios, the authority's decisions, staff, recusal.

The plan pages are tested in test_plan_pages.py, the plans API in test_plans_api.py."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from skillcert.accounts.roles import Role
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import EvaluationPlan, PlanStaff
from skillcert.evaluation.selectors import (
    examiner_may_mark,
    plan_get_for_user,
    plan_list_for_user,
    plan_next_steps,
    plan_timeline,
)
from skillcert.evaluation.services import (
    SessionInput,
    plan_acknowledge,
    plan_assign_external_supervisor,
    plan_reject,
    plan_staff_assign,
    plan_staff_remove,
    plan_submit,
    recusal_declare,
)
from skillcert.evaluation.services import plans as plan_services
from skillcert.evaluation.services import staff as staff_services
from skillcert.evaluation.tests.factories import (
    default_first_session_at,
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
    qualify_examiner,
    staff_user,
)
from skillcert.evaluation.tests.planning import create, sessions_for
from skillcert.registry.models import Body, Site
from skillcert.registry.services import MSG_MAY_NOT_EVALUATE

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = EvaluationPlan.Status
Duty = PlanStaff.Duty


# ---- create -----------------------------------------------------------------------------------------


def test_create_numbers_the_plan_and_audits_it(world):
    # given a 三级 spec (theory and skills) of body_y
    spec = make_spec(world)
    # when two plans are created
    first = create(world, spec)
    second = create(world, spec)
    # then they are drafts numbered in sequence for the body and year
    year = timezone.localdate().year
    assert first.number == f"P{year}-000101-0001"
    assert second.number == f"P{year}-000101-0002"
    assert first.status == Status.DRAFT
    assert sorted(first.sessions.values_list("component", flat=True)) == ["skills", "theory"]
    event = AuditEvent.objects.filter(action="plan.created").order_by("sequence").first()
    assert (event.actor_username, event.target_id) == ("y_admin", str(first.pk))
    assert event.data["number"] == first.number
    assert event.data["site"] == "000101"
    assert event.data["capacity"] == 30
    assert [s["component"] for s in event.data["sessions"]] == ["theory", "skills"]


def test_suspended_body_cannot_create_a_plan(world):
    # given body_y suspended (整改)
    spec = make_spec(world)
    Body.objects.filter(pk=world.body_y.pk).update(filing_status=Body.FilingStatus.SUSPENDED)
    world.body_y.refresh_from_db()
    # when its administrator creates a plan, then it is refused and nothing is written
    with pytest.raises(ApplicationError) as caught:
        create(world, spec)
    assert caught.value.message == str(MSG_MAY_NOT_EVALUATE)
    assert not EvaluationPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="plan.created").exists()


def test_spec_no_longer_in_scope_is_refused(world):
    spec = make_spec(world)
    from skillcert.registry.models import FiledScope

    FiledScope.objects.filter(tenant=world.body_y).update(withdrawn_at=timezone.now())
    with pytest.raises(ApplicationError) as caught:
        create(world, spec)
    assert caught.value.message == str(plan_services.MSG_SPEC_OUT_OF_SCOPE)


def test_site_rules(world):
    spec = make_spec(world)
    # another body's site
    with pytest.raises(ApplicationError) as caught:
        create(world, spec, site=world.site_s)
    assert caught.value.message == str(plan_services.MSG_SITE_NOT_OWN)
    # a site without a sequence code
    uncoded = Site.objects.create(tenant=world.body_y, name="新站点", address="浦东", district=world.pudong)
    with pytest.raises(ApplicationError) as caught:
        create(world, spec, site=uncoded)
    assert caught.value.message == str(plan_services.MSG_SITE_NO_CODE)
    # an inactive site
    Site.objects.filter(pk=world.site_y.pk).update(is_active=False)
    world.site_y.refresh_from_db()
    with pytest.raises(ApplicationError) as caught:
        create(world, spec)
    assert caught.value.message == str(plan_services.MSG_SITE_INACTIVE)


def test_sessions_must_match_the_spec(world):
    # given a 四级 spec: theory 90 min, skills 90 min, no review
    spec = make_spec(world, level_code="L4")
    start = default_first_session_at()
    sessions = [
        SessionInput("theory", start, start + timedelta(minutes=60)),
        SessionInput("review", start + timedelta(days=1), start + timedelta(days=1, hours=1)),
    ]
    # when created with a short theory session, a review and no skills
    with pytest.raises(ValidationError) as caught:
        create(world, spec, sessions=sessions)
    # then every problem is listed
    assert caught.value.message_dict == {
        "sessions": [
            "考试安排：理论知识考试时长 60 分钟，少于评价规范规定的 90 分钟。",
            "考试安排：评价规范不含综合评审。",
            "考试安排：缺少操作技能考核的时间。",
        ]
    }


def test_sessions_in_the_past_are_refused(world):
    spec = make_spec(world, level_code="L4")
    with pytest.raises(ValidationError) as caught:
        create(world, spec, sessions=sessions_for(spec, timezone.now() - timedelta(days=2)))
    assert caught.value.message_dict["sessions"][0] == "考试安排：理论知识考试的开始时间已过。"


def test_other_bodys_staff_cannot_create(world):
    with pytest.raises(ApplicationError):
        create(world, make_spec(world), actor=world.body_s_admin)


# ---- staff and ratios -------------------------------------------------------------------------------


def test_submit_lists_the_missing_staff(world):
    # given a draft plan for 30 candidates with no staff
    plan = make_plan(world, status=Status.DRAFT, staffed=False)
    # when submitted
    with pytest.raises(ApplicationError) as caught:
        plan_submit(plan=plan, actor=world.body_y_admin)
    # then the message names each missing kind of staff with the numbers
    assert caught.value.message == (
        "人员配备不符合要求："
        "理论知识考试：监考人员至少 2 名（考生 30 人，每 15 名考生 1 名，每考场不少于 2 名），已配备 0 名。 "
        "操作技能考核：考评员（含考评组长）至少 7 名且为奇数"
        "（考生 30 人，每 5 名考生 1 名，不少于 3 名），已配备 0 名。 "
        "考评组长：须指定 1 名（负责锁定成绩），已指定 0 名。"
    )


def test_too_few_invigilators(world):
    # given a fully staffed plan for 31 candidates: ceil(31/15) = 3 invigilators needed, 3 assigned
    plan = make_plan(world, status=Status.DRAFT, capacity=31)
    # when one invigilator is removed
    plan.staff.filter(duty=Duty.INVIGILATOR).first().delete()
    # then submission is refused for the invigilators
    with pytest.raises(ApplicationError) as caught:
        plan_submit(plan=plan, actor=world.body_y_admin)
    assert "监考人员至少 3 名（考生 31 人" in caught.value.message
    assert "已配备 2 名" in caught.value.message


def test_even_number_of_examiners(world):
    # given a plan for 10 candidates (3 examiners needed) staffed with chief + 2 examiners, plus one more
    plan = make_plan(world, status=Status.DRAFT, capacity=10)
    extra = staff_user(world.body_y, Role.EXAMINER, 50, qualify=plan.spec)
    PlanStaff.objects.create(plan=plan, user=extra, duty=Duty.EXAMINER)
    # when submitted with 4 examiners
    with pytest.raises(ApplicationError) as caught:
        plan_submit(plan=plan, actor=world.body_y_admin)
    # then the odd-number rule refuses it
    assert caught.value.message == (
        "人员配备不符合要求：操作技能考核：考评员（含考评组长）至少 3 名且为奇数"
        "（考生 10 人，每 5 名考生 1 名，不少于 3 名），已配备 4 名。"
    )


def test_review_panel_must_be_odd(world):
    plan = make_plan(world, spec=make_spec(world, level_code="L2"), status=Status.DRAFT, capacity=5)
    plan.staff.filter(duty=Duty.REVIEWER).first().delete()
    with pytest.raises(ApplicationError) as caught:
        plan_submit(plan=plan, actor=world.body_y_admin)
    assert caught.value.message == "人员配备不符合要求：综合评审：评审组成员至少 3 名且为奇数，已配备 2 名。"


def test_examiner_level_too_low(world):
    # given a 三级 plan and an examiner qualified only at 四级 in the occupation
    plan = make_plan(world, status=Status.DRAFT, staffed=False)
    examiner = staff_user(world.body_y, Role.EXAMINER, 60)
    qualify_examiner(examiner, spec=plan.spec, level_code="L4")
    # when assigned as examiner, then it is refused
    with pytest.raises(ApplicationError) as caught:
        plan_staff_assign(plan=plan, user=examiner, duty=Duty.EXAMINER, actor=world.body_y_admin)
    assert (
        caught.value.message
        == f"人员：{examiner.full_name} 未持有本职业三级/高级工或更高等级的资质，不能担任考评员。"
    )
    # and an examiner without any qualification is refused too
    bare = staff_user(world.body_y, Role.EXAMINER, 61)
    with pytest.raises(ApplicationError):
        plan_staff_assign(plan=plan, user=bare, duty=Duty.CHIEF_EXAMINER, actor=world.body_y_admin)
    assert not plan.staff.exists()


def test_examiner_level_rule_can_be_switched_off(world, settings):
    settings.SKILLCERT_EXAMINER_LEVEL_RULE = "none"
    plan = make_plan(world, status=Status.DRAFT, staffed=False)
    bare = staff_user(world.body_y, Role.EXAMINER, 61)
    staff = plan_staff_assign(plan=plan, user=bare, duty=Duty.EXAMINER, actor=world.body_y_admin)
    assert staff.duty == Duty.EXAMINER


def test_staff_assignment_rules(world):
    plan = make_plan(world, status=Status.DRAFT, staffed=False)
    qualify_examiner(world.body_y_examiner, spec=plan.spec)
    # exam staff may invigilate but not examine
    with pytest.raises(ApplicationError) as caught:
        plan_staff_assign(
            plan=plan, user=world.body_y_exam_staff, duty=Duty.EXAMINER, actor=world.body_y_admin
        )
    assert caught.value.message == "人员：y_exam_staff 没有担任考评员所需的角色（考评员）。"
    # another body's staff cannot be assigned
    with pytest.raises(ApplicationError) as caught:
        plan_staff_assign(plan=plan, user=world.body_s_admin, duty=Duty.INVIGILATOR, actor=world.body_y_admin)
    assert caught.value.message == str(staff_services.MSG_STAFF_NOT_OWN)
    # a 三级 plan has no review panel
    with pytest.raises(ApplicationError) as caught:
        plan_staff_assign(plan=plan, user=world.body_y_examiner, duty=Duty.REVIEWER, actor=world.body_y_admin)
    assert caught.value.message == str(staff_services.MSG_NO_REVIEW)
    # one chief examiner only
    plan_staff_assign(
        plan=plan, user=world.body_y_examiner, duty=Duty.CHIEF_EXAMINER, actor=world.body_y_admin
    )
    other = staff_user(world.body_y, Role.EXAMINER, 1, qualify=plan.spec)
    with pytest.raises(ApplicationError) as caught:
        plan_staff_assign(plan=plan, user=other, duty=Duty.CHIEF_EXAMINER, actor=world.body_y_admin)
    assert caught.value.message == str(staff_services.MSG_CHIEF_EXISTS)
    # the assignment that passed is audited
    event = AuditEvent.objects.get(action="plan.staff_assigned")
    assert event.data == {"number": plan.number, "user": "y_examiner", "duty": "chief_examiner"}


def test_removal_that_breaks_the_ratio_after_acknowledgment_is_refused(world):
    # given an acknowledged plan staffed exactly
    plan = make_plan(world, status=Status.ACKNOWLEDGED)
    invigilator = plan.staff.filter(duty=Duty.INVIGILATOR).first()
    # when an invigilator is removed, then it is refused and the row stays
    with pytest.raises(ApplicationError) as caught:
        plan_staff_remove(staff=invigilator, actor=world.body_y_admin)
    assert caught.value.message.startswith(
        "计划已提交，移除后人员配备将不符合要求：理论知识考试：监考人员至少 2 名"
    )
    assert PlanStaff.objects.filter(pk=invigilator.pk).exists()
    # while the internal supervisor (no ratio) may be removed, with an audit event
    supervisor = plan.staff.get(duty=Duty.INTERNAL_SUPERVISOR)
    plan_staff_remove(staff=supervisor, actor=world.body_y_admin)
    assert AuditEvent.objects.get(action="plan.staff_removed").data == {
        "number": plan.number,
        "user": "y_internal_supervisor",
        "duty": "internal_supervisor",
    }


# ---- submit -----------------------------------------------------------------------------------------


def test_submit_a_staffed_plan_in_time(world):
    plan = make_plan(world, status=Status.DRAFT)
    plan = plan_submit(plan=plan, actor=world.body_y_exam_staff)
    assert plan.status == Status.SUBMITTED
    assert plan.submitted_at is not None
    event = AuditEvent.objects.get(action="plan.submitted")
    assert event.actor_username == "y_exam_staff"
    assert event.data["from"] == "draft"


def national_day_plan(world):
    """A staffed draft whose first component is on Tuesday 2025-10-14, after the National Day holiday."""
    first = datetime.combine(date(2025, 10, 14), time(9, 0), tzinfo=SHANGHAI)
    return make_plan(world, status=Status.DRAFT, first_session_at=first)


def test_submit_on_the_last_allowed_day_across_national_day(world):
    # given the first component on 2025-10-14: five working days before it are 10-13, 10-11 (make-up
    # Saturday), 10-10, 10-09 and 09-30 (10-01 to 10-08 are the holiday)
    plan = national_day_plan(world)
    # when submitted on 2025-09-30
    with time_machine.travel(datetime(2025, 9, 30, 17, 0, tzinfo=SHANGHAI), tick=False):
        plan = plan_submit(plan=plan, actor=world.body_y_admin)
    # then it is accepted
    assert plan.status == Status.SUBMITTED
    assert AuditEvent.objects.get(action="plan.submitted").data["deadline"] == "2025-09-30"


def test_submit_inside_the_working_days_across_national_day_is_refused(world):
    # given the same plan, submitted on 2025-10-09 (only 4 working days before 10-14)
    plan = national_day_plan(world)
    with (
        time_machine.travel(datetime(2025, 10, 9, 9, 0, tzinfo=SHANGHAI), tick=False),
        pytest.raises(ApplicationError) as caught,
    ):
        plan_submit(plan=plan, actor=world.body_y_admin)
    # then the message names the deadline and the earliest possible first component
    assert caught.value.message == (
        "提交过晚：计划须在首场考试（2025-10-14）前至少 5 个工作日提交，最晚提交日为 2025-09-30。"
        "如今天提交，首场考试最早可安排在 2025-10-15。"
    )
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT
    assert not AuditEvent.objects.filter(action="plan.submitted").exists()


def test_submit_of_a_suspended_body_is_refused(world):
    plan = make_plan(world, status=Status.DRAFT)
    Body.objects.filter(pk=world.body_y.pk).update(filing_status=Body.FilingStatus.SUSPENDED)
    with pytest.raises(ApplicationError) as caught:
        plan_submit(plan=plan, actor=world.body_y_admin)
    assert caught.value.message == str(MSG_MAY_NOT_EVALUATE)


# ---- the authority ----------------------------------------------------------------------------------


def test_pudong_reviewer_acknowledges(world):
    plan = make_plan(world, status=Status.SUBMITTED)
    plan = plan_acknowledge(plan=plan, actor=world.pudong_reviewer)
    assert (plan.status, plan.decided_by) == (Status.ACKNOWLEDGED, world.pudong_reviewer)
    event = AuditEvent.objects.get(action="plan.acknowledged")
    assert (event.actor_username, event.scope) == ("pudong_reviewer", "region:310115")


def test_minhang_reviewer_cannot_reach_a_pudong_plan(world):
    # given a submitted plan of body_y (浦东)
    plan = make_plan(world, status=Status.SUBMITTED)
    # then the 闵行 reviewer does not see it (404 at every edge) and the service refuses too
    with pytest.raises(Http404):
        plan_get_for_user(user=world.minhang_reviewer, plan_id=plan.pk)
    with pytest.raises(ApplicationError) as caught:
        plan_acknowledge(plan=plan, actor=world.minhang_reviewer)
    assert caught.value.message == str(plan_services.MSG_NOT_AUTHORITY)
    # while the municipal reviewer sees it
    assert plan_get_for_user(user=world.municipal_reviewer, plan_id=plan.pk) == plan


def test_reject_needs_a_reason(world):
    plan = make_plan(world, status=Status.SUBMITTED)
    with pytest.raises(ValidationError) as caught:
        plan_reject(plan=plan, reason="  ", actor=world.pudong_reviewer)
    assert caught.value.message_dict == {"reason": ["请填写退回原因。"]}
    plan = plan_reject(plan=plan, reason="考评员名单与备案不符", actor=world.pudong_reviewer)
    assert (plan.status, plan.decision_reason) == (Status.REJECTED, "考评员名单与备案不符")
    assert AuditEvent.objects.get(action="plan.rejected").data == {
        "number": plan.number,
        "reason": "考评员名单与备案不符",
    }
    # and a returned plan can be submitted again
    assert plan_submit(plan=plan, actor=world.body_y_admin).status == Status.SUBMITTED


def test_only_a_submitted_plan_can_be_acknowledged(world):
    plan = make_plan(world, status=Status.DRAFT)
    with pytest.raises(ApplicationError) as caught:
        plan_acknowledge(plan=plan, actor=world.pudong_reviewer)
    assert caught.value.message == str(plan_services.MSG_NOT_SUBMITTED)


def test_external_supervisor(world):
    plan = make_plan(world, status=Status.SUBMITTED)
    # a reviewer is not a supervisor
    with pytest.raises(ApplicationError) as caught:
        plan_assign_external_supervisor(
            plan=plan, supervisor=world.pudong_reviewer, actor=world.pudong_reviewer
        )
    assert caught.value.message == str(plan_services.MSG_SUPERVISOR_NOT_ELIGIBLE)
    # the municipal supervisor covers 浦东
    plan = plan_assign_external_supervisor(
        plan=plan, supervisor=world.municipal_supervisor, actor=world.pudong_reviewer
    )
    assert plan.external_supervisor == world.municipal_supervisor
    assert AuditEvent.objects.get(action="plan.external_supervisor_assigned").data == {
        "number": plan.number,
        "supervisor": "muni_supervisor",
        "previous": "",
    }


# ---- recusal ----------------------------------------------------------------------------------------


def test_recusal_keeps_the_examiner_away_from_that_candidate(world):
    # given an open plan with two candidates
    plan = make_plan(world)
    relative = make_candidate("李四", make_resident_id(date(1990, 3, 1), sequence=11))
    stranger = make_candidate("王五", make_resident_id(date(1991, 4, 2), sequence=12))
    make_application(plan, relative)
    make_application(plan, stranger)
    examiner = world.body_y_examiner  # the chief examiner of the plan
    assert examiner_may_mark(plan=plan, examiner=examiner, candidate=relative) is True
    # when the examiner declares a relationship with one candidate
    recusal_declare(plan=plan, examiner=examiner, candidate=relative, relationship="表兄弟", actor=examiner)
    # then they may not mark that candidate, and still may mark the other
    assert examiner_may_mark(plan=plan, examiner=examiner, candidate=relative) is False
    assert examiner_may_mark(plan=plan, examiner=examiner, candidate=stranger) is True
    event = AuditEvent.objects.get(action="plan.recusal_declared")
    assert event.data == {
        "number": plan.number,
        "examiner": "y_examiner",
        "candidate": relative.pk,
        "relationship": "表兄弟",
    }
    # and a second declaration is refused
    with pytest.raises(ApplicationError):
        recusal_declare(plan=plan, examiner=examiner, candidate=relative, relationship="亲属", actor=examiner)


def test_recusal_rules(world):
    plan = make_plan(world)
    candidate = make_candidate("赵六", make_resident_id(date(1992, 5, 3), sequence=13))
    # a candidate who has not applied
    with pytest.raises(ApplicationError) as caught:
        recusal_declare(
            plan=plan,
            examiner=world.body_y_examiner,
            candidate=candidate,
            relationship="同事",
            actor=world.body_y_admin,
        )
    assert caught.value.message == str(staff_services.MSG_RECUSAL_NOT_CANDIDATE)
    make_application(plan, candidate)
    # someone who does not mark on the plan
    with pytest.raises(ApplicationError) as caught:
        recusal_declare(
            plan=plan,
            examiner=world.body_y_exam_staff,
            candidate=candidate,
            relationship="同事",
            actor=world.body_y_admin,
        )
    assert caught.value.message == "回避：y_exam_staff 不是本计划的考评人员。"
    # one examiner cannot declare for another
    other = plan.staff.filter(duty=Duty.EXAMINER).first().user
    with pytest.raises(ApplicationError) as caught:
        recusal_declare(
            plan=plan, examiner=world.body_y_examiner, candidate=candidate, relationship="同事", actor=other
        )
    assert caught.value.message == str(staff_services.MSG_RECUSAL_ACTOR)
    # and someone not on the plan may never mark
    assert examiner_may_mark(plan=plan, examiner=world.body_y_exam_staff, candidate=candidate) is False


# ---- plan page selectors ----------------------------------------------------------------------------


def test_timeline_and_next_steps_follow_the_status(world):
    plan = make_plan(world, status=Status.DRAFT)
    # a draft: the body is asked to staff and submit; the authority waits
    labels = [step.label for step in plan_next_steps(plan=plan, user=world.body_y_admin)]
    assert labels == ["配备考评和监考人员", "提交计划"]
    assert [step.url_name for step in plan_next_steps(plan=plan, user=world.body_y_admin)] == [
        "evaluation:plan_staff",
        "evaluation:plan_submit",
    ]
    assert [step.label for step in plan_next_steps(plan=plan, user=world.pudong_reviewer)] == [
        "等待机构提交计划"
    ]
    assert [(stage.label, stage.state) for stage in plan_timeline(plan=plan)][:2] == [
        ("草稿", "current"),
        ("已提交", "upcoming"),
    ]
    # submitted: the authority acknowledges, rejects or assigns a supervisor
    plan.status = Status.SUBMITTED
    assert [step.label for step in plan_next_steps(plan=plan, user=world.pudong_reviewer)] == [
        "确认计划",
        "退回计划",
        "指派外部督导员",
    ]
    assert plan_next_steps(plan=plan, user=world.minhang_reviewer) == []
    # issued: every stage done
    plan.status = Status.ISSUED
    assert {stage.state for stage in plan_timeline(plan=plan)} == {"done"}
    assert [step.label for step in plan_next_steps(plan=plan, user=world.body_y_admin)] == ["证书已发放"]
    # rejected: the current stage says so
    plan.status = Status.REJECTED
    assert plan_timeline(plan=plan)[1].note == "已被人社部门退回"


def test_examiner_steps_on_an_open_plan(world):
    plan = make_plan(world)
    labels = [step.label for step in plan_next_steps(plan=plan, user=world.body_y_examiner)]
    assert labels == ["申报回避", "录入成绩", "锁定成绩"]


def test_list_scoping(world):
    pudong_plan = make_plan(world)
    minhang_plan = make_plan(world, spec=make_spec(world, body=world.body_s))
    assert list(plan_list_for_user(user=world.body_y_admin)) == [pudong_plan]
    assert list(plan_list_for_user(user=world.pudong_reviewer)) == [pudong_plan]
    assert list(plan_list_for_user(user=world.minhang_reviewer)) == [minhang_plan]
    assert set(plan_list_for_user(user=world.municipal_statistician)) == {pudong_plan, minhang_plan}
    assert list(plan_list_for_user(user=world.candidate)) == []
    assert list(plan_list_for_user(user=world.municipal_admin, status=Status.DRAFT)) == []
