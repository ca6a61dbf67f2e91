"""Numbering under concurrency and rollback, with real commits (transaction=True) and real threads.

On PostgreSQL the issuers run in parallel and queue on the counter row; SQLite serialises writers at
BEGIN IMMEDIATE. Both must give distinct, gap-free serials.
"""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from skillcert.certificates.models import Certificate, SerialCounter
from skillcert.certificates.services import certificates_issue_for_plan
from skillcert.certificates.tests.builders import add_passed, make_plan
from skillcert.core.audit import audit_chain_verify
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import EvaluationPlan

ISSUED_ON = date(2025, 6, 30)
PLANS = 6
PASSES_PER_PLAN = 5


class Rollback(Exception):
    pass


def _issue_in_threads(plans, actor) -> list[BaseException]:
    start = threading.Barrier(len(plans))
    errors: list[BaseException] = []

    def issue(plan) -> None:
        try:
            start.wait(timeout=30)
            certificates_issue_for_plan(plan=plan, actor=actor, issue_date=ISSUED_ON)
        except BaseException as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_issuance_gives_distinct_contiguous_serials(world):
    # given: six approved plans on the same site, year and level, five passes each
    plans = [make_plan(site=world.site_y, level_code="L3") for _ in range(PLANS)]
    for plan in plans:
        add_passed(plan=plan, count=PASSES_PER_PLAN)

    # when: all six are issued at once from six threads (six database connections)
    errors = _issue_in_threads(plans, world.body_y_admin)

    # then: every serial 1..30 exactly once, each plan a contiguous block, the counter at 30
    assert errors == []
    total = PLANS * PASSES_PER_PLAN
    all_serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert all_serials == list(range(1, total + 1))
    assert Certificate.objects.values("number").distinct().count() == total
    for plan in plans:
        block = sorted(Certificate.objects.filter(application__plan=plan).values_list("serial", flat=True))
        assert block == list(range(block[0], block[0] + PASSES_PER_PLAN))
    assert SerialCounter.objects.get(site_code="000101", year=2025, level_digit=3).last_serial == total
    assert EvaluationPlan.objects.filter(status=EvaluationPlan.Status.ISSUED).count() == PLANS
    assert AuditEvent.objects.filter(action="plan.certificates_issued").count() == PLANS
    assert audit_chain_verify().intact


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_same_plan_issued_from_two_threads_is_issued_once(world):
    # given: one plan, and two admins' clicks arriving at the same moment
    plan = make_plan(site=world.site_y, level_code="L3")
    add_passed(plan=plan, count=4)

    # when
    errors = _issue_in_threads([plan, plan], world.body_y_admin)

    # then: one issuance succeeded; the other found the plan already issued
    assert len(errors) == 1
    assert "证书已发放" in str(errors[0])
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == [1, 2, 3, 4]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rolled_back_issuance_consumes_no_serials(world):
    # given: a committed issuance of three certificates
    first = make_plan(site=world.site_y, level_code="L3")
    second = make_plan(site=world.site_y, level_code="L3")
    add_passed(plan=first, count=3)
    add_passed(plan=second, count=2)
    certificates_issue_for_plan(plan=first, actor=world.body_y_admin, issue_date=ISSUED_ON)

    # when: the second plan's issuance runs inside a transaction that then fails and rolls back
    with pytest.raises(Rollback), transaction.atomic():
        numbered = certificates_issue_for_plan(plan=second, actor=world.body_y_admin, issue_date=ISSUED_ON)
        assert [c.serial for c in numbered] == [4, 5]
        raise Rollback

    # then: nothing of it remains, and the next issuance starts right after the committed one
    assert SerialCounter.objects.get().last_serial == 3
    assert Certificate.objects.filter(application__plan=second).count() == 0
    second.refresh_from_db()
    assert second.status == EvaluationPlan.Status.RESULTS_APPROVED
    again = certificates_issue_for_plan(plan=second, actor=world.body_y_admin, issue_date=ISSUED_ON)
    assert [c.serial for c in again] == [4, 5]
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == [1, 2, 3, 4, 5]
