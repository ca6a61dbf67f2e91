"""Candidate self-registration."""

from django.urls import reverse

from skillcert.accounts.models import Candidate, User
from skillcert.accounts.roles import Role
from skillcert.accounts.services import candidate_create
from skillcert.accounts.tests.helpers import resident_id, wrong_check_character
from skillcert.core.models import AuditEvent

REGISTER = reverse("accounts:register")
NUMBER = resident_id("31011219851120246")  # a woman born 1985-11-20 in 闵行区


def form_data(**overrides) -> dict:
    data = {
        "name": "陈美玲",
        "id_type": "resident_id",
        "id_number": NUMBER,
        "mobile": "13912345678",
        "username": "chenmeiling",
        "password": "Qingpu-River-2026",
        "password_confirm": "Qingpu-River-2026",
    }
    data.update(overrides)
    return data


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_a_candidate_registers_and_is_signed_in(client, world):
    # when
    response = client.post(REGISTER, form_data())

    # then
    assert response.status_code == 302 and response.url == reverse("portal:dashboard")
    user = User.objects.get(username="chenmeiling")
    assert user.role_set == {Role.CANDIDATE}
    assert (user.full_name, user.mobile) == ("陈美玲", "13912345678")
    assert user.check_password("Qingpu-River-2026")
    candidate = Candidate.objects.get(user=user)
    assert (candidate.name, candidate.sex, candidate.id_number_masked) == (
        "陈美玲",
        "F",
        "310***********" + NUMBER[-4:],
    )
    assert client.session["_auth_user_id"] == str(user.pk)
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "auth.login",
        "candidate.created",
        "user.registered",
    ]
    # the profile shows only the masked number
    page = client.get(reverse("accounts:profile")).content.decode()
    assert candidate.id_number_masked in page and NUMBER not in page


def test_a_wrong_check_character_is_shown_on_the_id_number_field(client, world):
    wrong = wrong_check_character(NUMBER)

    response = client.post(REGISTER, form_data(id_number=wrong))

    assert response.status_code == 200
    assert field_errors(response, "id_number") == [
        f"身份证号码校验码错误：第 18 位应为“{NUMBER[-1]}”，实际为“{wrong[-1]}”。"
    ]
    assert not User.objects.filter(username="chenmeiling").exists()


def test_a_person_already_registered_is_told_so(client, world):
    # A record with an account (one without is claimed with a claim code: test_candidate_claim.py).
    owner = User.objects.create(username="chen-earlier")
    candidate_create(name="陈美玲", id_type="resident_id", id_number=NUMBER, user=owner, actor=None)

    response = client.post(REGISTER, form_data(id_number=NUMBER.lower()))

    assert field_errors(response, "id_number") == ["该证件号码已登记。"]
    assert not User.objects.filter(username="chenmeiling").exists()
    assert Candidate.objects.count() == 1


def test_mobile_username_and_password_are_checked(client, world):
    response = client.post(
        REGISTER,
        form_data(mobile="12345678901", username="candidate", password="short", password_confirm="shorter"),
    )

    assert field_errors(response, "mobile") == ["手机号码应为 1 开头的 11 位数字，第二位为 3–9。"]
    assert field_errors(response, "password_confirm") == ["两次输入的密码不一致。"]
    assert User.objects.filter(username="candidate").count() == 1


def test_a_taken_username_and_a_weak_password_are_field_errors(client, world):
    response = client.post(
        REGISTER, form_data(username="candidate", password="abcdefghij", password_confirm="abcdefghij")
    )

    assert field_errors(response, "username") == ["该用户名已被使用，请换一个。"]
    assert any("至少三类" in error for error in field_errors(response, "password"))
    assert Candidate.objects.count() == 0


def test_a_passport_holder_registers(client, world):
    response = client.post(REGISTER, form_data(id_type="passport", id_number="e 1234 5678"))

    # Spaces inside are not part of a passport number: the field says what is wrong.
    assert field_errors(response, "id_number") == [
        "证件号码应为 6–20 位英文字母或数字，不含空格和其他符号（当前为 11 位）。"
    ]

    response = client.post(REGISTER, form_data(id_type="passport", id_number="e12345678"))
    assert response.status_code == 302
    assert Candidate.objects.get().id_number_masked == "E12**5678"
