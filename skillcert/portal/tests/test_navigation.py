import re

import pytest
from django.test import RequestFactory

from skillcert.portal.navigation import navigation_context


def menu(client) -> list[str]:
    """The labels of the main menu as rendered."""
    html = client.get("/").content.decode()
    nav = html[
        html.index('<ul class="sc-nav-list">') : html.index("</ul>", html.index('<ul class="sc-nav-list">'))
    ]
    return re.findall(r'<a href="[^"]+"(?: class="active" aria-current="page")?>([^<]+)</a>', nav)


def test_anonymous_sees_public_pages_and_sign_in(client, db, stand_in_urls):
    # when
    labels = menu(client)
    html = client.get("/").content.decode()

    # then
    assert labels == ["首页", "证书查询", "评价机构名录"]
    assert 'href="/accounts/login/"' in html and 'href="/accounts/register/"' in html
    assert "退出登录" not in html


def test_filing_reviewer_sees_the_filing_pages(client, world, stand_in_urls):
    # given
    client.force_login(world.pudong_reviewer)

    # when
    labels = menu(client)

    # then
    assert labels == ["首页", "工作台", "证书查询", "评价机构名录", "备案管理"]


@pytest.mark.parametrize("name", ["body_y_admin", "municipal_admin", "candidate", "body_y_examiner"])
def test_users_without_the_reviewer_role_do_not_see_filing_pages(client, world, stand_in_urls, name):
    # given
    client.force_login(getattr(world, name))

    # when
    labels = menu(client)

    # then
    assert labels == ["首页", "工作台", "证书查询", "评价机构名录"]


def test_signed_in_header_names_user_role_scope_and_offers_logout(client, world, stand_in_urls):
    # given
    client.force_login(world.pudong_reviewer)

    # when
    html = client.get("/").content.decode()

    # then
    assert '<span class="sc-identity-scope">浦东新区 · 备案审核员</span>' in html
    assert '<form method="post" action="/accounts/logout/" class="sc-logout">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'href="/accounts/tokens/"' in html  # any signed-in user's own page
    assert 'href="/accounts/login/"' not in html


def test_body_staff_scope_is_their_body(client, world, stand_in_urls):
    # given
    client.force_login(world.body_y_admin)

    # when
    html = client.get("/dashboard/").content.decode()

    # then
    assert '<span class="sc-identity-scope">上海浦江机电集团有限公司 · 机构管理员</span>' in html


def test_current_page_is_marked(client, world, stand_in_urls):
    # given
    client.force_login(world.candidate)

    # when
    html = client.get("/dashboard/").content.decode()

    # then
    assert '<a href="/dashboard/" class="active" aria-current="page">工作台</a>' in html


def test_menu_skips_pages_that_do_not_exist_yet(client, world, portal_only_urls):
    # given
    client.force_login(world.pudong_reviewer)

    # when
    labels = menu(client)
    html = client.get("/").content.decode()

    # then: no dead links, and no logout form without a logout page to post to
    assert labels == ["首页", "工作台"]
    assert "sc-logout" not in html


def test_request_without_user_gets_the_anonymous_menu(db, portal_only_urls):
    # given: a request that never passed the authentication middleware (an early error page)
    request = RequestFactory().get("/")

    # when
    context = navigation_context(request)

    # then
    assert [str(link.label) for link in context["nav_main"]] == ["首页"]
    assert context["nav_identity"] is None


def test_candidates_are_not_offered_integration_tokens(client, world, stand_in_urls):
    # given
    client.force_login(world.candidate)

    # when
    html = client.get("/").content.decode()

    # then
    assert 'href="/accounts/tokens/"' not in html
    assert '<span class="sc-identity-scope">考生</span>' in html
