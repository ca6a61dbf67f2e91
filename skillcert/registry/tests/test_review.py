"""The authority's review: district scoping, approval with site and body codes, duplicate codes."""

import pytest
from django.core.exceptions import ValidationError

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.registry.models import Body, FiledScope, FilingApplication, FilingStatusChange, Site
from skillcert.registry.selectors import filing_list_for_user, site_sequence_code_suggestions
from skillcert.registry.services import filing_approve, filing_return, filing_site_add, filing_submit
from skillcert.registry.services._common import MSG_NOT_REVIEWER, MSG_NOT_SUBMITTED
from skillcert.registry.services.review import (
    MSG_BODY_CODE_FORMAT,
    MSG_SITE_CODE_FORMAT,
    MSG_SITE_CODE_REPEATED,
    MSG_SITE_CODE_TAKEN,
)
from skillcert.registry.tests.conftest import site


@pytest.fixture
def submitted(draft):
    filing_submit(actor=draft.admin, application=draft.application)
    draft.application.refresh_from_db()
    return draft


def test_review_queue_is_scoped_by_district(world, submitted):
    # Given: an application from a 浦东 body awaiting review
    application = submitted.application

    # Then: the 浦东 and municipal reviewers and the municipal admin see it; the 闵行 reviewer does not
    for user in (world.pudong_reviewer, world.municipal_reviewer, world.municipal_admin):
        assert list(filing_list_for_user(user=user)) == [application]
    for user in (world.minhang_reviewer, world.municipal_supervisor, world.body_y_admin, world.candidate):
        assert list(filing_list_for_user(user=user)) == []


def test_drafts_are_not_in_the_review_queue(world, draft):
    assert list(filing_list_for_user(user=world.pudong_reviewer)) == []
    assert list(filing_list_for_user(user=draft.admin)) == [draft.application]


def test_only_the_district_authority_may_decide(world, submitted):
    # Given: the 闵行 reviewer and the municipal supervisor
    for outsider in (world.minhang_reviewer, world.municipal_supervisor, submitted.admin):
        # When / Then: neither may approve or return a 浦东 application
        with pytest.raises(ApplicationError) as error:
            filing_approve(actor=outsider, application=submitted.application, site_codes={})
        assert error.value.message == str(MSG_NOT_REVIEWER)
        with pytest.raises(ApplicationError):
            filing_return(actor=outsider, application=submitted.application, reason="x")
    assert not AuditEvent.objects.filter(action__in=["filing.approved", "filing.returned"]).exists()


def test_suggested_site_code_is_the_next_free_in_the_province(world, submitted):
    # Given: the city has sites 000101 and 000202; the application declares two more sites
    filing_return(actor=world.pudong_reviewer, application=submitted.application, reason="请补充站点。")
    filing_site_add(
        actor=submitted.admin,
        application=submitted.application,
        site=site(district=world.pudong, name="临港考点"),
    )
    declared = list(submitted.application.sites.order_by("pk"))

    # When / Then: the suggestions follow the highest code in use
    assert site_sequence_code_suggestions(application=submitted.application) == {
        declared[0].pk: "000203",
        declared[1].pk: "000204",
    }


def test_approve_files_the_body_with_codes_and_scope(world, submitted):
    # Given: a submitted initial application with one site and one scope row
    application = submitted.application
    declared = application.sites.get()

    # When: the 浦东 reviewer approves with site code 000301 and the provincial body code
    approved = filing_approve(
        actor=world.pudong_reviewer, application=application, site_codes={declared.pk: "000301"}
    )

    # Then: the application is approved, the body filed with the declared details
    assert (approved.status, approved.decided_by_id) == (
        FilingApplication.Status.APPROVED,
        world.pudong_reviewer.pk,
    )
    body = Body.objects.get(pk=application.tenant_id)
    assert (body.filing_status, body.body_code, body.name, body.contact_phone) == (
        "filed",
        "0000",
        "上海新港智能制造有限公司",
        "021-58880000",
    )
    assert body.filed_at == approved.decided_at
    # And: the site exists with its code, the declared site points to it
    created = Site.objects.get(tenant=body)
    assert (created.name, created.sequence_code, created.district_id) == ("张江实训中心", "000301", "310115")
    declared.refresh_from_db()
    assert declared.site_id == created.pk
    # And: the scope is in force, granted by this application
    assert list(
        FiledScope.objects.filter(tenant=body).values_list("occupation__code", "level", "granted_by")
    ) == [("4-03-02-01", "L4", application.pk)]
    # And: the status change and the audit event are written
    change = FilingStatusChange.objects.get(tenant=body)
    assert (change.from_status, change.to_status, change.actor_id) == (
        "unfiled",
        "filed",
        world.pudong_reviewer.pk,
    )
    event = AuditEvent.objects.get(action="filing.approved")
    assert event.data == {
        "kind": "initial",
        "body": body.pk,
        "body_code": "0000",
        "site_codes": {"张江实训中心": "000301"},
        "scope_granted": 1,
        "scope_withdrawn": [],
    }
    assert event.actor_id == world.pudong_reviewer.pk


def test_municipal_reviewer_may_approve_with_a_mohrss_body_code(world, submitted):
    declared = submitted.application.sites.get()
    filing_approve(
        actor=world.municipal_reviewer,
        application=submitted.application,
        site_codes={declared.pk: "000301"},
        body_code="0123",
    )
    assert Body.objects.get(pk=submitted.application.tenant_id).body_code == "0123"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("000101", MSG_SITE_CODE_TAKEN % {"code": "000101"}),
        ("12345", MSG_SITE_CODE_FORMAT % {"site": "张江实训中心", "code": "12345"}),
        ("12a456", MSG_SITE_CODE_FORMAT % {"site": "张江实训中心", "code": "12a456"}),
    ],
)
def test_approve_refuses_a_bad_or_taken_site_code(world, submitted, code, message):
    # Given: 000101 belongs to body_y's site
    declared = submitted.application.sites.get()

    # When: approving with a taken or malformed code
    with pytest.raises(ValidationError) as error:
        filing_approve(
            actor=world.pudong_reviewer, application=submitted.application, site_codes={declared.pk: code}
        )

    # Then: the code field says why, and nothing changed
    assert error.value.message_dict == {"site_codes": [str(message)]}
    submitted.application.refresh_from_db()
    assert submitted.application.status == FilingApplication.Status.SUBMITTED
    assert not Site.objects.filter(tenant=submitted.application.tenant).exists()
    assert not AuditEvent.objects.filter(action="filing.approved").exists()


def test_approve_refuses_one_code_for_two_sites(world, submitted):
    filing_return(actor=world.pudong_reviewer, application=submitted.application, reason="请补充站点。")
    filing_site_add(
        actor=submitted.admin,
        application=submitted.application,
        site=site(district=world.pudong, name="临港考点"),
    )
    filing_submit(actor=submitted.admin, application=submitted.application)
    codes = dict.fromkeys(submitted.application.sites.values_list("pk", flat=True), "000301")

    with pytest.raises(ValidationError) as error:
        filing_approve(actor=world.pudong_reviewer, application=submitted.application, site_codes=codes)
    assert error.value.message_dict == {"site_codes": [str(MSG_SITE_CODE_REPEATED % {"code": "000301"})]}


def test_approve_refuses_a_bad_body_code(world, submitted):
    declared = submitted.application.sites.get()
    with pytest.raises(ValidationError) as error:
        filing_approve(
            actor=world.pudong_reviewer,
            application=submitted.application,
            site_codes={declared.pk: "000301"},
            body_code="12",
        )
    assert error.value.message_dict == {"body_code": [str(MSG_BODY_CODE_FORMAT)]}


def test_a_decided_application_cannot_be_decided_again(world, submitted):
    declared = submitted.application.sites.get()
    filing_approve(
        actor=world.pudong_reviewer, application=submitted.application, site_codes={declared.pk: "000301"}
    )
    with pytest.raises(ApplicationError) as error:
        filing_return(actor=world.pudong_reviewer, application=submitted.application, reason="再看看")
    assert error.value.message == str(MSG_NOT_SUBMITTED)
