"""The body's side: editing a draft, submit validation, return → edit → resubmit, scope changes."""

import pytest
from django.core.exceptions import ValidationError

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.reference.models import SkillLevel
from skillcert.registry.models import FiledScope, FilingApplication
from skillcert.registry.services import (
    filing_application_start,
    filing_approve,
    filing_details_update,
    filing_reject,
    filing_return,
    filing_scope_add,
    filing_scope_remove,
    filing_scope_withdrawal_set,
    filing_site_add,
    filing_site_remove,
    filing_submit,
)
from skillcert.registry.services._common import MSG_NOT_BODY_ADMIN, MSG_NOT_EDITABLE
from skillcert.registry.services.declarations import MSG_JOB_TYPE_MISMATCH, MSG_LEVEL_NOT_ALLOWED
from skillcert.registry.services.filings import (
    MSG_NEEDS_CHANGE,
    MSG_NEEDS_SCOPE,
    MSG_NEEDS_SITE,
    MSG_OPEN_APPLICATION,
    MSG_SCOPE_DUPLICATE,
    MSG_SCOPE_IN_FORCE,
)
from skillcert.registry.tests.conftest import details, register, scope, site


def test_submit_refuses_an_empty_draft(world):
    # Given: a draft with no site and no scope row
    registered = register(district=world.pudong)

    # When: it is submitted
    with pytest.raises(ValidationError) as error:
        filing_submit(actor=registered.admin, application=registered.application)

    # Then: both gaps are named and the draft stays a draft
    assert error.value.message_dict == {"sites": [str(MSG_NEEDS_SITE)], "scope": [str(MSG_NEEDS_SCOPE)]}
    registered.application.refresh_from_db()
    assert registered.application.status == FilingApplication.Status.DRAFT


def test_submit_sends_a_complete_draft(draft):
    # Given: a draft with a site and a scope row
    # When: its administrator submits it
    application = filing_submit(actor=draft.admin, application=draft.application)

    # Then: it awaits review, and the submission is audited
    assert application.status == FilingApplication.Status.SUBMITTED
    assert application.submitted_at is not None
    event = AuditEvent.objects.get(action="filing.submitted")
    assert event.data == {
        "kind": "initial",
        "resubmitted": False,
        "sites": 1,
        "scope_requests": 1,
        "withdrawals": [],
    }
    assert event.actor_id == draft.admin.pk


def test_scope_level_must_be_a_certificate_level(draft):
    # Given: the draft; 特级技师 is an enterprise appointment, not a 1–5 certificate level
    # When: asking for it
    with pytest.raises(ValidationError) as error:
        filing_scope_add(actor=draft.admin, application=draft.application, scope=scope(level="SPECIAL_TECH"))

    # Then: the level field says which levels are allowed
    label = SkillLevel.objects.get(code="SPECIAL_TECH").label
    assert error.value.message_dict == {"level": [str(MSG_LEVEL_NOT_ALLOWED) % {"level": label}]}


def test_scope_job_type_must_belong_to_the_occupation(draft):
    # Given: 电焊工 is a job type of 焊工, not of 车工
    bad = scope(occupation_code="6-18-02-04", job_type="电焊工")
    from dataclasses import replace

    from skillcert.reference.models import Occupation

    bad = replace(bad, occupation=Occupation.objects.get(code="6-18-01-01"))

    # When / Then
    with pytest.raises(ValidationError) as error:
        filing_scope_add(actor=draft.admin, application=draft.application, scope=bad)
    assert error.value.message_dict == {
        "job_type": [str(MSG_JOB_TYPE_MISMATCH) % {"job_type": "电焊工", "occupation": "车工"}]
    }


def test_scope_row_cannot_be_asked_twice(draft):
    with pytest.raises(ValidationError) as error:
        filing_scope_add(actor=draft.admin, application=draft.application, scope=scope())
    assert error.value.message_dict == {
        "scope": [str(MSG_SCOPE_DUPLICATE) % {"scope": "中式烹调师 — 四级/中级工"}]
    }


def test_only_the_bodys_own_admin_may_edit_or_submit(world, draft):
    # Given: body_y's administrator and body_y's exam staff
    for outsider in (world.body_y_admin, world.body_y_exam_staff, world.pudong_reviewer):
        # When / Then: none of them may touch the new body's draft
        with pytest.raises(ApplicationError) as error:
            filing_site_add(actor=outsider, application=draft.application, site=site(district=world.pudong))
        assert error.value.message == str(MSG_NOT_BODY_ADMIN)
        with pytest.raises(ApplicationError):
            filing_submit(actor=outsider, application=draft.application)


def test_submitted_application_cannot_be_edited(world, draft):
    filing_submit(actor=draft.admin, application=draft.application)
    with pytest.raises(ApplicationError) as error:
        filing_site_add(actor=draft.admin, application=draft.application, site=site(district=world.pudong))
    assert error.value.message == str(MSG_NOT_EDITABLE)


def test_return_edit_resubmit(world, draft):
    # Given: a submitted application that the 浦东 reviewer returns
    filing_submit(actor=draft.admin, application=draft.application)
    returned = filing_return(
        actor=world.pudong_reviewer, application=draft.application, reason="请补充站点设备清单。"
    )
    assert (returned.status, returned.decision_reason) == (
        FilingApplication.Status.RETURNED,
        "请补充站点设备清单。",
    )
    assert AuditEvent.objects.get(action="filing.returned").data == {
        "kind": "initial",
        "reason": "请补充站点设备清单。",
    }

    # When: the body changes its details, swaps its site and scope row, and resubmits
    application = FilingApplication.objects.get(pk=draft.application.pk)
    filing_details_update(
        actor=draft.admin,
        application=application,
        details=details(district=world.pudong, name="上海新港智能装备有限公司"),
    )
    old_site = application.sites.get()
    filing_site_add(
        actor=draft.admin, application=application, site=site(district=world.pudong, name="临港考点")
    )
    filing_site_remove(actor=draft.admin, declared_site=old_site)
    filing_scope_add(actor=draft.admin, application=application, scope=scope("6-18-02-04", "L3", "电焊工"))
    filing_scope_remove(
        actor=draft.admin, scope_request=application.scope_requests.get(occupation__code="4-03-02-01")
    )
    resubmitted = filing_submit(actor=draft.admin, application=application)

    # Then: it is back with the reviewer, as changed
    assert resubmitted.status == FilingApplication.Status.SUBMITTED
    assert resubmitted.body_name == "上海新港智能装备有限公司"
    assert list(resubmitted.sites.values_list("name", flat=True)) == ["临港考点"]
    assert list(resubmitted.scope_requests.values_list("occupation__code", "job_type__name", "level")) == [
        ("6-18-02-04", "电焊工", "L3")
    ]
    submitted = AuditEvent.objects.filter(action="filing.submitted").order_by("sequence")
    assert [event.data["resubmitted"] for event in submitted] == [False, True]


def test_reject_ends_the_application_and_a_new_one_may_start(world, draft):
    # Given: a submitted application
    filing_submit(actor=draft.admin, application=draft.application)

    # When: the reviewer rejects it
    rejected = filing_reject(
        actor=world.pudong_reviewer, application=draft.application, reason="场地不符合要求。"
    )

    # Then: it is closed with the reason, the body stays unfiled, and it may start afresh
    assert (rejected.status, rejected.decided_by_id) == (
        FilingApplication.Status.REJECTED,
        world.pudong_reviewer.pk,
    )
    assert AuditEvent.objects.get(action="filing.rejected").data == {
        "kind": "initial",
        "reason": "场地不符合要求。",
    }
    rejected.tenant.refresh_from_db()
    assert rejected.tenant.filing_status == "unfiled"
    fresh = filing_application_start(actor=draft.admin, body=rejected.tenant)
    assert (fresh.kind, fresh.status, fresh.credit_code) == ("initial", "draft", rejected.credit_code)


def test_return_and_reject_need_a_reason(world, draft):
    filing_submit(actor=draft.admin, application=draft.application)
    with pytest.raises(ValidationError) as error:
        filing_return(actor=world.pudong_reviewer, application=draft.application, reason="  ")
    assert list(error.value.message_dict) == ["reason"]


def _approved(world, draft) -> FilingApplication:
    filing_submit(actor=draft.admin, application=draft.application)
    site_pk = draft.application.sites.get().pk
    return filing_approve(
        actor=world.pudong_reviewer, application=draft.application, site_codes={site_pk: "000301"}
    )


def test_scope_change_adds_and_withdraws_rows(world, draft):
    # Given: the new body filed for 中式烹调师 四级
    _approved(world, draft)
    body = draft.body
    body.refresh_from_db()
    cook = FiledScope.objects.get(tenant=body)

    # When: its administrator starts a scope change, asks for 焊工/电焊工 三级, drops the cook row, submits
    change = filing_application_start(actor=draft.admin, body=body)
    assert change.kind == FilingApplication.Kind.SCOPE_CHANGE
    with pytest.raises(ApplicationError) as error:
        filing_application_start(actor=draft.admin, body=body)
    assert error.value.message == str(MSG_OPEN_APPLICATION)
    filing_scope_add(actor=draft.admin, application=change, scope=scope("6-18-02-04", "L3", "电焊工"))
    filing_scope_withdrawal_set(actor=draft.admin, application=change, filed_scope=cook, withdraw=True)
    filing_submit(actor=draft.admin, application=change)
    # ... and the 浦东 reviewer approves it (no new site, so no code to assign)
    filing_approve(actor=world.pudong_reviewer, application=change, site_codes={})

    # Then: the welding row is in force and the cook row is withdrawn
    cook.refresh_from_db()
    assert cook.withdrawn_at is not None
    in_force = FiledScope.objects.filter(tenant=body, withdrawn_at__isnull=True)
    assert list(in_force.values_list("occupation__code", "job_type__name", "level", "granted_by")) == [
        ("6-18-02-04", "电焊工", "L3", change.pk)
    ]
    event = AuditEvent.objects.filter(action="filing.approved").order_by("-sequence").first()
    assert (event.data["kind"], event.data["scope_granted"], event.data["scope_withdrawn"]) == (
        "scope_change",
        1,
        [cook.pk],
    )


def test_scope_change_refuses_rows_in_force_and_empty_changes(world, draft):
    _approved(world, draft)
    change = filing_application_start(actor=draft.admin, body=draft.body)

    with pytest.raises(ValidationError) as error:
        filing_scope_add(actor=draft.admin, application=change, scope=scope())
    assert error.value.message_dict == {
        "scope": [str(MSG_SCOPE_IN_FORCE) % {"scope": "中式烹调师 — 四级/中级工"}]
    }

    with pytest.raises(ValidationError) as error:
        filing_submit(actor=draft.admin, application=change)
    assert error.value.message_dict == {"scope": [str(MSG_NEEDS_CHANGE)]}
