"""The level ranges page: who may read and who may change it, the list, and create / edit / delete."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from skillcert.accounts.roles import Role
from skillcert.core.models import AuditEvent
from skillcert.reference.models import LevelRange

pytestmark = pytest.mark.django_db

LIST = reverse("reference:level_ranges")
CREATE = reverse("reference:level_range_create")
IMPORT = reverse("reference:level_range_import")
EXPORT = reverse("reference:level_range_export")


def edit_url(level_range: LevelRange) -> str:
    return reverse("reference:level_range_update", args=[level_range.pk])


def delete_url(level_range: LevelRange) -> str:
    return reverse("reference:level_range_delete", args=[level_range.pk])


def gas_welding() -> LevelRange:
    return LevelRange.objects.get(occupation__code="6-18-02-04", job_type__name="气焊工")


@pytest.fixture
def sign_in(client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False

    def _sign_in(user):
        client.logout()
        client.force_login(user)
        return client

    return _sign_in


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (LIST, EXPORT, CREATE, IMPORT, edit_url(gas_welding()), delete_url(gas_welding())):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_everyone_signed_in_may_read_but_only_the_municipal_administrator_may_change(world, sign_in):
    # given a district administrator, other authority roles, body staff and a candidate
    pudong_admin = make_user("pudong_admin", Role.AUTHORITY_ADMIN, region=world.pudong)
    gas = gas_welding()
    for user in (
        pudong_admin,
        world.municipal_reviewer,
        world.body_y_admin,
        world.body_y_examiner,
        world.candidate,
    ):
        client = sign_in(user)
        # then the list and the download open, without any edit link
        response = client.get(LIST)
        assert response.status_code == 200, user.username
        assert response.context["may_edit"] is False
        assert edit_url(gas) not in response.text and CREATE not in response.text
        assert client.get(EXPORT).status_code == 200, user.username
        # and every page that changes something answers 403, to GET and POST alike
        for url in (CREATE, IMPORT, edit_url(gas), delete_url(gas)):
            assert client.get(url).status_code == 403, (user.username, url)
        response = client.post(edit_url(gas), {"lowest": "L5", "highest": "L1"})
        assert response.status_code == 403
        assert client.post(delete_url(gas)).status_code == 403
        assert (
            client.post(CREATE, {"occupation": "4-03-02-01", "lowest": "L5", "highest": "L3"}).status_code
            == 403
        )
    # and nothing changed
    gas.refresh_from_db()
    assert (gas.lowest_id, gas.highest_id) == (5, 3)
    assert LevelRange.objects.count() == 5
    assert not AuditEvent.objects.filter(action__startswith="level_range.").exists()


def test_unknown_range_answers_404(world, sign_in):
    client = sign_in(world.municipal_admin)
    assert client.get(reverse("reference:level_range_update", args=[999_999])).status_code == 404
    assert client.post(reverse("reference:level_range_delete", args=[999_999])).status_code == 404


def test_list_shows_recorded_inherited_and_unset_ranges(world, sign_in):
    client = sign_in(world.candidate)
    response = client.get(LIST)
    page = response.context["page"]
    # 50 occupations a page, as the catalogue page
    assert (page.paginator.count, len(page.object_list)) == (58, 50)
    assert len(client.get(LIST, {"page": 2}).context["page"].object_list) == 8
    # 婴幼儿发展引导员 with its range, 中式烹调师 with none
    response = client.get(LIST, {"q": "4-10-01"})
    rows = {row.occupation.code: row for row in response.context["rows"]}
    assert rows["4-10-01-01"].recorded.lowest.label == "四级/中级工"
    assert "四级/中级工至一级/高级技师" in response.text
    response = client.get(LIST, {"q": "中式烹调师"})
    assert [row.occupation.code for row in response.context["rows"]] == ["4-03-02-01"]
    assert "未设定：五级至一级均可" in response.text
    # 焊工's 工种 each show their own range
    response = client.get(LIST, {"q": "焊工"})
    assert "五级/初级工至三级/高级工" in response.text and "五级/初级工至二级/技师" in response.text
    # only the occupations with a range
    response = client.get(LIST, {"recorded": "on"})
    assert [o.code for o in response.context["page"]] == ["4-10-01-01", "6-18-02-04"]


def test_the_list_queries_do_not_grow_with_its_rows(world, sign_in, django_assert_num_queries):
    # given: the query count of a page of one occupation (焊工, with four 工种 and their ranges)
    client = sign_in(world.candidate)
    client.get(LIST)  # warm the session and the user's roles
    with CaptureQueriesContext(connection) as one:
        client.get(LIST, {"q": "焊工"})

    # when / then: a page of 50 occupations costs the same queries
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(LIST).context["page"].object_list) == 50


def test_a_job_type_without_its_own_range_shows_the_occupation_range(world, sign_in):
    # given 焊工 restricted to 四级–一级 and 电焊工's own range removed
    LevelRange.objects.create(occupation_id=gas_welding().occupation_id, lowest_id=4, highest_id=1)
    LevelRange.objects.filter(job_type__name="电焊工").delete()
    response = sign_in(world.body_y_admin).get(LIST, {"q": "焊工"})
    assert "同职业：四级/中级工至一级/高级技师" in response.text


def test_municipal_administrator_sees_the_edit_links(world, sign_in):
    response = sign_in(world.municipal_admin).get(LIST, {"q": "焊工"})
    assert response.context["may_edit"] is True
    assert edit_url(gas_welding()) in response.text
    assert f"{CREATE}?occupation=6-18-02-04" in response.text


def test_create_a_range(world, sign_in):
    client = sign_in(world.municipal_admin)
    # given the form pre-filled from the list's link
    response = client.get(CREATE, {"occupation": "4-03-02-01"})
    assert response.context["form"].initial["occupation"] == "4-03-02-01"
    assert "已经备案生效的范围不受影响" in response.text
    # when the administrator records 中式烹调师 五级–二级
    response = client.post(
        CREATE, {"occupation": "4-03-02-01", "job_type": "", "lowest": "L5", "highest": "L2"}
    )
    # then it is stored, the list opens on it, and the change is audited with the request
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?q=4-03-02-01"
    created = LevelRange.objects.get(occupation__code="4-03-02-01")
    assert (created.job_type, created.lowest_id, created.highest_id) == (None, 5, 2)
    event = AuditEvent.objects.get(action="level_range.created")
    assert event.actor_id == world.municipal_admin.pk
    assert event.data == {"occupation": "4-03-02-01", "job_type": "", "lowest": "L5", "highest": "L2"}
    assert event.request_id != ""


def test_create_names_the_fields_at_fault(world, sign_in):
    client = sign_in(world.municipal_admin)
    response = client.post(CREATE, {"occupation": "4-03-02-01", "lowest": "L2", "highest": "L4"})
    assert response.status_code == 200
    assert response.context["form"].errors["lowest"] == [
        "最低等级（二级/技师）不能高于最高等级（四级/中级工）。"
    ]
    response = client.post(CREATE, {"occupation": "9-99-99-99", "lowest": "L5", "highest": "L1"})
    assert response.context["form"].errors["occupation"] == ["职业目录中没有职业编码“9-99-99-99”。"]
    response = client.post(
        CREATE, {"occupation": "6-18-02-04", "job_type": "水下焊工", "lowest": "L5", "highest": "L1"}
    )
    assert response.context["form"].errors["job_type"] == ["职业“焊工”下没有工种“水下焊工”。"]
    response = client.post(
        CREATE, {"occupation": "6-18-02-04", "job_type": "气焊工", "lowest": "L5", "highest": "L1"}
    )
    assert response.context["form"].errors["job_type"] == [
        "焊工（气焊工）已设定等级范围（五级/初级工至三级/高级工），请修改原记录。"
    ]
    # 特级技师 is not offered: only the five certificate levels
    response = client.post(CREATE, {"occupation": "4-03-02-01", "lowest": "L5", "highest": "SPECIAL_TECH"})
    assert "highest" in response.context["form"].errors
    assert LevelRange.objects.count() == 5
    assert not AuditEvent.objects.filter(action="level_range.created").exists()


def test_edit_a_range(world, sign_in):
    client = sign_in(world.municipal_admin)
    gas = gas_welding()
    # given the form shows the current ends and says filed scopes stay
    response = client.get(edit_url(gas))
    assert response.status_code == 200
    assert response.context["form"].initial == {"lowest": gas.lowest, "highest": gas.highest}
    assert "已经备案生效的范围不受影响" in response.text
    # when 气焊工 is widened to 二级
    response = client.post(edit_url(gas), {"lowest": "L5", "highest": "L2"})
    # then it is saved and the audit keeps both ranges
    assert response.status_code == 302
    gas.refresh_from_db()
    assert gas.highest_id == 2
    event = AuditEvent.objects.get(action="level_range.updated")
    assert (event.data["before"]["highest"], event.data["after"]["highest"]) == ("L3", "L2")


def test_edit_refuses_inverted_ends(world, sign_in):
    client = sign_in(world.municipal_admin)
    gas = gas_welding()
    response = client.post(edit_url(gas), {"lowest": "L1", "highest": "L5"})
    assert response.status_code == 200
    assert "lowest" in response.context["form"].errors
    gas.refresh_from_db()
    assert (gas.lowest_id, gas.highest_id) == (5, 3)


def test_delete_needs_the_confirmation_step(world, sign_in):
    client = sign_in(world.municipal_admin)
    infant = LevelRange.objects.get(occupation__code="4-10-01-01")
    # when the delete page is opened / then it only asks, saying what applies afterwards
    response = client.get(delete_url(infant))
    assert response.status_code == 200
    assert "确认删除" in response.text and "未设定：五级至一级均可" in response.text
    assert LevelRange.objects.filter(pk=infant.pk).exists()
    # when the confirmation is posted / then the row is gone and the deletion audited
    response = client.post(delete_url(infant))
    assert response.status_code == 302
    assert not LevelRange.objects.filter(pk=infant.pk).exists()
    event = AuditEvent.objects.get(action="level_range.deleted")
    assert event.data == {"occupation": "4-10-01-01", "job_type": "", "lowest": "L4", "highest": "L1"}
