"""The evaluation part of the demo: filings, specs and a plan at every stage, walked through the services."""

from collections import Counter

from django.urls import reverse
from django.utils import timezone

from skillcert.accounts.models import Candidate, User
from skillcert.certificates.models import Certificate
from skillcert.core.audit import audit_chain_verify
from skillcert.core.identifiers import parse_certificate_number
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import (
    Application,
    Component,
    EvaluationPlan,
    EvaluationSpec,
    Objection,
    PlanStaff,
    Recusal,
    ResultReport,
    ScoreEntry,
    StaffQualification,
)
from skillcert.evaluation.selectors.plans import plan_first_session_date, plan_submit_deadline
from skillcert.evaluation.selectors.publicity import publicity_get_public, publicity_is_open
from skillcert.portal.demo import demo_load
from skillcert.registry.models import Body, FiledScope, FilingApplication, Site

Status = EvaluationPlan.Status
PUDONG, MINHANG = "310115", "310112"


def demo_bodies() -> dict[str, Body]:
    return {body.district_id: body for body in Body.objects.all()}


def test_each_body_is_filed_through_an_approved_filing(db):
    # when
    demo_load(evaluation=True)

    # then: one approved initial filing per body, decided by its district's reviewer
    bodies = demo_bodies()
    filings = FilingApplication.objects.select_related("decided_by").order_by("district_id")
    assert [(f.district_id, f.kind, f.status, f.decided_by.username) for f in filings] == [
        (MINHANG, "initial", "approved", "mh_reviewer"),
        (PUDONG, "initial", "approved", "pd_reviewer"),
    ]
    assert {(site.tenant.district_id, site.sequence_code) for site in Site.objects.all()} == {
        (PUDONG, "001501"),
        (MINHANG, "001201"),
    }
    scope = {
        (row.tenant.district_id, row.occupation.code, row.job_type.name if row.job_type else "", row.level_id)
        for row in FiledScope.objects.select_related("tenant", "occupation", "job_type")
    }
    assert scope == {
        (PUDONG, "6-31-01-03", "", "L5"),
        (PUDONG, "6-31-01-03", "", "L4"),
        (PUDONG, "6-31-01-03", "", "L3"),
        (PUDONG, "6-18-02-04", "电焊工", "L4"),
        (PUDONG, "6-18-02-04", "电焊工", "L3"),
        (MINHANG, "4-10-01-05", "", "L5"),
        (MINHANG, "4-10-01-05", "", "L4"),
        (MINHANG, "4-03-02-01", "", "L4"),
        (MINHANG, "4-07-03-04", "", "L3"),
        (MINHANG, "4-07-03-04", "", "L2"),
    }
    # a spec for every scope row, and every demo examiner qualified in their body's occupations
    assert EvaluationSpec.objects.count() == 10
    assert StaffQualification.objects.count() == 15
    assert all(body.filing_status == Body.FilingStatus.FILED for body in bodies.values())


def test_plans_stand_at_every_stage_and_were_walked_by_the_right_people(db):
    # when
    demo_load(evaluation=True)

    # then: ten plans, one per spec, at every stage of the spine
    plans = EvaluationPlan.objects.select_related("tenant", "spec__level", "scores_locked_by")
    assert Counter(plans.values_list("status", flat=True)) == {
        Status.ACKNOWLEDGED: 1,
        Status.SCORES_LOCKED: 1,
        Status.PUBLICITY: 1,
        Status.REPORTED: 2,
        Status.ISSUED: 5,
    }
    assert sorted(p.tenant.district_id for p in plans.filter(status=Status.REPORTED)) == [MINHANG, PUDONG]
    # the open plan has applications, one of them refused with the reason
    open_plan = plans.get(status=Status.ACKNOWLEDGED)
    statuses = Counter(open_plan.applications.values_list("status", flat=True))
    assert statuses == {"eligible": 3, "ineligible": 1}
    refused = open_plan.applications.get(status=Application.Status.INELIGIBLE)
    assert refused.eligibility_explanation.startswith("不符合任何申报条件：")
    assert open_plan.applications.filter(candidate__user__username="ks_liqiang", source="self").exists()
    # every score was entered and confirmed by two different people, and all agree
    entries = ScoreEntry.objects.all()
    assert entries.count() == 406
    assert set(entries.values_list("status", flat=True)) == {ScoreEntry.Status.CONFIRMED}
    assert not [e for e in entries if e.confirmed_by_id == e.entered_by_id]
    # each locked plan was locked by its chief examiner
    for plan in plans.exclude(status=Status.ACKNOWLEDGED):
        chief = plan.staff.get(duty=PlanStaff.Duty.CHIEF_EXAMINER).user
        assert plan.scores_locked_by == chief, plan.number
    # the recused examiner gave no score to the candidate they are related to
    recusal = Recusal.objects.get()
    assert not ScoreEntry.objects.filter(
        application__plan=recusal.plan, application__candidate=recusal.candidate, marker=recusal.examiner
    ).exists()
    # the objection in publicity is answered; reports were approved by the district reviewers
    objection = Objection.objects.select_related("plan", "answered_by").get()
    assert (objection.plan.status, objection.answered_by.username) == (Status.PUBLICITY, "mh_center_admin")
    approved = ResultReport.objects.filter(status=ResultReport.Status.APPROVED).select_related("reviewed_by")
    assert Counter(report.reviewed_by.username for report in approved) == {"pd_reviewer": 3, "mh_reviewer": 2}
    assert ResultReport.objects.filter(status=ResultReport.Status.SUBMITTED).count() == 2
    assert plans.filter(external_supervisor__username="sh_supervisor").count() == 2
    assert audit_chain_verify().intact


def test_certificates_across_occupations_and_levels_some_held_by_candidate_accounts(db):
    # when
    demo_load(evaluation=True)

    # then: 60 valid certificates, issued by the body administrators
    certificates = Certificate.objects.select_related("issued_by", "application__plan")
    assert certificates.count() == 60
    assert Counter((c.occupation_name, c.level_id) for c in certificates) == {
        ("电工", "L5"): 13,
        ("电工", "L4"): 13,
        ("焊工", "L3"): 11,
        ("养老护理员", "L5"): 13,
        ("中式烹调师", "L4"): 10,
    }
    for certificate in certificates:
        assert parse_certificate_number(certificate.number).number == certificate.number
        assert certificate.issued_by.username in {"pj_admin", "mh_center_admin"}
        assert certificate.application.result == Application.Result.PASSED
        assert certificate.issue_date <= timezone.localdate()
    # the candidates with accounts hold certificates (their 我的证书 is not empty)
    held = certificates.filter(candidate__user__isnull=False)
    assert Counter(held.values_list("candidate__user__username", flat=True)) == {
        "ks_zhangwei": 1,
        "ks_wangfang": 1,
        "ks_liqiang": 1,
        "ks_liujie": 1,
    }
    # failing candidates got none
    failed = Application.objects.filter(plan__status=Status.ISSUED, result=Application.Result.FAILED)
    assert failed.count() == 5
    assert not Certificate.objects.filter(application__in=failed).exists()


def test_a_candidate_absent_from_theory_is_absent_in_the_scores_the_result_and_the_publicity(db, client):
    # when
    demo_load(evaluation=True)

    # then: 孙丽萍's theory mark was entered as 缺考 and confirmed as 缺考 by a second person
    absent = Application.objects.select_related("plan", "candidate").get(candidate__name="孙丽萍")
    plan = absent.plan
    assert plan.status == Status.PUBLICITY
    theory = absent.score_entries.get(component=Component.THEORY)
    assert (theory.absent, theory.value, theory.confirmation_absent, theory.status) == (
        True,
        None,
        True,
        ScoreEntry.Status.CONFIRMED,
    )
    assert theory.confirmed_by_id != theory.entered_by_id
    # and she passed skills, but her result is 缺考: neither passed nor failed
    results = {r.component: (r.absent, r.passed) for r in absent.component_results.all()}
    assert results == {Component.THEORY: (True, False), Component.SKILLS: (False, True)}
    assert absent.result == Application.Result.ABSENT
    # and the public list counts her as 缺考, not among those who sat, and does not list her
    publicity = publicity_get_public(number=plan.number)
    counts = publicity.counts
    assert (counts.applied, counts.sat, counts.absent, counts.passed, counts.failed) == (10, 9, 1, 8, 1)
    assert absent.candidate.id_number_masked not in {entry.id_number for entry in publicity.entries}
    # and the pages show it: the body's results page, and the public publicity page
    client.force_login(User.objects.get(username="mh_center_admin"))
    page = client.get(reverse("evaluation:plan_results", args=[plan.pk])).content.decode()
    row = next(row for row in page.split("<tr>") if "孙丽萍" in row.split("</tr>")[0])
    assert row.split("</tr>")[0].count("缺考") == 2  # the theory cell and the result
    public = client.get(reverse("evaluation:publicity_public", args=[plan.number])).content.decode()
    assert "缺考人数 <strong>1</strong>" in public and "实考人数 <strong>9</strong>" in public


def test_the_history_of_each_plan_reads_in_order(db):
    # when
    demo_load(evaluation=True)

    # then: the moved dates make one consistent timeline per plan
    today = timezone.localdate()
    for plan in EvaluationPlan.objects.exclude(status=Status.ACKNOWLEDGED):
        first = plan_first_session_date(plan=plan)
        assert timezone.localdate(plan.submitted_at) <= plan_submit_deadline(plan=plan), plan.number
        assert plan.submitted_at < plan.decided_at, plan.number
        assert first < timezone.localdate(plan.scores_locked_at) <= today, plan.number
        last_applied = max(plan.applications.values_list("created_at", flat=True))
        assert plan.decided_at < last_applied < plan.sessions.order_by("starts_at").first().starts_at
        if plan.status in (Status.REPORTED, Status.ISSUED):
            report = plan.reports.get()
            assert plan.publicity_starts_on > timezone.localdate(plan.scores_locked_at), plan.number
            assert plan.publicity_ends_on < timezone.localdate(report.submitted_at) <= today, plan.number
        if plan.status == Status.ISSUED:
            issued = Certificate.objects.filter(application__plan=plan)
            issued_on = set(issued.values_list("issue_date", flat=True))
            assert issued_on == {timezone.localdate(report.reviewed_at)}, plan.number
        if plan.status == Status.REPORTED:
            assert report.review_due_on >= today, plan.number  # awaiting review, not overdue
    assert publicity_is_open(plan=EvaluationPlan.objects.get(status=Status.PUBLICITY))
    # the open plan's exam lies ahead, after the submission deadline it met
    open_plan = EvaluationPlan.objects.get(status=Status.ACKNOWLEDGED)
    assert plan_first_session_date(plan=open_plan) > plan_submit_deadline(plan=open_plan) >= today


def test_a_second_run_creates_nothing(db):
    # given
    demo_load(evaluation=True)
    models = (
        User,
        Candidate,
        FilingApplication,
        EvaluationSpec,
        StaffQualification,
        EvaluationPlan,
        Application,
        ScoreEntry,
        Certificate,
        AuditEvent,
    )
    before = {model: model.objects.count() for model in models}

    # when
    result = demo_load(evaluation=True)

    # then
    assert {model: model.objects.count() for model in models} == before
    assert result.evaluation is not None
    assert (result.filings_approved, result.evaluation.specs_created) == (0, 0)
    assert (result.evaluation.applications_created, result.evaluation.certificates_issued) == (0, 0)
    assert sum(result.evaluation.plans_created.values()) == 0
