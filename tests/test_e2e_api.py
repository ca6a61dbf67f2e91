"""End to end through the API: from a body's filing to its candidates' certificates.

Every step that has an endpoint goes through ``/api/v1`` with the actor's bearer token (two-factor login
stays required: tokens are not a login and do not pass through it). Steps without an endpoint are marked
``NOT API`` and use the service a person would use in the portal, or read an id the API does not list:

* registering the body and its administrator (the portal's registration form, ``body_register``);
* the body's staff accounts and their qualifications (no service or endpoint manages them yet);
* creating the evaluation spec (``spec_create``: the portal's spec page, no endpoint);
* the ids of the body's site and staff (the API lists neither);
* the application template (``application_template_workbook``: the portal's download, no endpoint).

Time passes with ``time_machine``: the exam must have taken place before scores are entered, and the
publicity period must be over before the results are reported.
"""

import io
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_user
from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.accounts.tokens import api_token_create
from skillcert.api.tests.helpers import ApiClient
from skillcert.core.audit import audit_chain_verify
from skillcert.core.calendar import add_working_days
from skillcert.core.identifiers import parse_certificate_number
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import EvaluationPlan, EvaluationSpec, StaffQualification
from skillcert.evaluation.services import spec_create
from skillcert.evaluation.spreadsheets.columns import SHEET_TITLE
from skillcert.evaluation.spreadsheets.template import application_template_workbook
from skillcert.portal.demo import credit_code
from skillcert.portal.demo_candidates import resident_id
from skillcert.reference.models import Occupation, Region, SkillLevel
from skillcert.registry.models import Body, Site
from skillcert.registry.services import BodyDetails, body_register

pytestmark = pytest.mark.django_db

ELECTRICIAN = "6-31-01-03"
SITE_CODE = "009901"
# name, ID number, years of work in the occupation, theory score (the last one fails theory)
CANDIDATES = [
    ("赵立军", resident_id(address_code="310115", birth="19860305", sequence="231"), 8, 78),
    ("钱丽华", resident_id(address_code="340104", birth="19910717", sequence="142"), 7, 85),
    ("孙建国", resident_id(address_code="320102", birth="19800112", sequence="357"), 12, 66),
    ("李秋萍", resident_id(address_code="310112", birth="19950928", sequence="068"), 6, 52),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SKILLS = [75, 80, 71]  # each examiner's mark, the same for every candidate


class Api:
    """The API client with one bearer token per actor."""

    def __init__(self) -> None:
        self.client = ApiClient()
        self.tokens: dict[str, str] = {}

    def token_for(self, user) -> None:
        self.tokens[user.username] = api_token_create(
            user=user, name="HR 系统对接", scope="read_write", actor=user
        )[1]

    def call(self, method: str, path: str, *, actor, body=None, expect: int = 200, **extra):
        response = self.client.call(
            method, "/api/v1" + path, token=self.tokens[actor.username], body=body, **extra
        )
        assert response.status_code == expect, response.content.decode()
        return response.json()


def at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def body_and_staff(world):
    # NOT API: a new body registers through the portal's registration form (body_register).
    pudong = Region.objects.get(code="310115")
    filing = body_register(
        details=BodyDetails(
            body_name="上海东岸电气设备有限公司",
            credit_code=credit_code(authority="9", category="1", region_code="310115", org_first8="MA1Q8W3E"),
            body_kind=Body.Kind.EMPLOYER,
            district=pudong,
            address="上海市浦东新区东岸路 18 号",
            contact_name="邵敏",
            contact_phone="021-58000018",
        ),
        username="dongan_admin",
        full_name="邵敏",
        mobile="13700001818",
        password="Dongan-Passw0rd!",
    )
    body = filing.tenant
    admin = User.objects.get(username="dongan_admin")
    # NOT API: staff accounts and the level each examiner holds (no service or endpoint manages them).
    staff = {
        "exam_staff": make_user("dongan_exam_staff", Role.EXAM_STAFF, body=body),
        "invigilator": make_user("dongan_invigilator", Role.EXAM_STAFF, body=body),
        "chief": make_user("dongan_chief", Role.EXAMINER, body=body),
        "examiner_a": make_user("dongan_examiner_a", Role.EXAMINER, body=body),
        "examiner_b": make_user("dongan_examiner_b", Role.EXAMINER, body=body),
        "supervisor": make_user("dongan_supervisor", Role.INTERNAL_SUPERVISOR, body=body),
    }
    electrician = Occupation.objects.get(code=ELECTRICIAN)
    for key in ("chief", "examiner_a", "examiner_b"):
        StaffQualification.objects.create(
            tenant=body, user=staff[key], occupation=electrician, level=SkillLevel.objects.get(code="L2")
        )
    return body, admin, staff, world.pudong_reviewer


def filled_template(plan) -> bytes:
    """The plan's application template with one row per candidate, as a body's HR office fills it in."""
    # NOT API: the template is the portal's download (application_template_workbook); no endpoint.
    workbook = load_workbook(io.BytesIO(application_template_workbook(plan=plan)))
    sheet = workbook[str(SHEET_TITLE)]
    headers = [cell.value for cell in sheet[1]]
    for row, (name, id_number, years, _theory) in enumerate(CANDIDATES, start=2):
        sheet.cell(row=row, column=headers.index("姓名") + 1, value=name)
        sheet.cell(row=row, column=headers.index("证件号码") + 1, value=id_number)
        sheet.cell(row=row, column=headers.index("本职业累计工作年限") + 1, value=years)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_from_filing_to_issued_certificates_through_the_api(body_and_staff, settings):
    settings.SKILLCERT_REQUIRE_2FA = True  # staff sign in with a second factor; tokens do not sign in
    body, admin, staff, reviewer = body_and_staff
    api = Api()
    for user in (admin, reviewer, *staff.values()):
        api.token_for(user)

    # ---- filing: the body applies for 电工 四级 with one site; the 浦东 reviewer approves ----------------
    filing = api.call(
        "POST",
        "/filings",
        actor=admin,
        expect=201,
        body={
            "sites": [
                {"name": "东岸电气实训中心", "address": "上海市浦东新区东岸路 18 号", "district": "310115"}
            ],
            "scope": [
                {
                    "occupation": ELECTRICIAN,
                    "level": "L4",
                    "examiners": 3,
                    "internal_supervisors": 1,
                    "question_bank": "上海市职业技能等级认定题库（电工）",
                    "equipment": "低压电工实训台 10 套",
                }
            ],
        },
    )
    assert (filing["kind"], filing["status"]) == ("initial", "submitted")
    seen = api.call("GET", f"/filings/{filing['id']}", actor=reviewer)
    site_id = seen["sites"][0]["id"]
    approved = api.call(
        "POST",
        f"/filings/{filing['id']}/approve",
        actor=reviewer,
        body={"body_code": "0000", "sites": [{"id": site_id, "sequence_code": SITE_CODE}]},
    )
    assert approved["status"] == "approved"
    assert approved["sites"][0]["sequence_code"] == SITE_CODE
    body.refresh_from_db()
    assert body.filing_status == Body.FilingStatus.FILED

    # ---- NOT API: the spec (the portal's spec page; there is no endpoint) ---------------------------------
    spec = spec_create(
        body=body,
        occupation=Occupation.objects.get(code=ELECTRICIAN),
        level=SkillLevel.objects.get(code="L4"),
        actor=admin,
    )
    assert EvaluationSpec.objects.for_tenant(body).count() == 1

    # ---- the plan: created, staffed, submitted; the authority acknowledges it ---------------------------
    exam_on = add_working_days(timezone.localdate(), 10)
    site = Site.objects.get(tenant=body, sequence_code=SITE_CODE)  # NOT API: the API lists no site ids
    plan = api.call(
        "POST",
        "/plans",
        actor=staff["exam_staff"],
        expect=201,
        body={
            "spec_id": spec.pk,
            "site_id": site.pk,
            "capacity": 15,
            "sessions": [
                {"component": "theory", "starts_at": at(exam_on, 9).isoformat(),
                 "ends_at": at(exam_on, 10, 30).isoformat(), "room": "201"},
                {"component": "skills", "starts_at": at(exam_on, 13, 30).isoformat(),
                 "ends_at": at(exam_on, 15).isoformat(), "room": "实训室"},
            ],
        },
    )  # fmt: skip
    plan_id = plan["id"]
    assert plan["status"] == "draft"
    duties = [
        ("chief", "chief_examiner"),
        ("examiner_a", "examiner"),
        ("examiner_b", "examiner"),
        ("exam_staff", "invigilator"),
        ("invigilator", "invigilator"),
        ("supervisor", "internal_supervisor"),
    ]
    for key, duty in duties:
        assigned = api.call(
            "POST",
            f"/plans/{plan_id}/staff",
            actor=staff["exam_staff"],
            expect=201,
            body={"user_id": staff[key].pk, "duty": duty},  # NOT API: staff ids come from the test's setup
        )
        assert (assigned["username"], assigned["duty"]) == (staff[key].username, duty)
    assert api.call("POST", f"/plans/{plan_id}/submit", actor=admin)["status"] == "submitted"
    assert api.call("POST", f"/plans/{plan_id}/acknowledge", actor=reviewer)["status"] == "acknowledged"

    # ---- applications: the filled-in Excel template, imported all at once ------------------------------
    workbook = filled_template(EvaluationPlan.objects.get(pk=plan_id))
    imported = api.call(
        "POST",
        f"/plans/{plan_id}/applications/import",
        actor=staff["exam_staff"],
        data={"file": SimpleUploadedFile("报名名单.xlsx", workbook, content_type=XLSX), "source": "body"},
    )
    assert (imported["imported"], imported["unchanged"], imported["candidates_created"]) == (4, 0, 4)
    listed = api.call("GET", f"/plans/{plan_id}/applications", actor=staff["exam_staff"])
    assert listed["count"] == 4
    assert {item["status"] for item in listed["items"]} == {"eligible"}
    assert {item["eligibility_route"] for item in listed["items"]} == {"standard_2018:L4:2"}
    applications = {item["name"]: item for item in listed["items"]}
    assert sorted(item["ticket_number"] for item in listed["items"]) == [
        f"{plan['number']}-{n:04d}" for n in range(1, 5)
    ]

    # ---- the exam took place: scores entered, confirmed by a second person, locked by the chief ----------
    markers = [staff["chief"], staff["examiner_a"], staff["examiner_b"]]
    with time_machine.travel(at(add_working_days(exam_on, 1), 10), tick=False):
        entries = []  # (entry id, value, confirmer)
        for name, _id, _years, theory in CANDIDATES:
            application_id = applications[name]["id"]
            entry = api.call(
                "POST",
                f"/plans/{plan_id}/scores",
                actor=staff["exam_staff"],
                expect=201,
                body={"application_id": application_id, "component": "theory", "value": str(theory)},
            )
            assert entry["status"] == "entered"
            entries.append((entry["id"], theory, admin))
            for marker, value in zip(markers, SKILLS, strict=True):
                entry = api.call(
                    "POST",
                    f"/plans/{plan_id}/scores",
                    actor=marker,
                    expect=201,
                    body={
                        "application_id": application_id,
                        "component": "skills",
                        "marker_id": marker.pk,
                        "value": str(value),
                    },
                )
                entries.append((entry["id"], value, staff["exam_staff"]))
        for entry_id, value, confirmer in entries:
            confirmed = api.call(
                "POST", f"/scores/{entry_id}/confirm", actor=confirmer, body={"value": str(value)}
            )
            assert confirmed["status"] == "confirmed"
        locked = api.call("POST", f"/plans/{plan_id}/scores/lock", actor=staff["chief"])
        assert (locked["status"], locked["passed"], locked["failed"]) == ("scores_locked", 3, 1)
        results = api.call("GET", f"/plans/{plan_id}/results", actor=admin)
        by_name = {row["name"]: row for row in results["applications"]}
        assert by_name["李秋萍"]["result"] == "failed"
        assert [(c["component"], c["score"], c["passed"]) for c in by_name["李秋萍"]["components"]] == [
            ("theory", "52.00", False),
            ("skills", "75.33", True),
        ]

        # ---- publicity: the passing list is published for the regulated working days -------------------
        publicity = api.call("POST", f"/plans/{plan_id}/publicity", actor=admin, body={})
        assert (publicity["status"], publicity["publicity_starts_on"]) == (
            "publicity",
            add_working_days(exam_on, 1).isoformat(),
        )
    ends_on = publicity["publicity_ends_on"]

    # ---- after publicity: reported, approved by the district, certificates issued ------------------------
    report_day = datetime.fromisoformat(ends_on).date() + timedelta(days=1)
    with time_machine.travel(at(report_day, 9), tick=False):
        report = api.call("POST", f"/plans/{plan_id}/report", actor=admin, expect=201)
        assert (report["status"], report["passed_count"]) == ("submitted", 3)
        decision = api.call("POST", f"/plans/{plan_id}/report/approve", actor=reviewer)
        assert (decision["status"], decision["plan_status"]) == ("approved", "results_approved")
        issued = api.call("POST", f"/plans/{plan_id}/certificates/issue", actor=admin, expect=201)
        prefix = f"Y000031{SITE_CODE}{report_day.year % 100:02d}4"
        assert issued == {
            "plan_id": plan_id,
            "plan_number": plan["number"],
            "plan_status": "issued",
            "count": 3,
            "first_number": f"{prefix}000001",
            "last_number": f"{prefix}000003",
        }

        # ---- the certificates, as the body and as the district authority see them -----------------------
        for actor in (admin, reviewer):
            certificates = api.call("GET", f"/certificates?plan_id={plan_id}", actor=actor)
            assert certificates["count"] == 3
            assert sorted(c["number"] for c in certificates["items"]) == [
                f"{prefix}00000{n}" for n in (1, 2, 3)
            ]
            for certificate in certificates["items"]:
                assert len(certificate["number"]) == 22
                assert parse_certificate_number(certificate["number"]).number == certificate["number"]
                assert (certificate["status"], certificate["level_code"], certificate["plan_id"]) == (
                    "valid",
                    "L4",
                    plan_id,
                )
                assert certificate["issue_date"] == report_day.isoformat()
            assert {c["holder_name"] for c in certificates["items"]} == {"赵立军", "钱丽华", "孙建国"}
        final = api.call("GET", f"/plans/{plan_id}", actor=admin)
        assert (final["status"], final["next_steps"][0]["label"]) == ("issued", "证书已发放")

    # ---- and the audit log tells who did each step ----------------------------------------------------
    steps = {
        "filing.submitted": "dongan_admin",
        "filing.approved": "pudong_reviewer",
        "spec.created": "dongan_admin",
        "plan.created": "dongan_exam_staff",
        "plan.submitted": "dongan_admin",
        "plan.acknowledged": "pudong_reviewer",
        "plan.scores_locked": "dongan_chief",
        "plan.publicity_started": "dongan_admin",
        "result_report.submitted": "dongan_admin",
        "result_report.approved": "pudong_reviewer",
        "plan.certificates_issued": "dongan_admin",
    }
    for action, username in steps.items():
        assert list(AuditEvent.objects.filter(action=action).values_list("actor_username", flat=True)) == [
            username
        ], action
    assert AuditEvent.objects.filter(action="score.entered").count() == 16
    assert AuditEvent.objects.filter(action="score.confirmed").count() == 16
    assert audit_chain_verify().intact
