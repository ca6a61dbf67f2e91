"""Issuing certificates: numbers, copied facts, the plan's status, the rules that refuse, the audit event."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from skillcert.certificates.models import Certificate, SerialCounter
from skillcert.certificates.numbering import MSG_SERIALS_EXHAUSTED
from skillcert.certificates.services import certificate_issue, certificates_issue_for_plan
from skillcert.certificates.services.issue import (
    MSG_ALREADY_ISSUED,
    MSG_ISSUE_DATE_FUTURE,
    MSG_LEVEL_WITHOUT_DIGIT,
    MSG_NOT_PASSED,
    MSG_PLAN_NOT_APPROVED,
    MSG_SITE_WITHOUT_CODE,
)
from skillcert.certificates.tests.builders import add_application, add_passed, make_candidate, make_plan
from skillcert.core.audit import audit_chain_verify
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Application, EvaluationPlan
from skillcert.registry.models import Body, Site
from skillcert.registry.services import MSG_MAY_NOT_EVALUATE

ISSUED_ON = date(2025, 6, 30)


def serials(certificates) -> list[int]:
    return [certificate.serial for certificate in certificates]


@pytest.mark.django_db
def test_employer_body_number_has_every_segment(world):
    # given: an employer (Y) body with MOHRSS body code 0123, site 000101, a 三级 plan with one pass
    world.body_y.body_code = "0123"
    world.body_y.save(update_fields=["body_code"])
    plan = make_plan(site=world.site_y, level_code="L3")
    add_passed(plan=plan, count=1)

    # when
    (certificate,) = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then: Y | 0123 | 31 | 000101 | 25 | 3 | 000001
    assert certificate.number == "Y" + "0123" + "31" + "000101" + "25" + "3" + "000001"
    assert len(certificate.number) == 22
    assert (certificate.site_code, certificate.year, certificate.serial) == ("000101", 2025, 1)


@pytest.mark.django_db
def test_social_organisation_number_has_every_segment(world):
    # given: a social organisation (S), provincially filed (body code 0000), site 000202, a 四级 plan
    plan = make_plan(site=world.site_s, level_code="L4")
    add_passed(plan=plan, count=2)

    # when
    certificates = certificates_issue_for_plan(plan=plan, actor=world.body_s_admin, issue_date=ISSUED_ON)

    # then: S | 0000 | 31 | 000202 | 25 | 4 | 000001, 000002
    assert [c.number for c in certificates] == ["S000031000202254000001", "S000031000202254000002"]


@pytest.mark.django_db
def test_issuance_copies_holder_and_evaluation_facts(world):
    # given: a 焊工 (电焊工) plan and a passed candidate
    plan = make_plan(site=world.site_y, level_code="L3", job_type="电焊工")
    candidate = make_candidate(name="张伟")
    application = add_application(plan=plan, candidate=candidate, ticket_number="T1")

    # when
    (certificate,) = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then: what was true at issuance is copied onto the certificate
    certificate.refresh_from_db()
    assert certificate.application_id == application.pk
    assert certificate.candidate_id == candidate.pk
    assert certificate.tenant_id == world.body_y.pk
    assert certificate.holder_name == "张伟"
    assert certificate.holder_id_type == "resident_id"
    assert certificate.occupation.code == "6-18-02-04"
    assert certificate.occupation_name == "焊工"
    assert certificate.job_type_name == "电焊工"
    assert certificate.level_id == "L3"
    assert certificate.body_name == "上海浦江机电集团有限公司"
    assert certificate.province_code == "31"
    assert certificate.issue_date == ISSUED_ON
    assert certificate.issued_by == world.body_y_admin
    assert certificate.status == Certificate.Status.VALID
    assert len(certificate.qr_token) == 43


@pytest.mark.django_db
def test_job_type_is_two_dashes_when_the_occupation_has_none(world):
    # given: a 中式烹调师 plan (no 工种)
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=1)

    # when
    (certificate,) = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then
    assert (certificate.occupation_name, certificate.job_type_name) == ("中式烹调师", "--")


@pytest.mark.django_db
def test_only_passed_applications_get_certificates_in_ticket_order(world):
    # given: passes, a fail and a pending result, tickets out of creation order
    plan = make_plan(site=world.site_y)
    second = add_application(plan=plan, ticket_number="T2")
    add_application(plan=plan, ticket_number="T3", result=Application.Result.FAILED)
    first = add_application(plan=plan, ticket_number="T1")
    add_application(plan=plan, ticket_number="T4", result=Application.Result.PENDING)

    # when
    certificates = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then: two certificates, numbered in admission-ticket order
    assert [(c.application_id, c.serial) for c in certificates] == [(first.pk, 1), (second.pk, 2)]
    assert Certificate.objects.count() == 2


@pytest.mark.django_db
def test_plan_becomes_issued_with_one_audit_event_listing_the_numbers(world):
    # given
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=3)

    # when
    certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.ISSUED
    event = AuditEvent.objects.get(action="plan.certificates_issued")
    numbers = ["Y000031000101253000001", "Y000031000101253000002", "Y000031000101253000003"]
    assert event.target_type == "evaluation.evaluationplan"
    assert event.target_id == str(plan.pk)
    assert event.actor_id == world.body_y_admin.pk
    assert event.data == {
        "plan": plan.number,
        "count": 3,
        "first_number": numbers[0],
        "last_number": numbers[-1],
        "issue_date": "2025-06-30",
        "numbers": numbers,
    }
    assert AuditEvent.objects.filter(action="certificate.issued").count() == 0
    assert audit_chain_verify().intact


@pytest.mark.django_db
def test_serial_counts_per_site_year_and_level(world):
    # given: two 三级 plans and one 四级 plan on site 000101, a 三级 plan on site 000202
    first_l3 = make_plan(site=world.site_y, level_code="L3")
    second_l3 = make_plan(site=world.site_y, level_code="L3")
    l4 = make_plan(site=world.site_y, level_code="L4")
    other_site = make_plan(site=world.site_s, level_code="L3")
    next_year = make_plan(site=world.site_y, level_code="L3")
    for plan in (first_l3, second_l3, l4, other_site, next_year):
        add_passed(plan=plan, count=2)
    admin_y, admin_s = world.body_y_admin, world.body_s_admin

    # when
    a = certificates_issue_for_plan(plan=first_l3, actor=admin_y, issue_date=date(2024, 12, 31))
    b = certificates_issue_for_plan(plan=second_l3, actor=admin_y, issue_date=date(2024, 12, 31))
    c = certificates_issue_for_plan(plan=l4, actor=admin_y, issue_date=date(2024, 12, 31))
    d = certificates_issue_for_plan(plan=other_site, actor=admin_s, issue_date=date(2024, 12, 31))
    e = certificates_issue_for_plan(plan=next_year, actor=admin_y, issue_date=date(2025, 1, 2))

    # then: the same site/year/level continues; a new level, site or year starts again at 000001
    assert serials(a) == [1, 2]
    assert serials(b) == [3, 4]
    assert [x.number for x in c] == ["Y000031000101244000001", "Y000031000101244000002"]
    assert [x.number for x in d] == ["S000031000202243000001", "S000031000202243000002"]
    assert [x.number for x in e] == ["Y000031000101253000001", "Y000031000101253000002"]
    assert {(s.site_code, s.year, s.level_digit): s.last_serial for s in SerialCounter.objects.all()} == {
        ("000101", 2024, 3): 4,
        ("000101", 2024, 4): 2,
        ("000202", 2024, 3): 2,
        ("000101", 2025, 3): 2,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Body.FilingStatus.SUSPENDED, Body.FilingStatus.REVOKED, Body.FilingStatus.UNFILED]
)
def test_body_that_may_not_evaluate_cannot_issue(world, status):
    # given: an approved plan of a body whose filing is suspended (整改), revoked or absent
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=2)
    Body.objects.filter(pk=world.body_y.pk).update(filing_status=status)

    # when
    with pytest.raises(ApplicationError) as refused:
        certificates_issue_for_plan(plan=plan, actor=world.body_y_admin)

    # then: nothing issued, nothing counted, the plan still waits
    assert refused.value.message == str(MSG_MAY_NOT_EVALUATE)
    assert Certificate.objects.count() == 0
    assert SerialCounter.objects.count() == 0
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.RESULTS_APPROVED
    assert not AuditEvent.objects.filter(action="plan.certificates_issued").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [
        EvaluationPlan.Status.ACKNOWLEDGED,
        EvaluationPlan.Status.PUBLICITY,
        EvaluationPlan.Status.REPORTED,
        EvaluationPlan.Status.RESULTS_RETURNED,
        EvaluationPlan.Status.ISSUED,
    ],
)
def test_plan_must_have_approved_results(world, status):
    # given: a plan that is not (or no longer) results-approved
    plan = make_plan(site=world.site_y, status=status)
    add_passed(plan=plan, count=1)

    # when
    with pytest.raises(ApplicationError) as refused:
        certificates_issue_for_plan(plan=plan, actor=world.body_y_admin)

    # then: a 409 clash with the plan's state
    label = EvaluationPlan.Status(status).label
    assert refused.value.message == str(MSG_PLAN_NOT_APPROVED) % {"plan": plan.number, "status": label}
    assert refused.value.extra == {"status": 409}
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_issuing_twice_is_refused(world):
    # given: a plan already issued
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=2)
    certificates_issue_for_plan(plan=plan, actor=world.body_y_admin)

    # when / then
    with pytest.raises(ApplicationError):
        certificates_issue_for_plan(plan=plan, actor=world.body_y_admin)
    assert Certificate.objects.count() == 2


@pytest.mark.django_db
def test_plan_without_passes_becomes_issued_with_no_certificates(world):
    # given: an approved plan in which nobody passed
    plan = make_plan(site=world.site_y)
    add_application(plan=plan, result=Application.Result.FAILED)

    # when
    certificates = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then
    assert certificates == []
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.ISSUED
    event = AuditEvent.objects.get(action="plan.certificates_issued")
    assert (event.data["count"], event.data["first_number"], event.data["numbers"]) == (0, None, [])


@pytest.mark.django_db
def test_serial_overflow_is_refused_and_consumes_nothing(world):
    # given: the counter of site 000101 / 2025 / 三级 at 999998, and three passes to number
    SerialCounter.objects.create(site_code="000101", year=2025, level_digit=3, last_serial=999_998)
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=3)

    # when
    with pytest.raises(ApplicationError) as refused:
        certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then
    assert refused.value.message == str(MSG_SERIALS_EXHAUSTED) % {
        "site": "000101",
        "year": 2025,
        "level": 3,
        "used": 999_998,
        "count": 3,
        "left": 1,
    }
    assert SerialCounter.objects.get().last_serial == 999_998
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_last_serial_999999_can_be_issued(world):
    # given: one serial left
    SerialCounter.objects.create(site_code="000101", year=2025, level_digit=3, last_serial=999_998)
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=1)

    # when
    (certificate,) = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then
    assert certificate.number == "Y000031000101253999999"


@pytest.mark.django_db
def test_future_issue_date_is_refused(world):
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=1)
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ApplicationError) as refused:
        certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=tomorrow)

    assert refused.value.message == str(MSG_ISSUE_DATE_FUTURE) % {"date": tomorrow.isoformat()}


@pytest.mark.django_db
def test_default_issue_date_is_today(world):
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=1)

    (certificate,) = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin)

    today = timezone.localdate()
    assert certificate.issue_date == today
    assert certificate.number[13:15] == f"{today.year % 100:02d}"


@pytest.mark.django_db
def test_site_without_sequence_code_cannot_issue(world):
    # given: a site the authority has not yet given a sequence code
    site = Site.objects.create(
        tenant=world.body_y, name="新站点", address="浦东新区 3 号", district=world.pudong, sequence_code=None
    )
    plan = make_plan(site=site)
    add_passed(plan=plan, count=1)

    with pytest.raises(ApplicationError) as refused:
        certificates_issue_for_plan(plan=plan, actor=world.body_y_admin)

    assert refused.value.message == str(MSG_SITE_WITHOUT_CODE) % {"site": "新站点"}


@pytest.mark.django_db
def test_level_without_certificate_digit_cannot_issue(world):
    # given: a 特级技师 plan (not a 1–5 certificate level)
    plan = make_plan(site=world.site_y, level_code="SPECIAL_TECH")
    add_passed(plan=plan, count=1)

    with pytest.raises(ApplicationError) as refused:
        certificates_issue_for_plan(plan=plan, actor=world.body_y_admin)

    assert refused.value.message == str(MSG_LEVEL_WITHOUT_DIGIT) % {"level": "特级技师"}


# ---- one certificate ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_single_issue_numbers_one_and_audits_it(world):
    # given
    plan = make_plan(site=world.site_y)
    application = add_application(plan=plan)

    # when
    certificate = certificate_issue(application=application, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then
    assert certificate.number == "Y000031000101253000001"
    event = AuditEvent.objects.get(action="certificate.issued")
    assert (event.target_type, event.target_id) == ("certificates.certificate", str(certificate.pk))
    assert event.data == {"number": certificate.number, "plan": plan.number, "issue_date": "2025-06-30"}
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.RESULTS_APPROVED


@pytest.mark.django_db
def test_plan_issuance_skips_an_application_already_certified(world):
    # given: one of three passes already has its certificate (serial 1)
    plan = make_plan(site=world.site_y)
    early, *_ = add_passed(plan=plan, count=3)
    certificate_issue(application=early, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # when
    rest = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then: the other two, continuing the count
    assert serials(rest) == [2, 3]
    assert Certificate.objects.filter(application=early).count() == 1


@pytest.mark.django_db
def test_single_issue_refuses_a_second_certificate(world):
    plan = make_plan(site=world.site_y)
    application = add_application(plan=plan)
    first = certificate_issue(application=application, actor=world.body_y_admin, issue_date=ISSUED_ON)

    with pytest.raises(ApplicationError) as refused:
        certificate_issue(application=application, actor=world.body_y_admin, issue_date=ISSUED_ON)

    assert refused.value.message == str(MSG_ALREADY_ISSUED) % {
        "name": application.candidate.name,
        "number": first.number,
    }
    assert SerialCounter.objects.get().last_serial == 1


@pytest.mark.django_db
def test_single_issue_refuses_a_failed_application(world):
    plan = make_plan(site=world.site_y)
    application = add_application(plan=plan, result=Application.Result.FAILED)

    with pytest.raises(ApplicationError) as refused:
        certificate_issue(application=application, actor=world.body_y_admin)

    assert refused.value.message == str(MSG_NOT_PASSED) % {
        "name": application.candidate.name,
        "result": "不合格",
    }


@pytest.mark.django_db
def test_single_issue_allowed_after_the_plan_is_issued(world):
    # given: an issued plan and a result corrected to passed afterwards
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=1)
    late = add_application(plan=plan, result=Application.Result.FAILED, ticket_number="T9")
    certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)
    Application.objects.filter(pk=late.pk).update(result=Application.Result.PASSED)

    # when
    certificate = certificate_issue(application=late, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then
    assert certificate.serial == 2


# ---- pluggable numbering -----------------------------------------------------------------------------


class CentralNumbering:
    """A stand-in for a province that assigns numbers centrally: hands out fixed serials from 500."""

    def reserve(self, *, body_type, body_code, province_code, site_code, year, level_digit, count):
        return [
            f"{body_type}{body_code}{province_code}{site_code}{year % 100:02d}{level_digit}{500 + i:06d}"
            for i in range(count)
        ]


@pytest.mark.django_db
def test_numbering_strategy_comes_from_settings(world, settings):
    # given: the setting names another strategy
    settings.SKILLCERT_CERTIFICATE_NUMBERING = "skillcert.certificates.tests.test_issue.CentralNumbering"
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=2)

    # when
    certificates = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # then: its numbers are used, and the local counter is untouched
    assert [c.number for c in certificates] == ["Y000031000101253000500", "Y000031000101253000501"]
    assert serials(certificates) == [500, 501]
    assert SerialCounter.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("actor_name", ["body_s_admin", "body_y_exam_staff", "pudong_reviewer"])
def test_only_the_plans_own_body_admin_issues(world, actor_name):
    # given an approved plan of body_y with a passed candidate
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=1)

    # when anyone but body_y's administrator calls the service (a task or a command could)
    with pytest.raises(PermissionDenied) as raised:
        certificates_issue_for_plan(plan=plan, actor=getattr(world, actor_name))

    # then nothing is issued and the plan is still awaiting issuance
    assert str(raised.value) == "只有本评价机构的管理员可以发放证书。"
    assert not Certificate.objects.filter(application__plan=plan).exists()
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.RESULTS_APPROVED
