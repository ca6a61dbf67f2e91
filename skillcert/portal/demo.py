"""The demo data of ``skillcert demo``: Shanghai's authorities, two evaluation bodies, staff, candidates,
the bodies' filings and (``demo_evaluation``) what they evaluate.

Every identifier is synthetic but valid: credit codes carry their GB 11714 and GB 32100 check
characters, resident ID numbers their ISO 7064 MOD 11-2 check character, all computed here. Loading
is idempotent: a user, body or candidate that already exists (by username, credit code or ID number)
is left as it is, and so is a body that already has a filing, so running the command twice changes
nothing the second time.

A body the demo creates starts unfiled, as a newly registered body does (the registration form itself
is not replayed: the demo's accounts share one password hash); it is then filed through the filing
services, applied for by its administrator and approved by its district's reviewer (``demo_filing``).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from skillcert.accounts.identity import id_number_blind_index
from skillcert.accounts.models import Candidate, User, UserRole
from skillcert.accounts.roles import Role
from skillcert.accounts.services import candidate_create
from skillcert.core.audit import audit_record
from skillcert.core.identifiers.credit_code import credit_code_check_character
from skillcert.portal.demo_candidates import CANDIDATES
from skillcert.portal.demo_evaluation import EvaluationDemoResult, demo_evaluation_load
from skillcert.portal.demo_filing import demo_filings_ensure
from skillcert.portal.navigation import user_identity
from skillcert.reference.models import Region
from skillcert.registry.models import Body

ACTOR_LABEL = "demo"
MUNICIPAL = "310000"
PUDONG = "310115"
MINHANG = "310112"


# ---- identifiers -----------------------------------------------------------------------------------

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(first8: str) -> str:
    """A 9-character 组织机构代码 (GB 11714): 8 characters and their MOD 11 check character."""
    total = sum(
        int(character, 36) * weight for character, weight in zip(first8, _ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return first8 + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(*, authority: str, category: str, region_code: str, org_first8: str) -> str:
    """An 18-character unified social credit code (GB 32100) with both of its check characters."""
    first17 = authority + category + region_code + organisation_code(org_first8)
    return first17 + credit_code_check_character(first17)


# ---- the demo world --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoBody:
    key: str
    name: str
    kind: str
    district: str
    credit_code: str
    address: str
    contact_name: str
    contact_phone: str


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    region: str | None = None  # authority staff
    body: str | None = None  # body staff: a DemoBody key


BODIES = (
    DemoBody(
        key="pujiang",
        name="上海浦江机电集团有限公司",
        kind=Body.Kind.EMPLOYER,
        district=PUDONG,
        # 9 市场监管 / 1 企业, registered in 浦东新区.
        credit_code=credit_code(authority="9", category="1", region_code=PUDONG, org_first8="MA1K3P7D"),
        address="上海市浦东新区川桥路 1288 号",
        contact_name="刘洋",
        contact_phone="021-50000001",
    ),
    DemoBody(
        key="minhang",
        name="上海闵行职业技能评价中心",
        kind=Body.Kind.SOCIAL_ORGANISATION,
        district=MINHANG,
        # 5 民政 / 2 民办非企业单位 (社会服务机构), registered in 闵行区.
        credit_code=credit_code(authority="5", category="2", region_code=MINHANG, org_first8="MJ5A2K81"),
        address="上海市闵行区莘庄镇示范路 66 号",
        contact_name="朱红",
        contact_phone="021-64000002",
    ),
)

USERS = (
    # 上海市人力资源和社会保障局: one user per authority role, the whole city.
    DemoUser("sh_admin", "陈建国", Role.AUTHORITY_ADMIN, region=MUNICIPAL),
    DemoUser("sh_reviewer", "李静", Role.FILING_REVIEWER, region=MUNICIPAL),
    DemoUser("sh_supervisor", "王志强", Role.SUPERVISOR, region=MUNICIPAL),
    DemoUser("sh_statistician", "赵敏", Role.STATISTICIAN, region=MUNICIPAL),
    # District authorities: 浦东新区 and 闵行区.
    DemoUser("pd_admin", "周海燕", Role.AUTHORITY_ADMIN, region=PUDONG),
    DemoUser("pd_reviewer", "吴磊", Role.FILING_REVIEWER, region=PUDONG),
    DemoUser("mh_admin", "孙丽", Role.AUTHORITY_ADMIN, region=MINHANG),
    DemoUser("mh_reviewer", "郑伟", Role.FILING_REVIEWER, region=MINHANG),
    # Staff of the employer (Y) in 浦东新区.
    DemoUser("pj_admin", "刘洋", Role.BODY_ADMIN, body="pujiang"),
    DemoUser("pj_exam_staff", "黄婷", Role.EXAM_STAFF, body="pujiang"),
    DemoUser("pj_exam_staff2", "何静", Role.EXAM_STAFF, body="pujiang"),
    DemoUser("pj_examiner", "徐明", Role.EXAMINER, body="pujiang"),
    DemoUser("pj_examiner2", "钱卫东", Role.EXAMINER, body="pujiang"),
    DemoUser("pj_examiner3", "蒋立新", Role.EXAMINER, body="pujiang"),
    DemoUser("pj_supervisor", "马骏", Role.INTERNAL_SUPERVISOR, body="pujiang"),
    # Staff of the social organisation (S) in 闵行区.
    DemoUser("mh_center_admin", "朱红", Role.BODY_ADMIN, body="minhang"),
    DemoUser("mh_center_exam_staff", "胡斌", Role.EXAM_STAFF, body="minhang"),
    DemoUser("mh_center_exam_staff2", "丁磊", Role.EXAM_STAFF, body="minhang"),
    DemoUser("mh_center_examiner", "高翔", Role.EXAMINER, body="minhang"),
    DemoUser("mh_center_examiner2", "沈佳", Role.EXAMINER, body="minhang"),
    DemoUser("mh_center_examiner3", "韩雪", Role.EXAMINER, body="minhang"),
    DemoUser("mh_center_supervisor", "林芳", Role.INTERNAL_SUPERVISOR, body="minhang"),
)

# ---- loading ---------------------------------------------------------------------------------------


@dataclass
class DemoResult:
    loaded: bool  # False when --if-empty found data and did nothing
    users_created: int = 0
    bodies_created: int = 0
    candidates_created: int = 0
    filings_approved: int = 0
    evaluation: EvaluationDemoResult | None = None
    accounts: list["DemoAccount"] = field(default_factory=list)


def _audit(action: str, target, data: dict) -> None:
    audit_record(actor=None, actor_label=ACTOR_LABEL, action=action, target=target, data=data)


def _ensure_bodies() -> tuple[dict[str, Body], int]:
    bodies, created = {}, 0
    for spec in BODIES:
        body = Body.objects.filter(credit_code=spec.credit_code).first()
        if body is None:
            body = Body(
                name=spec.name,
                credit_code=spec.credit_code,
                kind=spec.kind,
                district=Region.objects.get(code=spec.district),
                address=spec.address,
                contact_name=spec.contact_name,
                contact_phone=spec.contact_phone,
            )
            body.full_clean()
            body.save(force_insert=True)
            _audit(
                "body.created", body, {"name": body.name, "credit_code": body.credit_code, "kind": body.kind}
            )
            created += 1
        bodies[spec.key] = body
    return bodies, created


def _ensure_user(
    *, username: str, full_name: str, role: str, password_hash: str, **scope
) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User.objects.create(username=username, full_name=full_name, password=password_hash, **scope)
    UserRole.objects.create(user=user, role=role)
    _audit("user.created", user, {"username": username, "roles": [role], "scope": user.audit_scope})
    return user, True


@transaction.atomic
def demo_load(*, if_empty: bool = False, evaluation: bool = False) -> DemoResult:
    """Create the demo authorities, bodies, staff, candidates and filings that do not exist yet, and (with
    ``evaluation``, as ``skillcert demo`` does) the specs, plans and certificates of ``demo_evaluation``,
    in one transaction. Without it the load takes about a second: enough for tests of accounts."""
    if if_empty and Body.objects.exists():
        return DemoResult(loaded=False, accounts=demo_accounts())
    candidates_before = Candidate.objects.count()
    password_hash = make_password(settings.SKILLCERT_DEMO_PASSWORD)  # Argon2 is slow: hash once
    bodies, bodies_created = _ensure_bodies()
    regions = {code: Region.objects.get(code=code) for code in (MUNICIPAL, PUDONG, MINHANG)}
    users_created = 0
    for spec in USERS:
        scope = (
            {"authority_region": regions[spec.region]} if spec.region else {"body": bodies[spec.body or ""]}
        )
        _, created = _ensure_user(
            username=spec.username,
            full_name=spec.full_name,
            role=spec.role,
            password_hash=password_hash,
            **scope,
        )
        users_created += created
    for candidate in CANDIDATES:
        index = id_number_blind_index(id_type=Candidate.IdType.RESIDENT_ID, number=candidate.id_number)
        if Candidate.objects.filter(id_type=Candidate.IdType.RESIDENT_ID, id_number_index=index).exists():
            continue
        user = None
        if candidate.username:
            user, created = _ensure_user(
                username=candidate.username,
                full_name=candidate.name,
                role=Role.CANDIDATE,
                password_hash=password_hash,
            )
            users_created += created
        candidate_create(
            name=candidate.name,
            id_type=Candidate.IdType.RESIDENT_ID,
            id_number=candidate.id_number,
            mobile=candidate.mobile,
            user=user,
            actor=None,
        )
    filings_approved = demo_filings_ensure(bodies=bodies)
    evaluation_result = demo_evaluation_load(bodies=bodies) if evaluation else None
    return DemoResult(
        loaded=True,
        users_created=users_created,
        bodies_created=bodies_created,
        candidates_created=Candidate.objects.count() - candidates_before,  # the applicants' too
        filings_approved=filings_approved,
        evaluation=evaluation_result,
        accounts=demo_accounts(),
    )


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    roles: str
    scope: str


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts present in the database, in the order of the demo's definition."""
    usernames = [spec.username for spec in USERS] + [c.username for c in CANDIDATES if c.username]
    found = {
        user.username: user
        for user in User.objects.filter(username__in=usernames)
        .select_related("authority_region", "body")
        .prefetch_related("roles")
    }
    accounts = []
    for username in usernames:
        user = found.get(username)
        if user is None:
            continue
        user._role_set = frozenset(role.role for role in user.roles.all())  # reuse the prefetch
        identity = user_identity(user)
        accounts.append(DemoAccount(username=username, roles=identity.roles, scope=identity.scope))
    return accounts
