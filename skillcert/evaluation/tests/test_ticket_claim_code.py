"""The claim code on the admission ticket, and a new one from the body's staff.

A person the body registered has no account; their ticket carries the code with which they register and
take over their record. The body's administrators and exam staff can make a new code (the old one,
printed tickets included, stops working), for their own body's candidates only.
"""

import io
import re
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from skillcert.accounts.claim_codes import claim_code, claim_code_display
from skillcert.accounts.models import Candidate, User, UserRole
from skillcert.accounts.roles import Role
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Application
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)
from skillcert.evaluation.tickets import tickets_pdf

pytestmark = pytest.mark.django_db

NAME = "张晓明"
ID_NUMBER = make_resident_id(date(1990, 3, 7), sequence=21)
OTHER_ID_NUMBER = make_resident_id(date(1991, 8, 1), sex="F", sequence=22)
FIRST = timezone.make_aware(datetime(2026, 11, 14, 9, 0))
PASSWORD = "Qingpu-River-2026"
CLAIM_LINE = re.compile(
    r"账号认领码：([a-z2-9]{5}-[a-z2-9]{5})（凭此码在平台注册即可查看本人报名、成绩和证书）"
)


@pytest.fixture
def plan(world):
    return make_plan(world, spec=make_spec(world, level_code="L4"), first_session_at=FIRST)


@pytest.fixture
def ticket(plan) -> Application:
    """An eligible application with a ticket, of a person body_y registered (no account)."""
    return make_application(plan, make_candidate(NAME, ID_NUMBER), ticket_number=f"{plan.number}-0001")


@pytest.fixture
def staff(client, settings):
    """``client`` signed in as a given user, without the second factor (these tests are about the pages)."""
    settings.SKILLCERT_REQUIRE_2FA = False

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def pdf_text(content: bytes) -> list[str]:
    """Each page's text with all white space removed (as test_tickets reads tickets)."""
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def printed_code(content: bytes) -> str | None:
    match = CLAIM_LINE.search(pdf_text(content)[0])
    return match.group(1) if match else None


def text_lines(content: bytes) -> list[tuple[float, str]]:
    """(baseline y, text) of every string drawn on the first page, top to bottom."""
    drawn: list[tuple[float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            drawn.append((round(tm[5], 1), text.strip()))

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    return sorted(drawn, key=lambda item: -item[0])


def load(application: Application) -> Application:
    return Application.objects.select_related(
        "candidate", "plan", "plan__tenant", "plan__site", "plan__spec", "plan__spec__occupation"
    ).get(pk=application.pk)


def claim_code_url(plan, application) -> str:
    return reverse("evaluation:application_claim_code", args=[plan.pk, application.pk])


def register(client, code: str):
    return client.post(
        reverse("accounts:register"),
        {
            "name": NAME,
            "id_type": "resident_id",
            "id_number": ID_NUMBER,
            "claim_code": code,
            "mobile": "13912345678",
            "username": "zhangxiaoming",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )


# ---- the ticket -------------------------------------------------------------------------------------------


def test_the_ticket_of_a_person_without_an_account_carries_their_claim_code(plan, ticket):
    # when
    content = tickets_pdf(applications=[load(ticket)])

    # then: the line with the candidate's current code, below the rules and above the footer
    assert printed_code(content) == claim_code_display(claim_code(ticket.candidate))
    lines = text_lines(content)
    texts = [text for _y, text in lines]
    claim_at = next(i for i, text in enumerate(texts) if text.startswith("账号认领码"))
    rules_at = max(i for i, text in enumerate(texts) if text.startswith("5."))
    footer_at = next(i for i, text in enumerate(texts) if text.startswith("本准考证由评价机构"))
    assert rules_at < claim_at < footer_at
    assert lines[claim_at][0] - lines[footer_at][0] > 10  # clear of the footer line


def test_the_ticket_of_a_person_with_an_account_has_no_claim_code(world, plan, ticket):
    # given: the candidate has an account
    user = User.objects.create(username="zhangxiaoming")
    Candidate.objects.filter(pk=ticket.candidate_id).update(user=user)

    # when
    (text,) = pdf_text(tickets_pdf(applications=[load(ticket)]))

    # then
    assert "认领码" not in text
    assert claim_code(ticket.candidate) not in text


def test_the_code_from_the_downloaded_ticket_claims_the_record(world, client, staff, plan, ticket):
    # given: body_y's exam staff download the ticket and hand it over
    response = staff(world.body_y_exam_staff).get(
        reverse("evaluation:application_ticket", args=[plan.pk, ticket.pk])
    )
    code = printed_code(response.content)
    assert code is not None
    assert response["Cache-Control"] == "no-store, private"
    client.logout()

    # when: the person registers with the code printed on it (upper case, as people copy it)
    response = register(client, code.upper())

    # then: the account is attached to the body's record, and their application shows under it
    assert response.status_code == 302
    ticket.candidate.refresh_from_db()
    assert ticket.candidate.user.username == "zhangxiaoming"
    page = client.get(reverse("evaluation:my_applications")).content.decode()
    assert plan.number in page
    # and their own ticket no longer carries a code
    own = client.get(reverse("evaluation:my_ticket", args=[ticket.pk]))
    assert own.status_code == 200 and printed_code(own.content) is None


# ---- a new code from the body's staff ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["body_y_admin", "body_y_exam_staff"])
def test_body_staff_make_a_new_code_that_replaces_the_printed_one(world, client, staff, plan, ticket, role):
    # given: the ticket printed with the first code
    printed = printed_code(tickets_pdf(applications=[load(ticket)]))
    signed_in = staff(getattr(world, role))

    # when: the confirmation page is opened, then confirmed
    page = signed_in.get(claim_code_url(plan, ticket))
    assert Candidate.objects.get(pk=ticket.candidate_id).claim_nonce == ticket.candidate.claim_nonce
    response = signed_in.post(claim_code_url(plan, ticket))

    # then: the new code is shown once, is the one a ticket printed now carries, and the old one is dead
    assert page.status_code == 200 and "生成新的认领码" in page.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new = re.search(r'id="claim-code">([a-z2-9-]+)<', response.content.decode()).group(1)
    assert new != printed
    assert printed_code(tickets_pdf(applications=[load(ticket)])) == new
    event = AuditEvent.objects.get(action="candidate.claim_code_reissued")
    assert (event.actor_id, event.target_id) == (getattr(world, role).pk, str(ticket.candidate_id))

    signed_in.logout()
    assert register(client, printed).status_code == 200  # refused: the form again
    assert register(client, new).status_code == 302


def test_another_bodys_staff_get_404_and_change_nothing(world, staff, plan, ticket):
    nonce = ticket.candidate.claim_nonce
    # body_s's administrator, even when body_s has registered the same person for its own plan
    other_plan = make_plan(world, spec=make_spec(world, body=world.body_s))
    make_application(other_plan, ticket.candidate)
    signed_in = staff(world.body_s_admin)

    assert signed_in.get(claim_code_url(plan, ticket)).status_code == 404
    assert signed_in.post(claim_code_url(plan, ticket)).status_code == 404

    assert Candidate.objects.get(pk=ticket.candidate_id).claim_nonce == nonce
    assert not AuditEvent.objects.filter(action="candidate.claim_code_reissued").exists()


def test_a_body_that_registers_the_same_person_later_neither_prints_nor_makes_their_code(
    world, staff, plan, ticket
):
    # given: body_s, which knows the name and ID number body_y registered, puts the person in a plan of
    # its own and gives them a ticket there
    nonce = ticket.candidate.claim_nonce
    other_plan = make_plan(world, spec=make_spec(world, body=world.body_s), first_session_at=FIRST)
    theirs = make_application(other_plan, ticket.candidate, ticket_number=f"{other_plan.number}-0001")
    signed_in = staff(world.body_s_admin)

    # when: body_s prints its ticket and asks for a new code through its own plan
    (text,) = pdf_text(tickets_pdf(applications=[load(theirs)]))
    listed = signed_in.get(reverse("evaluation:plan_applications", args=[other_plan.pk])).content.decode()
    refused = signed_in.post(claim_code_url(other_plan, theirs)).content.decode()

    # then: no code on its ticket, no link, no new code; body_y's printed code still works
    assert "认领码" not in text
    assert claim_code_url(other_plan, theirs) not in listed
    assert "认领码只能由最初登记该考生的评价机构生成。" in refused and 'id="claim-code"' not in refused
    assert Candidate.objects.get(pk=ticket.candidate_id).claim_nonce == nonce
    assert not AuditEvent.objects.filter(action="candidate.claim_code_reissued").exists()
    assert printed_code(tickets_pdf(applications=[load(ticket)])) == claim_code_display(
        claim_code(ticket.candidate)
    )


def test_examiners_may_not_make_a_new_code(world, staff, plan, ticket):
    signed_in = staff(world.body_y_examiner)

    assert signed_in.post(claim_code_url(plan, ticket)).status_code == 403
    assert not AuditEvent.objects.filter(action="candidate.claim_code_reissued").exists()


def test_no_new_code_once_the_person_has_an_account(world, staff, plan, ticket):
    user = User.objects.create(username="zhangxiaoming")
    UserRole.objects.create(user=user, role=Role.CANDIDATE)
    Candidate.objects.filter(pk=ticket.candidate_id).update(user=user)
    signed_in = staff(world.body_y_admin)

    page = signed_in.get(claim_code_url(plan, ticket)).content.decode()
    refused = signed_in.post(claim_code_url(plan, ticket)).content.decode()

    assert "已注册账号并完成认领" in page and '<form method="post">' not in page
    assert "该考生已注册账号并完成认领，不再需要认领码。" in refused and 'id="claim-code"' not in refused
    assert not AuditEvent.objects.filter(action="candidate.claim_code_reissued").exists()


def test_the_list_links_to_the_code_page_for_people_without_an_account_only(world, staff, plan, ticket):
    user = User.objects.create(username="lifang")
    claimed = make_application(
        plan, make_candidate("李芳", OTHER_ID_NUMBER), ticket_number=f"{plan.number}-0002"
    )
    Candidate.objects.filter(pk=claimed.candidate_id).update(user=user)

    managers = staff(world.body_y_exam_staff).get(reverse("evaluation:plan_applications", args=[plan.pk]))
    examiners = staff(world.body_y_examiner).get(reverse("evaluation:plan_applications", args=[plan.pk]))

    page = managers.content.decode()
    assert claim_code_url(plan, ticket) in page
    assert claim_code_url(plan, claimed) not in page
    assert claim_code_url(plan, ticket) not in examiners.content.decode()
