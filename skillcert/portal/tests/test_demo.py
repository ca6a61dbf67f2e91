from io import StringIO

from django.core.management import call_command

from conftest import make_user
from skillcert.accounts.models import Candidate, User
from skillcert.accounts.roles import Role
from skillcert.core.audit import audit_chain_verify
from skillcert.core.identifiers import parse_credit_code, parse_resident_id
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import EvaluationPlan
from skillcert.portal import demo
from skillcert.portal.demo_evaluation import PLANS
from skillcert.registry.models import Body

EXPECTED_STAFF = {
    "sh_admin": (Role.AUTHORITY_ADMIN, "310000"),
    "sh_reviewer": (Role.FILING_REVIEWER, "310000"),
    "sh_supervisor": (Role.SUPERVISOR, "310000"),
    "sh_statistician": (Role.STATISTICIAN, "310000"),
    "pd_admin": (Role.AUTHORITY_ADMIN, "310115"),
    "pd_reviewer": (Role.FILING_REVIEWER, "310115"),
    "mh_admin": (Role.AUTHORITY_ADMIN, "310112"),
    "mh_reviewer": (Role.FILING_REVIEWER, "310112"),
    "pj_admin": (Role.BODY_ADMIN, "上海浦江机电集团有限公司"),
    "pj_exam_staff": (Role.EXAM_STAFF, "上海浦江机电集团有限公司"),
    "pj_exam_staff2": (Role.EXAM_STAFF, "上海浦江机电集团有限公司"),
    "pj_examiner": (Role.EXAMINER, "上海浦江机电集团有限公司"),
    "pj_examiner2": (Role.EXAMINER, "上海浦江机电集团有限公司"),
    "pj_examiner3": (Role.EXAMINER, "上海浦江机电集团有限公司"),
    "pj_supervisor": (Role.INTERNAL_SUPERVISOR, "上海浦江机电集团有限公司"),
    "mh_center_admin": (Role.BODY_ADMIN, "上海闵行职业技能评价中心"),
    "mh_center_exam_staff": (Role.EXAM_STAFF, "上海闵行职业技能评价中心"),
    "mh_center_exam_staff2": (Role.EXAM_STAFF, "上海闵行职业技能评价中心"),
    "mh_center_examiner": (Role.EXAMINER, "上海闵行职业技能评价中心"),
    "mh_center_examiner2": (Role.EXAMINER, "上海闵行职业技能评价中心"),
    "mh_center_examiner3": (Role.EXAMINER, "上海闵行职业技能评价中心"),
    "mh_center_supervisor": (Role.INTERNAL_SUPERVISOR, "上海闵行职业技能评价中心"),
}
CANDIDATE_ACCOUNTS = {"ks_zhangwei", "ks_wangfang", "ks_liqiang", "ks_liujie"}
# The eleven named demo candidates and the applicants the evaluation demo registers for its plans.
NAMED_CANDIDATES = 11
APPLICANTS = sum(plan.synthetic for plan in PLANS)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return User.objects.count(), Body.objects.count(), Candidate.objects.count(), AuditEvent.objects.count()


def test_demo_creates_authorities_bodies_staff_and_candidates(db, settings):
    # when: the demo without its evaluation part (the accounts, bodies and candidates are the same)
    demo.demo_load()

    # then: every staff account with its one role and scope
    for username, (role, scope) in EXPECTED_STAFF.items():
        user = User.objects.select_related("authority_region", "body").get(username=username)
        assert user.role_set == {role}, username
        assert (user.authority_region_id or user.body.name) == scope, username
    # two bodies: an employer in 浦东新区 and a social organisation in 闵行区, with valid credit codes
    bodies = {body.kind: body for body in Body.objects.all()}
    assert (bodies["Y"].name, bodies["Y"].district_id) == ("上海浦江机电集团有限公司", "310115")
    assert (bodies["S"].name, bodies["S"].district_id) == ("上海闵行职业技能评价中心", "310112")
    for body in bodies.values():
        assert parse_credit_code(body.credit_code).region_code == body.district_id
        assert body.filing_status == Body.FilingStatus.FILED  # through an approved filing
    # eleven candidates, four of them with a candidate account
    assert Candidate.objects.count() == NAMED_CANDIDATES
    assert set(Candidate.objects.filter(user__isnull=False).values_list("user__username", flat=True)) == (
        CANDIDATE_ACCOUNTS
    )
    for username in CANDIDATE_ACCOUNTS:
        assert User.objects.get(username=username).role_set == {Role.CANDIDATE}
    # one shared password, hashed once
    users = User.objects.all()
    assert users.count() == len(EXPECTED_STAFF) + len(CANDIDATE_ACCOUNTS)
    assert len({user.password for user in users}) == 1
    assert users.first().check_password(settings.SKILLCERT_DEMO_PASSWORD)


def test_demo_identifiers_are_valid(db):
    # given / when / then: every synthetic ID passes the project's own validator, in a Shanghai district
    for spec in demo.CANDIDATES:
        parsed = parse_resident_id(spec.id_number)
        assert parsed.number == spec.id_number
        assert parsed.address_code[:4] == "3101"
    assert demo.organisation_code("M000100Y") == "M000100Y4"  # GB 11714's own example


def test_demo_audits_what_it_creates(db):
    # when
    run_demo()

    # then: the demo's own rows are audited as made by "demo"
    events = AuditEvent.objects.order_by("sequence")
    assert list(events.filter(action="body.created").values_list("actor_username", flat=True)) == [
        "demo",
        "demo",
    ]
    user_events = events.filter(action="user.created")
    assert user_events.count() == len(EXPECTED_STAFF) + len(CANDIDATE_ACCOUNTS)
    assert set(user_events.values_list("actor_username", flat=True)) == {"demo"}
    assert set(user_events.values_list("actor_id", flat=True)) == {None}
    # the named candidates by the demo (no actor), the applicants by the exam staff who registered them
    candidate_events = events.filter(action="candidate.created")
    assert candidate_events.filter(actor_id=None).count() == NAMED_CANDIDATES
    assert set(candidate_events.exclude(actor_id=None).values_list("actor_username", flat=True)) == {
        "pj_exam_staff",
        "mh_center_exam_staff",
    }
    assert candidate_events.count() == NAMED_CANDIDATES + APPLICANTS
    # the filings by the services, with the body administrators and district reviewers as actors
    assert sorted(events.filter(action="filing.approved").values_list("actor_username", flat=True)) == [
        "mh_reviewer",
        "pd_reviewer",
    ]
    assert audit_chain_verify().intact


def test_demo_twice_changes_nothing(db):
    # given
    run_demo()
    before = counts()

    # when
    output = run_demo()

    # then
    assert counts() == before
    assert "新建用户 0 个，评价机构 0 个，考生 0 名" in output
    assert "备案申请：新批准 0 份。" in output
    assert "评价计划：新建 0 个。" in output
    assert "报名：新增 0 条；证书：新发放 0 本。" in output


def test_if_empty_loads_an_empty_database(db):
    # when
    output = run_demo("--if-empty")

    # then
    users = len(EXPECTED_STAFF) + len(CANDIDATE_ACCOUNTS)
    candidates = NAMED_CANDIDATES + APPLICANTS
    assert counts()[:3] == (users, 2, candidates)
    assert f"新建用户 {users} 个，评价机构 2 个，考生 {candidates} 名" in output
    assert "备案申请：新批准 2 份。" in output
    assert (
        "评价计划：新建 10 个（已确认，报名中 1 个，成绩已锁定 1 个，公示中 1 个，结果已报送 2 个，"
        "证书已发放 5 个）。"
    ) in output
    assert "证书：新发放 60 本。" in output


def test_if_empty_leaves_a_database_with_bodies_alone_but_lists_accounts(db):
    # given: a database with the demo's bodies and accounts, whose candidates were removed
    demo.demo_load()
    Candidate.objects.all().delete()
    before = counts()

    # when
    output = run_demo("--if-empty")

    # then: the missing candidates were not recreated, and the accounts are still listed
    assert counts() == before
    assert "未改动数据（--if-empty）" in output
    assert "pd_reviewer" in output


def test_if_empty_on_the_test_world_does_nothing(world):
    # given
    before = counts()

    # when
    output = run_demo("--if-empty")

    # then
    assert counts() == before
    assert "数据库中没有演示账户。" in output


def test_output_lists_accounts_password_and_2fa(db, settings):
    # given
    settings.SKILLCERT_REQUIRE_2FA = True
    settings.SKILLCERT_DEMO_PASSWORD = "Demo-Passw0rd-42"

    # when
    output = run_demo()

    # then
    lines = output.splitlines()
    assert any(line.split() == ["pd_reviewer", "备案审核员", "浦东新区"] for line in lines)
    assert any(line.split() == ["pj_examiner", "考评员", "上海浦江机电集团有限公司"] for line in lines)
    assert any(line.split() == ["ks_liujie", "考生", "—"] for line in lines)
    assert "所有演示账户的密码：Demo-Passw0rd-42" in output
    assert "双因素登录：已开启" in output
    assert "首次登录时，须用手机上的 TOTP 验证器" in output
    assert User.objects.get(username="sh_admin").check_password("Demo-Passw0rd-42")


def test_output_says_when_2fa_is_off(db, settings):
    # given
    settings.SKILLCERT_REQUIRE_2FA = False

    # when
    output = run_demo()

    # then
    assert "双因素登录：已关闭" in output


def test_demo_keeps_existing_accounts_as_they_are(db):
    # given: an account that happens to use a demo username, with another role
    shanghai_user = make_user("pd_reviewer", Role.STATISTICIAN)

    # when
    run_demo()

    # then: the account is untouched, and without its 浦东 reviewer the demo does not file the 浦东 body
    assert User.objects.get(username="pd_reviewer").role_set == {Role.STATISTICIAN}
    assert User.objects.get(username="pd_reviewer").password == shanghai_user.password
    bodies = {body.district_id: body for body in Body.objects.all()}
    assert bodies["310115"].filing_status == Body.FilingStatus.UNFILED
    assert bodies["310112"].filing_status == Body.FilingStatus.FILED
    assert not EvaluationPlan.objects.filter(tenant=bodies["310115"]).exists()
    assert EvaluationPlan.objects.filter(tenant=bodies["310112"]).count() == 5
