"""The evaluation part of ``skillcert demo``: staff qualifications, specs and a plan at every stage.

It runs after the demo bodies have been filed (``demo_filing``). What it adds, through the services
(see ``demo_plan_walk`` for the one exception, dates):

* the examiners' qualifications (the level they hold in each occupation), so the examiner level rule
  passes, and an evaluation spec for every filed scope row;
* ten plans: issued ones (60 certificates over 电工, 焊工, 养老护理员 and 中式烹调师, levels 5 to 3), one
  reported to each district, one in publicity with an answered objection and a candidate 缺考 (absent)
  from theory, one with its scores locked and one open for applications. The demo candidates with
  accounts apply themselves and hold certificates.

Idempotent: a qualification or spec that exists, a spec that already has a plan is left
alone, so a second run creates nothing.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.certificates.models import Certificate
from skillcert.core.audit import audit_record
from skillcert.core.calendar import add_working_days
from skillcert.evaluation.eligibility import Evidence
from skillcert.evaluation.models import (
    Application,
    Component,
    Education,
    EligibilityTemplate,
    EvaluationPlan,
    EvaluationSpec,
    StaffQualification,
    TitleRank,
)
from skillcert.evaluation.services import spec_create
from skillcert.portal.demo_candidates import CANDIDATES
from skillcert.portal.demo_filing import (
    CHINESE_COOK,
    ELDERLY_CARE,
    ELECTRICIAN,
    FILINGS,
    HR_MANAGER,
    WELDER,
    WELDER_JOB_TYPE,
)
from skillcert.portal.demo_people import demo_people
from skillcert.portal.demo_plan_walk import Applicant, Crew, Walk, plan_walk
from skillcert.reference.models import Occupation, SkillLevel
from skillcert.registry.models import Body, FiledScope, Site
from skillcert.registry.selectors import filed_scope_in_force, user_reviews_district

Status = EvaluationPlan.Status
ACTOR_LABEL = "demo"
EXTERNAL_SUPERVISOR = "sh_supervisor"
TRADES = (ELECTRICIAN, WELDER)  # their skills tests take two hours


@dataclass(frozen=True, slots=True)
class CrewNames:
    """The usernames of the people who act on a body's demo plans."""

    admin: str
    exam_staff: str
    invigilator: str
    examiners: tuple[str, ...]  # the first is the chief examiner
    internal_supervisor: str
    reviewer: str  # the reviewer of the body's district

    def staff_roles(self) -> list[tuple[str, str]]:
        """Each member of the body's staff with the role the demo gives them."""
        return [
            (self.admin, Role.BODY_ADMIN),
            (self.exam_staff, Role.EXAM_STAFF),
            (self.invigilator, Role.EXAM_STAFF),
            (self.internal_supervisor, Role.INTERNAL_SUPERVISOR),
            *((name, Role.EXAMINER) for name in self.examiners),
        ]


CREWS = {
    "pujiang": CrewNames(
        admin="pj_admin",
        exam_staff="pj_exam_staff",
        invigilator="pj_exam_staff2",
        examiners=("pj_examiner", "pj_examiner2", "pj_examiner3"),
        internal_supervisor="pj_supervisor",
        reviewer="pd_reviewer",
    ),
    "minhang": CrewNames(
        admin="mh_center_admin",
        exam_staff="mh_center_exam_staff",
        invigilator="mh_center_exam_staff2",
        examiners=("mh_center_examiner", "mh_center_examiner2", "mh_center_examiner3"),
        internal_supervisor="mh_center_supervisor",
        reviewer="mh_reviewer",
    ),
}

# username → (occupation code, level held): every examiner holds at least the levels their body examines.
QUALIFICATIONS = {
    "pj_examiner": ((ELECTRICIAN, "L1"), (WELDER, "L2")),
    "pj_examiner2": ((ELECTRICIAN, "L2"), (WELDER, "L2")),
    "pj_examiner3": ((ELECTRICIAN, "L2"), (WELDER, "L3")),
    "mh_center_examiner": ((ELDERLY_CARE, "L2"), (CHINESE_COOK, "L3"), (HR_MANAGER, "L1")),
    "mh_center_examiner2": ((ELDERLY_CARE, "L3"), (CHINESE_COOK, "L2"), (HR_MANAGER, "L2")),
    "mh_center_examiner3": ((ELDERLY_CARE, "L2"), (CHINESE_COOK, "L3"), (HR_MANAGER, "L2")),
}


@dataclass(frozen=True, slots=True)
class DemoPlan:
    key: str
    body: str
    occupation: str
    job_type: str | None
    level: str
    stage: str
    exam: int  # working days from today to the exam day: negative for a past exam
    synthetic: int  # generated applicants (the last ``failing`` of them fail, the last ``ineligible`` …)
    failing: int = 0
    ineligible: int = 0  # … do not meet any route (open plans show the explanation)
    own: tuple[tuple[str, Evidence], ...] = ()  # demo candidates (by name) and their evidence
    absent_from_theory: tuple[str, ...] = ()  # … those of them marked 缺考 in theory (they pass the rest)
    group_name: str = ""  # 团体申报 by a training institution when set
    women_share: int = 30
    occupation_kind: str = "trade"
    external_supervisor: bool = False
    recusal: bool = False
    objection: bool = False


def _years(years: int) -> Evidence:
    return Evidence(work_years=Decimal(years))


PLANS = (
    DemoPlan("pj-elec-5", "pujiang", ELECTRICIAN, None, "L5", Status.ISSUED, -62, 13, failing=1,
             own=(("张伟", _years(3)),), external_supervisor=True),
    DemoPlan("pj-elec-4", "pujiang", ELECTRICIAN, None, "L4", Status.ISSUED, -48, 12, failing=1,
             own=(("李强", _years(9)), ("吴俊杰", _years(7))), recusal=True),
    DemoPlan("pj-weld-3", "pujiang", WELDER, WELDER_JOB_TYPE, "L3", Status.ISSUED, -36, 11, failing=1,
             own=(("陈浩", _years(18)),)),
    DemoPlan("pj-elec-3", "pujiang", ELECTRICIAN, None, "L3", Status.REPORTED, -10, 9, failing=1,
             own=(("黄志明", _years(10)),)),
    DemoPlan("pj-weld-4", "pujiang", WELDER, WELDER_JOB_TYPE, "L4", Status.ACKNOWLEDGED, 12, 3, ineligible=1,
             own=(("李强", _years(7)),)),
    DemoPlan("mh-care-5", "minhang", ELDERLY_CARE, None, "L5", Status.ISSUED, -58, 13, failing=1,
             own=(("王芳", _years(2)),), group_name="上海市闵行区社区学院", women_share=80,
             external_supervisor=True),
    DemoPlan("mh-cook-4", "minhang", CHINESE_COOK, None, "L4", Status.ISSUED, -40, 10, failing=1,
             own=(("刘洁", Evidence(education=Education.TECHNICAL_SCHOOL, education_related=True,
                                    graduation_on=date(2020, 7, 1), work_years=Decimal(5))),)),
    DemoPlan("mh-care-4", "minhang", ELDERLY_CARE, None, "L4", Status.PUBLICITY, -6, 8, failing=1,
             own=(("杨秀英", _years(8)), ("孙丽萍", _years(9))), absent_from_theory=("孙丽萍",),
             women_share=80, objection=True),
    DemoPlan("mh-hr-3", "minhang", HR_MANAGER, None, "L3", Status.SCORES_LOCKED, -3, 7, failing=1,
             own=(("周婷", Evidence(education=Education.BACHELOR, education_related=True,
                                    graduation_on=date(2021, 7, 1), work_years=Decimal(5))),),
             women_share=60, occupation_kind="office"),
    DemoPlan("mh-hr-2", "minhang", HR_MANAGER, None, "L2", Status.REPORTED, -10, 4,
             own=(("徐丽娟", Evidence(education=Education.BACHELOR, education_related=True,
                                     graduation_on=date(2009, 7, 1), work_years=Decimal(16),
                                     title_rank=TitleRank.INTERMEDIATE,
                                     title_obtained_on=date(2020, 12, 31))),),
             women_share=50, occupation_kind="office"),
)  # fmt: skip


@dataclass
class EvaluationDemoResult:
    qualifications_created: int = 0
    specs_created: int = 0
    plans_created: Counter = field(default_factory=Counter)  # status → plans
    applications_created: int = 0
    certificates_issued: int = 0


def _users(*usernames: str) -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(username__in=usernames)}


def _ensure_qualifications(bodies: dict[str, Body]) -> int:
    """Direct rows (there is no service for them yet): the level each demo examiner holds."""
    created = 0
    users = _users(*QUALIFICATIONS)
    for username, held in QUALIFICATIONS.items():
        user = users.get(username)
        if user is None or user.body_id is None or user.body_id not in {b.pk for b in bodies.values()}:
            continue
        for occupation_code, level_code in held:
            occupation = Occupation.objects.get(code=occupation_code)
            qualification, new = StaffQualification.objects.get_or_create(
                user=user,
                occupation=occupation,
                defaults={"tenant_id": user.body_id, "level": SkillLevel.objects.get(code=level_code)},
            )
            if new:
                audit_record(
                    actor=None,
                    actor_label=ACTOR_LABEL,
                    action="staff_qualification.created",
                    target=qualification,
                    data={"user": username, "occupation": occupation_code, "level": level_code},
                )
                created += 1
    return created


def _spec_values(scope: FiledScope) -> dict:
    values: dict = {}
    if scope.level.code in ("L3", "L2", "L1"):
        values["eligibility_template"] = EligibilityTemplate.STANDARD_2023
    if scope.occupation.code in TRADES:
        values["skills_minutes"] = 120
    return values


def _ensure_specs(bodies: dict[str, Body]) -> int:
    """A spec for every scope row the demo bodies are filed for, created by the body administrator."""
    created = 0
    for key, body in bodies.items():
        admin = User.objects.filter(username=CREWS[key].admin, body=body, roles__role=Role.BODY_ADMIN).first()
        if admin is None:
            continue
        existing = {
            (spec.occupation_id, spec.job_type_id, spec.level_id)
            for spec in EvaluationSpec.objects.for_tenant(body)
        }
        for scope in filed_scope_in_force(body=body):
            if (scope.occupation_id, scope.job_type_id, scope.level_id) in existing:
                continue
            spec_create(
                body=body,
                occupation=scope.occupation,
                job_type=scope.job_type,
                level=scope.level,
                values=_spec_values(scope),
                actor=admin,
            )
            created += 1
    return created


def _crew(key: str, body: Body, *, external: bool) -> Crew | None:
    """The body's crew, or None when an account of a crew username is not the demo's (other role or body)."""
    names = CREWS[key]
    users = _users(*(name for name, _role in names.staff_roles()), names.reviewer)
    for username, role in names.staff_roles():
        user = users.get(username)
        if user is None or user.body_id != body.pk or not user.has_role(role):
            return None
    reviewer = users.get(names.reviewer)
    if reviewer is None or not user_reviews_district(user=reviewer, district_code=body.district_id):
        return None
    supervisor = User.objects.filter(username=EXTERNAL_SUPERVISOR).first() if external else None
    return Crew(
        admin=users[names.admin],
        exam_staff=users[names.exam_staff],
        invigilator=users[names.invigilator],
        examiners=tuple(users[name] for name in names.examiners),
        internal_supervisor=users[names.internal_supervisor],
        reviewer=reviewer,
        external_supervisor=supervisor if supervisor and supervisor.has_role(Role.SUPERVISOR) else None,
    )


def _applicants(index: int, plan: DemoPlan) -> tuple[Applicant, ...]:

    known = {candidate.name: candidate for candidate in CANDIDATES}
    users = _users(*(c.username for c in CANDIDATES if c.username))
    applicants = [
        Applicant(
            name=name,
            id_number=known[name].id_number,
            mobile=known[name].mobile,
            evidence=evidence,
            passes=True,
            user=users.get(known[name].username or ""),
            absent_from=(Component.THEORY,) if name in plan.absent_from_theory else (),
        )
        for name, evidence in plan.own
    ]
    people = demo_people(
        plan_index=index,
        count=plan.synthetic,
        level=plan.level,
        women_share=plan.women_share,
        occupation_kind=plan.occupation_kind,
    )
    for position, person in enumerate(people):
        from_end = plan.synthetic - position  # 1 for the last applicant
        evidence = _years(2) if from_end <= plan.ineligible else person.evidence
        applicants.append(
            Applicant(
                name=person.name,
                id_number=person.id_number,
                mobile=person.mobile,
                evidence=evidence,
                passes=from_end > plan.failing,
            )
        )
    return tuple(applicants)


def _site(body: Body) -> Site | None:
    codes = [filing.site_code for filing in FILINGS if filing.body in CREWS]
    sites = Site.objects.for_tenant(body).filter(is_active=True, sequence_code__isnull=False)
    return sites.filter(sequence_code__in=codes).first() or sites.order_by("pk").first()


def _spec_for(body: Body, plan: DemoPlan) -> EvaluationSpec | None:
    specs = EvaluationSpec.objects.for_tenant(body).filter(
        occupation__code=plan.occupation, level_id=plan.level
    )
    if plan.job_type:
        return specs.filter(job_type__name=plan.job_type).first()
    return specs.filter(job_type__isnull=True).first()


def demo_evaluation_load(*, bodies: dict[str, Body]) -> EvaluationDemoResult:
    """Add what the filed demo bodies evaluate (call inside the demo's transaction)."""
    result = EvaluationDemoResult()
    applications_before = Application.objects.count()
    certificates_before = Certificate.objects.count()
    for each in bodies.values():
        each.refresh_from_db()
    working = {key: each for key, each in bodies.items() if each.may_evaluate}
    result.qualifications_created = _ensure_qualifications(working)
    result.specs_created = _ensure_specs(working)
    today = timezone.localdate()
    for index, plan in enumerate(PLANS):
        body = working.get(plan.body)
        if body is None:  # not filed (or suspended): it may not evaluate
            continue
        spec = _spec_for(body, plan)
        site = _site(body)
        crew = _crew(plan.body, body, external=plan.external_supervisor)
        if spec is None or site is None or crew is None or spec.plans.exists():
            continue
        walked = plan_walk(
            Walk(
                spec=spec,
                site=site,
                crew=crew,
                applicants=_applicants(index, plan),
                stage=plan.stage,
                exam_on=add_working_days(today, plan.exam),
                seed=plan.key,
                group_name=plan.group_name,
                recusal=plan.recusal,
                objection=plan.objection,
            )
        )
        result.plans_created[walked.status] += 1
    result.applications_created = Application.objects.count() - applications_before
    result.certificates_issued = Certificate.objects.count() - certificates_before
    return result
