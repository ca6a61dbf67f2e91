"""The permission case of every portal route, and the checks that keep the cases and the URLs in step.

A case says what a route's URL needs (built from the objects of ``tests.test_permissions.build_objects``),
which users the view admits by role but who are outside the object's scope (they must get 404), and any
exact expectation that differs from the rule derived from the view's declared access. Every portal route
must declare its access and have a case here, so a new page cannot ship without its permission test; the
matrix itself is run in ``tests/test_permissions.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from skillcert.certificates.services.plan_zip_job import PLAN_ZIP
from skillcert.evaluation.models import Application, EvaluationPlan, Objection, ResultReport, ScoreEntry
from skillcert.evaluation.services.application_import_job import APPLICATION_IMPORT
from skillcert.evaluation.tests.factories import make_application, make_candidate, make_resident_id
from skillcert.jobs.models import Job
from skillcert.reference.models import LevelRange
from skillcert.verification.models import EnumerationAlert
from tests.permission_matrix import portal_routes

if TYPE_CHECKING:
    from tests.test_permissions import Objects

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404

# Who may see an object of body_y (浦东新区), besides the roles a view admits.
OUTSIDE_BODY_Y = {"body_s_admin", "minhang_reviewer"}


@dataclass(frozen=True)
class Case:
    kwargs: Callable[["Objects"], dict] = lambda objects: {}
    # Users admitted by the view's role check but outside the object's scope: they must get 404.
    outside: frozenset[str] = frozenset()
    # Exact expectations that differ from the rule derived from the view's declared access.
    overrides: dict[str, object] = field(default_factory=dict)


def body_y_object(kwargs: Callable[["Objects"], dict], **overrides: object) -> Case:
    return Case(kwargs=kwargs, outside=frozenset(OUTSIDE_BODY_Y), overrides=overrides)


def plan_case(**overrides: object) -> Case:
    return body_y_object(lambda o: {"plan_id": o.plan.pk}, **overrides)


def filing_case(**extra: Callable[["Objects"], object]) -> Case:
    return body_y_object(lambda o: {"pk": o.filing.pk, **{k: f(o) for k, f in extra.items()}})


def plan_application_case(**overrides: object) -> Case:
    def kwargs(o: "Objects") -> dict:
        person = make_candidate("林小满", make_resident_id(date(1992, 2, 2), sequence=5))
        application = make_application(o.plan, person, ticket_number=f"{o.plan.number}-0001")
        return {"plan_id": o.plan.pk, "application_id": application.pk}

    return body_y_object(kwargs, **overrides)


def import_job_case() -> Case:
    """A finished import job of body_y's plan: its body's import roles only; the other body gets 404."""

    def kwargs(o: "Objects") -> dict:
        now = timezone.now()
        job = Job.objects.create(
            kind=APPLICATION_IMPORT,
            body=o.world.body_y,
            created_by=o.world.body_y_exam_staff,
            params={"plan": o.plan.pk, "filename": "名单.xlsx"},
            status=Job.Status.SUCCEEDED,
            result={"rows": 1, "imported": 1, "unchanged": 0, "candidates_created": 1, "sha256": "0" * 64},
            created_at=now,
            heartbeat_at=now,
        )
        return {"plan_id": o.plan.pk, "job_uuid": job.uuid}

    return body_y_object(kwargs)


def plan_zip_job_case() -> Case:
    """A finished ZIP job of body_y's issued plan: the body's admin and exam staff; other bodies 404."""

    def kwargs(o: "Objects") -> dict:
        now = timezone.now()
        plan_id = issued_plan_id()
        job = Job.objects.create(
            kind=PLAN_ZIP,
            body=o.world.body_y,
            created_by=o.world.body_y_exam_staff,
            params={"plan": plan_id, "plan_number": "P", "certificates": 1},
            status=Job.Status.SUCCEEDED,
            result={"count": 1, "bytes": 0},
            created_at=now,
            heartbeat_at=now,
            finished_at=now,
        )
        return {"plan_id": plan_id, "job_uuid": job.uuid}

    return body_y_object(kwargs)


def own_application_case() -> Case:
    """The candidate's own application: only its holder may open it; another candidate gets 404."""
    return Case(
        kwargs=lambda o: {"application_id": Application.objects.get(candidate=o.candidate).pk},
        outside=frozenset({"candidate"}),
    )


def score_entry_case() -> Case:
    def kwargs(o: "Objects") -> dict:
        person = make_candidate("林小满", make_resident_id(date(1992, 2, 2), sequence=5))
        application = make_application(o.plan, person, ticket_number=f"{o.plan.number}-0001")
        entry = ScoreEntry.objects.create(
            application=application,
            component="theory",
            value=70,
            entered_by=o.world.body_y_exam_staff,
            entered_at=timezone.now(),
        )
        return {"plan_id": o.plan.pk, "entry_id": entry.pk}

    return body_y_object(kwargs)


def objection_case() -> Case:
    def kwargs(o: "Objects") -> dict:
        objection = Objection.objects.create(
            plan=o.plan,
            reference="YY20250101ABCDEF",
            subject="整体",
            text="异议内容十个字以上的说明",
            contact_name="王",
            contact_phone="13912345678",
            lodged_at=timezone.now(),
        )
        return {"plan_id": o.plan.pk, "objection_id": objection.pk}

    return body_y_object(kwargs)


def in_publicity(o: "Objects") -> dict:
    today = timezone.localdate()
    EvaluationPlan.objects.filter(pk=o.plan.pk).update(
        status=EvaluationPlan.Status.PUBLICITY,
        publicity_starts_on=today,
        publicity_ends_on=today + timedelta(days=7),
    )
    return {"number": o.plan.number}


def reported(o: "Objects") -> dict:
    EvaluationPlan.objects.filter(pk=o.plan.pk).update(status=EvaluationPlan.Status.REPORTED)
    ResultReport.objects.create(
        plan=o.plan,
        passed_count=0,
        submitted_at=timezone.now(),
        submitted_by=o.world.body_y_admin,
        review_due_on=timezone.localdate() + timedelta(days=7),
    )
    return {"plan_id": o.plan.pk}


def issued_plan_id() -> int:
    return EvaluationPlan.objects.get(status=EvaluationPlan.Status.ISSUED).pk


def submitted_filing_case() -> Case:
    return body_y_object(lambda o: {"pk": o.submitted_filing.pk})


def open_alert(o: "Objects") -> dict:
    now = timezone.now()
    alert = EnumerationAlert.objects.create(
        kind=EnumerationAlert.Kind.SEQUENTIAL,
        subject="0123456789ab",
        count=12,
        window_start=now,
        window_end=now,
        description="连续序列号",
        created_at=now,
    )
    return {"pk": alert.pk}


def first_level_range_pk() -> int:
    """A level range the migrations seed (婴幼儿发展引导员 or a 焊工 工种)."""
    return LevelRange.objects.order_by("pk").values_list("pk", flat=True)[0]


def everyone(outcome: object) -> dict[str, object]:
    return {name: outcome for name in (None, *WORLD_USERNAMES)}


WORLD_USERNAMES = (
    "municipal_admin",
    "municipal_reviewer",
    "municipal_supervisor",
    "municipal_statistician",
    "pudong_reviewer",
    "minhang_reviewer",
    "body_y_admin",
    "body_y_exam_staff",
    "body_y_examiner",
    "body_y_internal_supervisor",
    "body_s_admin",
    "candidate",
)


CASES: dict[str, Case] = {
    "portal:home": Case(),
    "portal:dashboard": Case(),
    "accounts:login": Case(),
    # The second-factor steps exist only during a login that passed the password: otherwise back to login.
    "accounts:login_verify": Case(overrides=everyone(LOGIN)),
    "accounts:login_enrol": Case(overrides=everyone(LOGIN)),
    "accounts:logout": Case(),
    "accounts:register": Case(),
    "accounts:profile": Case(),
    "accounts:password_change": Case(),
    "accounts:two_factor": Case(),
    "accounts:login_alerts": Case(),
    "accounts:login_failures_clear": Case(
        kwargs=lambda o: {"pk": o.login_alert_user.pk}, outside=frozenset({"body_s_admin"})
    ),
    # Revealing a full ID number: the municipal administrator only (or the explicit permission); for
    # everyone else the candidate is outside their scope.
    "accounts:candidate_reveal_id": Case(
        kwargs=lambda o: {"pk": o.candidate.pk},
        outside=frozenset(WORLD_USERNAMES) - {"municipal_admin"},
    ),
    "accounts:tokens": Case(),
    "accounts:token_create": Case(overrides={"candidate": FORBIDDEN}),
    # A token is its owner's alone.
    "accounts:token_revoke": Case(
        kwargs=lambda o: {"token_id": o.token_id}, outside=frozenset(WORLD_USERNAMES) - {"body_y_admin"}
    ),
    "reference:skill_levels": Case(),
    "reference:occupations": Case(),
    "reference:calendar": Case(),
    "reference:calendar_day_create": Case(),
    "reference:calendar_day_update": Case(kwargs=lambda o: {"day": date(2025, 10, 1)}),
    "reference:calendar_day_delete": Case(kwargs=lambda o: {"day": date(2025, 10, 1)}),
    "reference:level_ranges": Case(),
    "reference:level_range_export": Case(),
    "reference:level_range_create": Case(),
    "reference:level_range_import": Case(),
    "reference:level_range_update": Case(kwargs=lambda o: {"pk": first_level_range_pk()}),
    "reference:level_range_delete": Case(kwargs=lambda o: {"pk": first_level_range_pk()}),
    "registry:directory": Case(),
    "registry:body_public": Case(kwargs=lambda o: {"credit_code": o.world.body_y.credit_code}),
    "registry:register": Case(),
    "registry:filing_list": Case(),
    "registry:filing_start": Case(),
    "registry:filing_detail": submitted_filing_case(),
    "registry:filing_edit": filing_case(),
    "registry:filing_site_add": filing_case(),
    "registry:filing_site_remove": filing_case(site_pk=lambda o: o.filing_site.pk),
    "registry:filing_scope_add": filing_case(),
    "registry:filing_scope_remove": filing_case(row_pk=lambda o: o.filing_scope.pk),
    "registry:filing_withdrawal": filing_case(scope_pk=lambda o: o.filed_scope.pk),
    "registry:filing_submit": filing_case(),
    "registry:filing_approve": submitted_filing_case(),
    "registry:filing_return": submitted_filing_case(),
    "registry:filing_reject": submitted_filing_case(),
    "registry:body_list": Case(),
    "registry:body_detail": body_y_object(lambda o: {"pk": o.world.body_y.pk}),
    "registry:body_status": body_y_object(lambda o: {"pk": o.world.body_y.pk, "action": "suspend"}),
    "evaluation:spec_list": Case(),
    "evaluation:spec_create": body_y_object(lambda o: {"scope_id": o.filed_scope.pk}),
    "evaluation:spec_edit": body_y_object(lambda o: {"spec_id": o.spec.pk}),
    "evaluation:plan_list": Case(),
    "evaluation:plan_create": Case(),
    "evaluation:plan_detail": plan_case(),
    "evaluation:plan_edit": plan_case(),
    "evaluation:plan_submit": plan_case(),
    "evaluation:plan_acknowledge": plan_case(),
    "evaluation:plan_reject": plan_case(),
    "evaluation:plan_external_supervisor": plan_case(),
    "evaluation:plan_staff": plan_case(),
    "evaluation:plan_staff_remove": body_y_object(
        lambda o: {"plan_id": o.plan.pk, "staff_id": o.plan.staff.first().pk}
    ),
    "evaluation:plan_recusal": plan_case(),
    "evaluation:plan_applications": plan_case(),
    "evaluation:application_register": plan_case(),
    "evaluation:plan_application_template": plan_case(),
    "evaluation:plan_application_import": plan_case(),
    "evaluation:plan_application_import_job": import_job_case(),
    "evaluation:plan_application_import_job_status": import_job_case(),
    "evaluation:plan_tickets": plan_case(),
    "evaluation:application_withdraw": plan_application_case(),
    "evaluation:application_ticket": plan_application_case(),
    "evaluation:application_claim_code": plan_application_case(),
    # The problems of a failed import live in the uploader's session: none stored, nothing to show.
    "evaluation:plan_application_import_problems": plan_case(
        body_y_admin=NOT_FOUND, body_y_exam_staff=NOT_FOUND
    ),
    "evaluation:my_applications": Case(),
    "evaluation:apply_plans": Case(),
    "evaluation:my_application": own_application_case(),
    "evaluation:my_ticket": own_application_case(),
    "evaluation:my_withdraw": own_application_case(),
    "evaluation:apply": Case(kwargs=lambda o: {"plan_id": o.plan.pk}),
    "evaluation:plan_scores": plan_case(),
    "evaluation:plan_scores_enter": plan_case(),
    "evaluation:plan_scores_confirm": plan_case(),
    "evaluation:plan_scores_lock": plan_case(),
    "evaluation:plan_scores_template": plan_case(),
    "evaluation:plan_scores_import": plan_case(),
    "evaluation:score_correct": score_entry_case(),
    "evaluation:score_change": score_entry_case(),
    "evaluation:plan_results": plan_case(),
    "evaluation:plan_retakes": plan_case(),
    "evaluation:plan_publicity_start": plan_case(),
    "evaluation:objection_answer": objection_case(),
    "evaluation:publicity_list": Case(),
    "evaluation:publicity_public": Case(kwargs=in_publicity),
    "evaluation:objection_lodge": Case(kwargs=in_publicity),
    "evaluation:plan_report_submit": plan_case(),
    "evaluation:plan_report_approve": body_y_object(reported),
    "evaluation:plan_report_return": body_y_object(reported),
    "evaluation:report_list": Case(),
    "certificates:list": Case(),
    "verification:query": Case(),
    "verification:certificate": Case(kwargs=lambda o: {"token": o.certificate.qr_token}),
    # City-wide alerts: the municipal authority administrator only (a district's would get 403).
    "verification:alert_list": Case(),
    "verification:alert_acknowledge": Case(kwargs=open_alert),
    "credentials:issuer": Case(kwargs=lambda o: {"credit_code": o.world.body_y.credit_code}),
    "credentials:status_list": Case(
        kwargs=lambda o: {"credit_code": o.world.body_y.credit_code, "sequence": 1}
    ),
    # A signed credential is downloaded by its holder only (none of the world's users holds this one).
    "credentials:download": Case(
        kwargs=lambda o: {"number": o.certificate.number}, outside=frozenset(WORLD_USERNAMES)
    ),
    "credentials:by_token": Case(kwargs=lambda o: {"token": o.certificate.qr_token}),
    # The PDF prints the full ID number: only the holder and the issuing body's admin and exam staff.
    "certificates:pdf": Case(
        kwargs=lambda o: {"number": o.certificate.number},
        outside=frozenset(WORLD_USERNAMES) - {"body_y_admin", "body_y_exam_staff"},
    ),
    "certificates:plan_zip": body_y_object(lambda o: {"plan_id": issued_plan_id()}),
    "certificates:plan_zip_start": body_y_object(lambda o: {"plan_id": issued_plan_id()}),
    "certificates:plan_zip_job": plan_zip_job_case(),
    "certificates:plan_zip_job_status": plan_zip_job_case(),
    "certificates:plan_zip_job_download": plan_zip_job_case(),
    "certificates:revoke": body_y_object(lambda o: {"number": o.certificate.number}),
    "certificates:plan_revoke": body_y_object(lambda o: {"plan_id": issued_plan_id()}),
    "certificates:reissue": body_y_object(lambda o: {"number": o.certificate.number}),
    "certificates:mine": Case(),
    "certificates:detail": body_y_object(lambda o: {"number": o.certificate.number}, candidate=NOT_FOUND),
    "certificates:plan_issue": body_y_object(lambda o: {"plan_id": issued_plan_id()}),
}


def test_every_route_declares_its_access():
    undeclared = [route.name for route in portal_routes() if route.access is None]
    assert undeclared == [], (
        f"每个页面都须用 public_view / login_required_view / role_required 声明访问权限：{undeclared}"
    )


def test_every_route_has_a_permission_case():
    missing = sorted({route.name for route in portal_routes()} - set(CASES))
    assert missing == [], (
        f"以下页面没有权限测试，请在 tests/test_permissions_cases.py 的 CASES 中补充：{missing}"
    )


def test_no_case_names_a_route_that_does_not_exist():
    assert sorted(set(CASES) - {route.name for route in portal_routes()}) == []
