"""Admission tickets: the PDF's content and determinism, the QR payload, the download pages."""

import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from skillcert.evaluation.models import Application
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)
from skillcert.evaluation.tickets import ticket_check_token, ticket_qr_payload, ticket_verify, tickets_pdf

pytestmark = pytest.mark.django_db

ID_1 = make_resident_id(date(1990, 3, 7), sequence=21)
ID_2 = make_resident_id(date(1991, 8, 1), sex="F", sequence=22)
FIRST = timezone.make_aware(datetime(2026, 11, 14, 9, 0))


@pytest.fixture
def plan(world):
    # 四级: theory on 14 November 09:00–10:30, skills on 15 November 09:00–10:30, room 101
    return make_plan(world, spec=make_spec(world, level_code="L4"), first_session_at=FIRST)


@pytest.fixture
def ticket(plan) -> Application:
    return make_application(plan, make_candidate("张晓明", ID_1), ticket_number=f"{plan.number}-0001")


def pdf_text(content: bytes) -> list[str]:
    """Each page's text with all white space removed (label and value are drawn as separate strings)."""
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def load(application: Application) -> Application:
    return Application.objects.select_related(
        "candidate",
        "plan",
        "plan__tenant",
        "plan__site",
        "plan__spec",
        "plan__spec__occupation",
        "plan__spec__level",
    ).get(pk=application.pk)


def test_ticket_shows_the_candidate_the_plan_and_every_session(world, plan, ticket):
    # when
    (text,) = pdf_text(tickets_pdf(applications=[load(ticket)]))

    # then
    masked = ID_1[:3] + "*" * 11 + ID_1[-4:]
    for expected in (
        "职业技能等级认定准考证",
        "上海浦江机电集团有限公司",
        f"准考证号：{plan.number}-0001",
        "姓名：张晓明",
        f"证件号码：{masked}",
        "6-31-01-03 电工",
        "四级/中级工",
        "考点：浦江机电实训基地",
        "考点地址：浦东新区川沙路 1 号",
        "理论知识考试 2026-11-14 09:00–10:30 101",
        "操作技能考核 2026-11-15 09:00–10:30 101",
        "考生须知",
        "照片",
    ):
        assert "".join(expected.split()) in text, expected
    assert ID_1 not in text


def test_same_data_gives_the_same_bytes(plan, ticket):
    assert tickets_pdf(applications=[load(ticket)]) == tickets_pdf(applications=[load(ticket)])


def test_plan_pdf_has_one_page_per_ticket_in_order(plan, ticket):
    second = make_application(plan, make_candidate("李芳", ID_2), ticket_number=f"{plan.number}-0002")

    pages = pdf_text(tickets_pdf(applications=[load(ticket), load(second)]))

    assert len(pages) == 2
    assert "姓名：张晓明" in pages[0] and "姓名：李芳" in pages[1]


def test_qr_payload_carries_the_number_and_a_check_token_only():
    payload = ticket_qr_payload("P1-2026-0001-0007")

    assert payload == f"SKILLCERT-TICKET:P1-2026-0001-0007:{ticket_check_token('P1-2026-0001-0007')}"
    assert len(ticket_check_token("P1-2026-0001-0007")) == 16
    assert ticket_verify(payload) == "P1-2026-0001-0007"
    assert ticket_verify(payload.replace("0007", "0008")) is None


# ---- download pages -------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    return client


def test_body_staff_download_one_ticket(world, staff_client, plan, ticket):
    staff_client.force_login(world.body_y_examiner)

    response = staff_client.get(f"/evaluation/plans/{plan.pk}/applications/{ticket.pk}/ticket.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="ticket-{plan.number}-0001.pdf"'
    assert "姓名：张晓明" in pdf_text(response.content)[0]


def test_body_staff_download_all_tickets_of_the_plan(world, staff_client, plan, ticket):
    make_application(plan, make_candidate("李芳", ID_2), ticket_number=f"{plan.number}-0002")
    make_application(
        plan,
        make_candidate("不合格", make_resident_id(date(1990, 1, 1), sequence=23)),
        status=Application.Status.INELIGIBLE,
    )
    staff_client.force_login(world.body_y_admin)

    response = staff_client.get(f"/evaluation/plans/{plan.pk}/tickets.pdf")

    assert response.status_code == 200
    assert len(pdf_text(response.content)) == 2


def test_other_body_gets_404(world, staff_client, plan, ticket):
    staff_client.force_login(world.body_s_admin)

    assert staff_client.get(f"/evaluation/plans/{plan.pk}/tickets.pdf").status_code == 404
    assert (
        staff_client.get(f"/evaluation/plans/{plan.pk}/applications/{ticket.pk}/ticket.pdf").status_code
        == 404
    )


def test_no_ticket_before_the_plan_is_acknowledged_or_for_ineligible(world, staff_client):
    submitted = make_plan(world, spec=make_spec(world, level_code="L4"), status="submitted")
    ineligible = make_application(
        submitted, make_candidate("乙", ID_2), status=Application.Status.INELIGIBLE, ticket_number="X-1"
    )
    staff_client.force_login(world.body_y_admin)

    assert staff_client.get(f"/evaluation/plans/{submitted.pk}/tickets.pdf").status_code == 404
    url = f"/evaluation/plans/{submitted.pk}/applications/{ineligible.pk}/ticket.pdf"
    assert staff_client.get(url).status_code == 404
