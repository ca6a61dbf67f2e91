from io import StringIO

from django.core.management import call_command

from conftest import make_user
from skillcert.accounts.models import Candidate, User
from skillcert.accounts.roles import Role
from skillcert.core.audit import audit_chain_verify
from skillcert.core.identifiers import parse_credit_code, parse_resident_id
from skillcert.core.models import AuditEvent
from skillcert.portal import demo
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
    "pj_examiner": (Role.EXAMINER, "上海浦江机电集团有限公司"),
    "pj_supervisor": (Role.INTERNAL_SUPERVISOR, "上海浦江机电集团有限公司"),
    "mh_center_admin": (Role.BODY_ADMIN, "上海闵行职业技能评价中心"),
    "mh_center_exam_staff": (Role.EXAM_STAFF, "上海闵行职业技能评价中心"),
    "mh_center_examiner": (Role.EXAMINER, "上海闵行职业技能评价中心"),
    "mh_center_supervisor": (Role.INTERNAL_SUPERVISOR, "上海闵行职业技能评价中心"),
}
CANDIDATE_ACCOUNTS = {"ks_zhangwei", "ks_wangfang", "ks_liqiang", "ks_liujie"}


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return User.objects.count(), Body.objects.count(), Candidate.objects.count(), AuditEvent.objects.count()


def test_demo_creates_authorities_bodies_staff_and_candidates(db, settings):
    # when
    run_demo()

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
        assert body.filing_status == Body.FilingStatus.FILED
    # ten candidates, four of them with a candidate account
    assert Candidate.objects.count() == 10
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

    # then
    events = AuditEvent.objects.order_by("sequence")
    assert list(events.filter(action="body.created").values_list("actor_username", flat=True)) == [
        "demo",
        "demo",
    ]
    user_events = events.filter(action="user.created")
    assert user_events.count() == 20
    assert set(user_events.values_list("actor_username", flat=True)) == {"demo"}
    assert set(user_events.values_list("actor_id", flat=True)) == {None}
    assert events.filter(action="candidate.created").count() == 10
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


def test_if_empty_loads_an_empty_database(db):
    # when
    output = run_demo("--if-empty")

    # then
    assert counts()[:3] == (20, 2, 10)
    assert "新建用户 20 个，评价机构 2 个，考生 10 名" in output


def test_if_empty_leaves_a_database_with_bodies_alone_but_lists_accounts(db):
    # given: a database with a body, and one demo account made earlier
    run_demo()
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

    # then
    assert User.objects.get(username="pd_reviewer").role_set == {Role.STATISTICIAN}
    assert User.objects.get(username="pd_reviewer").password == shanghai_user.password
