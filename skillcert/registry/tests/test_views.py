"""The registry pages: registration, editing and submitting, review, status changes, the directory."""

import pytest
from django.urls import reverse

from skillcert.core.models import AuditEvent
from skillcert.registry.models import Body, FiledScope, FilingApplication, Site
from skillcert.registry.services import filing_submit
from skillcert.registry.tests.conftest import NEW_BODY_PASSWORD, credit_code, grant_scope, scope


@pytest.fixture(autouse=True)
def _password_only_login(settings):
    settings.SKILLCERT_REQUIRE_2FA = False


def registration_post(**overrides) -> dict:
    data = {
        "body_name": "上海新港智能制造有限公司",
        "credit_code": credit_code("91310115MA1K4XQ2P"),
        "body_kind": "Y",
        "district": "310115",
        "address": "浦东新区张江路 88 号",
        "contact_name": "王敏",
        "contact_phone": "021-58880000",
        "username": "xingang_admin",
        "full_name": "王敏",
        "mobile": "13800138000",
        "password": NEW_BODY_PASSWORD,
        "password_confirm": NEW_BODY_PASSWORD,
    }
    return data | overrides


def test_registration_page_creates_account_body_and_draft(client, world):
    # Given: an anonymous visitor on the public registration page
    assert client.get(reverse("registry:register")).status_code == 200

    # When: the organisation's administrator submits the form
    response = client.post(reverse("registry:register"), registration_post())

    # Then: they are sent to sign in, and the body, account and draft exist
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    body = Body.objects.get(credit_code=credit_code("91310115MA1K4XQ2P"))
    assert body.filing_status == "unfiled"
    assert FilingApplication.objects.get(tenant=body).status == "draft"


def test_registration_page_names_a_taken_credit_code(client, world):
    response = client.post(
        reverse("registry:register"), registration_post(credit_code=world.body_y.credit_code)
    )
    assert response.status_code == 200
    assert "该代码已有评价机构登记" in response.content.decode()
    assert Body.objects.count() == 2


def test_body_admin_builds_and_submits_the_draft(client, world, draft):
    # Given: the new body's administrator, signed in, with a draft holding one site and one row
    application = draft.application
    client.force_login(draft.admin)
    edit = reverse("registry:filing_edit", args=[application.pk])
    assert client.get(edit).status_code == 200

    # When: they add a site and a scope row on the page, then remove the first row
    response = client.post(
        reverse("registry:filing_site_add", args=[application.pk]),
        {"name": "临港考点", "address": "浦东新区临港大道 1 号", "district": "310115"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("registry:filing_scope_add", args=[application.pk]),
        {
            "occupation": "6-18-02-04",
            "job_type": "电焊工",
            "level": "L3",
            "examiners": "5",
            "internal_supervisors": "1",
            "question_bank": "焊工国家题库",
            "equipment": "焊机 10 台",
        },
    )
    assert response.status_code == 302
    cook = application.scope_requests.get(occupation__code="4-03-02-01")
    client.post(reverse("registry:filing_scope_remove", args=[application.pk, cook.pk]))
    assert list(application.scope_requests.values_list("occupation__code", flat=True)) == ["6-18-02-04"]
    assert application.sites.count() == 2

    # And: the submit page shows what will be sent, and only its POST submits
    submit = reverse("registry:filing_submit", args=[application.pk])
    page = client.get(submit)
    assert page.status_code == 200 and "确认提交" in page.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"
    assert client.post(submit).status_code == 302

    # Then: the application awaits review
    application.refresh_from_db()
    assert application.status == "submitted"
    assert AuditEvent.objects.filter(action="filing.submitted").count() == 1


def test_scope_form_names_an_unknown_level_or_job_type(client, world, draft):
    client.force_login(draft.admin)
    response = client.post(
        reverse("registry:filing_scope_add", args=[draft.application.pk]),
        {
            "occupation": "6-18-02-04",
            "job_type": "水下焊工",
            "level": "SPECIAL_TECH",
            "examiners": "5",
            "internal_supervisors": "1",
            "question_bank": "题库",
            "equipment": "设备",
        },
    )
    assert response.status_code == 422
    assert "职业“焊工”下没有“水下焊工”" in response.content.decode()


def test_submit_page_lists_what_is_missing(client, world):
    from skillcert.registry.tests.conftest import register

    registered = register(district=world.pudong)
    client.force_login(registered.admin)
    response = client.post(reverse("registry:filing_submit", args=[registered.application.pk]))
    assert response.status_code == 422
    content = response.content.decode()
    assert "请至少填写一个评价站点" in content and "请至少填写一项申请备案的职业" in content


def test_other_bodies_and_other_roles_cannot_reach_the_draft(client, world, draft):
    edit = reverse("registry:filing_edit", args=[draft.application.pk])
    # Another body's administrator: not in scope → 404
    client.force_login(world.body_y_admin)
    assert client.get(edit).status_code == 404
    assert client.get(reverse("registry:filing_detail", args=[draft.application.pk])).status_code == 404
    # Staff without the body-admin role → 403
    client.force_login(world.body_y_exam_staff)
    assert client.get(edit).status_code == 403
    # Anonymous → sign in
    client.logout()
    assert client.get(edit).status_code == 302


@pytest.fixture
def submitted(draft):
    filing_submit(actor=draft.admin, application=draft.application)
    return draft


def test_pudong_reviewer_approves_with_the_suggested_code(client, world, submitted):
    application = submitted.application
    declared = application.sites.get()
    approve = reverse("registry:filing_approve", args=[application.pk])
    # Given: the 浦东 reviewer opens the approval page: it suggests the next free code
    client.force_login(world.pudong_reviewer)
    page = client.get(approve)
    assert page.status_code == 200
    assert page.context["form"][f"site_{declared.pk}"].value() == "000203"

    # When: they confirm
    response = client.post(approve, {"body_code": "0000", f"site_{declared.pk}": "000203"})

    # Then: the body is filed, the site has its code
    assert response.status_code == 302
    assert Body.objects.get(pk=application.tenant_id).filing_status == "filed"
    assert Site.objects.get(tenant=application.tenant_id).sequence_code == "000203"


def test_approve_page_refuses_a_taken_code(client, world, submitted):
    declared = submitted.application.sites.get()
    client.force_login(world.pudong_reviewer)
    response = client.post(
        reverse("registry:filing_approve", args=[submitted.application.pk]),
        {"body_code": "0000", f"site_{declared.pk}": "000101"},
    )
    assert response.status_code == 422
    assert "“000101”已被其他评价站点使用" in response.content.decode()
    assert FilingApplication.objects.get(pk=submitted.application.pk).status == "submitted"


def test_other_district_reviewer_gets_404(client, world, submitted):
    client.force_login(world.minhang_reviewer)
    for name in ("filing_detail", "filing_approve", "filing_return", "filing_reject"):
        assert client.get(reverse(f"registry:{name}", args=[submitted.application.pk])).status_code == 404
    assert (
        client.post(
            reverse("registry:filing_reject", args=[submitted.application.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert FilingApplication.objects.get(pk=submitted.application.pk).status == "submitted"


def test_return_and_reject_pages_ask_for_reasons(client, world, submitted):
    client.force_login(world.municipal_reviewer)
    url = reverse("registry:filing_return", args=[submitted.application.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "请补充题库来源。"}).status_code == 302
    application = FilingApplication.objects.get(pk=submitted.application.pk)
    assert (application.status, application.decision_reason) == ("returned", "请补充题库来源。")
    # The body sees the reason on its application page
    client.force_login(submitted.admin)
    assert (
        "请补充题库来源。"
        in client.get(reverse("registry:filing_detail", args=[application.pk])).content.decode()
    )


def test_filing_list_per_role(client, world, submitted):
    client.force_login(world.pudong_reviewer)
    assert list(client.get(reverse("registry:filing_list")).context["page"]) == [submitted.application]
    client.force_login(world.minhang_reviewer)
    assert list(client.get(reverse("registry:filing_list")).context["page"]) == []
    client.force_login(world.candidate)
    assert client.get(reverse("registry:filing_list")).status_code == 403


def test_scope_change_started_from_the_list(client, world):
    client.force_login(world.body_y_admin)
    start = reverse("registry:filing_start")
    assert "申请变更备案范围" in client.get(start).content.decode()
    response = client.post(start)
    change = FilingApplication.objects.get(tenant=world.body_y)
    assert response["Location"] == reverse("registry:filing_edit", args=[change.pk])
    assert change.kind == "scope_change"


def test_suspend_confirmation_and_scoping(client, world):
    url = reverse("registry:body_status", args=[world.body_y.pk, "suspend"])
    # The 闵行 reviewer cannot reach a 浦东 body
    client.force_login(world.minhang_reviewer)
    assert client.get(url).status_code == 404
    # The 浦东 reviewer sees what suspension does, then confirms with a reason
    client.force_login(world.pudong_reviewer)
    page = client.get(url)
    assert "暂停后该机构不能开考前计划" in page.content.decode()
    assert client.post(url, {"reason": "限期整改"}).status_code == 302
    assert Body.objects.get(pk=world.body_y.pk).filing_status == "suspended"
    # Body staff see their body but cannot change its status
    client.force_login(world.body_y_admin)
    assert client.get(reverse("registry:body_detail", args=[world.body_y.pk])).status_code == 200
    assert client.get(reverse("registry:body_detail", args=[world.body_s.pk])).status_code == 404
    assert client.get(reverse("registry:body_status", args=[world.body_y.pk, "reinstate"])).status_code == 403


def test_public_directory_and_body_page(client, world):
    grant_scope(
        body=world.body_y,
        admin=world.body_y_admin,
        reviewer=world.pudong_reviewer,
        scopes=[scope("4-03-02-01", "L4")],
    )
    Body.objects.filter(pk=world.body_y.pk).update(contact_name="李秘书", contact_phone="021-50001111")
    # Anyone can search by occupation name and see the scope
    response = client.get(reverse("registry:directory"), {"occupation": "中式烹调"})
    assert response.status_code == 200
    assert [entry.name for entry in response.context["entries"]] == [world.body_y.name]
    assert "中式烹调师 四级/中级工" in response.content.decode()
    # The body page uses the credit code, shows the published phone, never the contact person
    page = client.get(reverse("registry:body_public", args=[world.body_y.credit_code]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "021-50001111" in content and "李秘书" not in content
    assert f"/{world.body_y.pk}/" not in reverse("registry:body_public", args=[world.body_y.credit_code])
    # A suspended body is listed as 整改中
    from skillcert.registry.services import body_filing_suspend

    body_filing_suspend(actor=world.pudong_reviewer, body=world.body_y, reason="整改")
    assert (
        "整改中"
        in client.get(reverse("registry:body_public", args=[world.body_y.credit_code])).content.decode()
    )
    assert FiledScope.objects.filter(tenant=world.body_y).count() == 1


def test_unfiled_body_has_no_public_page(client, world, draft):
    assert client.get(reverse("registry:body_public", args=[draft.body.credit_code])).status_code == 404
    empty = client.get(reverse("registry:directory"), {"q": "不存在的机构"})
    assert "没有符合条件的评价机构" in empty.content.decode()


def test_every_registry_view_declares_its_access():
    from django.urls import get_resolver

    from skillcert.registry import urls

    names = {pattern.name: getattr(pattern.callback, "access", None) for pattern in urls.urlpatterns}
    assert None not in names.values()
    assert names["directory"].public and names["body_public"].public and names["register"].public
    assert not names["filing_list"].public
    assert get_resolver().resolve("/registry/bodies/").url_name == "directory"


def test_directory_queries_do_not_grow_with_the_bodies_listed(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("registry:directory")).status_code == 200
        return len(queries)

    # Given: two listed bodies, then a third with scope
    two = count()
    grant_scope(
        body=world.body_y,
        admin=world.body_y_admin,
        reviewer=world.pudong_reviewer,
        scopes=[scope("4-03-02-01", "L4")],
    )
    Body.objects.create(
        name="上海第三评价中心",
        credit_code=credit_code("52310115MJ5021947"),
        kind="S",
        district=world.pudong,
        filing_status="filed",
    )
    # Then: the page costs the same number of queries
    assert count() == two


def test_scope_change_pages_and_body_pages_render(client, world):
    # Given: body_y filed for 中式烹调师 四级, and a scope change asking to withdraw it
    from skillcert.registry.services import filing_application_start, filing_scope_withdrawal_set

    grant_scope(
        body=world.body_y,
        admin=world.body_y_admin,
        reviewer=world.pudong_reviewer,
        scopes=[scope("4-03-02-01", "L4")],
    )
    change = filing_application_start(actor=world.body_y_admin, body=world.body_y)
    row = FiledScope.objects.get(tenant=world.body_y)
    client.force_login(world.body_y_admin)
    withdraw = reverse("registry:filing_withdrawal", args=[change.pk, row.pk])
    assert client.post(withdraw, {"withdraw": "1"}).status_code == 302
    assert list(change.scope_withdrawals.all()) == [row]
    page = client.get(reverse("registry:filing_edit", args=[change.pk])).content.decode()
    assert "取消撤回" in page and "浦江机电实训基地" in page
    filing_scope_withdrawal_set(actor=world.body_y_admin, application=change, filed_scope=row, withdraw=True)
    assert client.post(reverse("registry:filing_submit", args=[change.pk])).status_code == 302

    # When: the municipal admin opens the approval page (no new site: nothing to assign)
    client.force_login(world.municipal_admin)
    approve = client.get(reverse("registry:filing_approve", args=[change.pk]))
    assert "本次申请没有新增站点" in approve.content.decode()
    assert client.post(reverse("registry:filing_approve", args=[change.pk])).status_code == 302
    row.refresh_from_db()
    assert row.withdrawn_at is not None

    # And: the body pages list and show bodies in scope
    listing = client.get(reverse("registry:body_list"), {"q": "浦江"})
    assert [body.pk for body in listing.context["page"]] == [world.body_y.pk]
    detail = client.get(reverse("registry:body_detail", args=[world.body_y.pk])).content.decode()
    assert "000101" in detail and "暂停备案（整改）" in detail
