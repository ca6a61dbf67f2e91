import json

import pytest
from django.db import DatabaseError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from skillcert.portal import views_errors

LOGIN = "/accounts/login/"
LATIN1_FORM = "application/x-www-form-urlencoded; charset=latin-1"
# A well-formed CSRF secret: the middleware accepts the cookie and goes on to read the form's token.
CSRF_COOKIE = "A" * 32
# Words of Django's own error pages, which must not reach the portal's users.
ENGLISH = ("Bad Request", "Forbidden", "Not Found", "Server Error", "CSRF verification", "Traceback")


def csrf_checked_client() -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = CSRF_COOKIE
    return client


def assert_chinese_error_page(html: str, *, heading: str) -> None:
    assert '<html lang="zh-Hans">' in html
    assert f'<h1 id="error-title" class="h3 mb-3">{heading}</h1>' in html
    assert '<a class="btn btn-primary" href="/">返回首页</a>' in html
    for word in ENGLISH:
        assert word not in html


@pytest.mark.parametrize(
    ("path", "debug"),
    [(LOGIN, False), ("/", False), (LOGIN, True)],
    ids=["login", "home", "login-debug-on"],
)
def test_latin1_form_post_answers_400_with_the_chinese_page(db, settings, path, debug):
    # given: production (or development) settings and a browser holding a CSRF cookie
    settings.DEBUG = debug
    client = csrf_checked_client()

    # when: a form is posted as latin-1, which Django refuses to parse (the CSRF check reads it first)
    response = client.post(path, data=b"username=a", content_type=LATIN1_FORM)

    # then: a 400 in Chinese, not the 500 that Django's own 400 handler (or, DEBUG on, its debug page)
    # produced by reading the form again
    assert response.status_code == 400
    assert_chinese_error_page(response.content.decode(), heading="无法处理此次请求")


def test_form_with_too_many_fields_answers_400_with_the_chinese_page(db, settings):
    # given
    settings.DEBUG = False
    client = csrf_checked_client()
    fields = "&".join(f"f{i}=x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    # when: another body Django refuses to parse, this time as a SuspiciousOperation
    response = client.post(LOGIN, data=fields, content_type="application/x-www-form-urlencoded")

    # then
    assert response.status_code == 400
    assert_chinese_error_page(response.content.decode(), heading="无法处理此次请求")


def test_post_without_csrf_token_answers_403_with_the_chinese_csrf_page(db, settings):
    # given: a browser that has the cookie but posts a form without the token (an expired or foreign page)
    settings.DEBUG = False
    client = csrf_checked_client()

    # when
    response = client.post(LOGIN, {"username": "candidate", "password": "x"})

    # then: the page says what happened and what to do
    assert response.status_code == 403
    html = response.content.decode()
    assert_chinese_error_page(html, heading="页面已过期，请重新提交")
    assert "浏览器禁用了 Cookie" in html
    assert "<li>返回上一页；</li>" in html and "<li>刷新页面；</li>" in html
    assert "<li>重新填写并提交。</li>" in html


def test_post_without_csrf_cookie_answers_403_with_the_chinese_csrf_page(db, settings):
    # given: a browser that blocks cookies
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)

    # when
    response = client.post(LOGIN, {"username": "candidate", "password": "x"})

    # then
    assert response.status_code == 403
    assert_chinese_error_page(response.content.decode(), heading="页面已过期，请重新提交")


def test_unknown_path_answers_404_with_the_chinese_page(db, settings):
    # given
    settings.DEBUG = False

    # when
    response = Client().get("/nonexistent/")

    # then
    assert response.status_code == 404
    assert_chinese_error_page(response.content.decode(), heading="找不到您要访问的页面")


def test_unknown_api_path_answers_404_problem_document(db, settings):
    # given
    settings.DEBUG = False

    # when
    response = Client().get("/api/v1/nonexistent")

    # then: API clients read the same problem shape as for every other API error
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content) == {
        "type": "urn:skillcert:problem:not-found",
        "title": "对象不存在",
        "status": 404,
        "detail": "接口地址不存在，请对照接口文档检查请求路径。",
        "errors": [],
    }


def test_signed_in_user_without_role_gets_403_with_the_chinese_page(world, settings, client):
    # given: a candidate, who may not review filings
    settings.DEBUG = False
    client.force_login(world.candidate)

    # when
    response = client.get(reverse("registry:filing_list"))

    # then
    assert response.status_code == 403
    assert_chinese_error_page(response.content.decode(), heading="您没有访问此页面的权限")


def test_view_that_fails_answers_500_with_the_chinese_page(db, settings, monkeypatch):
    # given: the database fails while the home page reads its figures
    settings.DEBUG = False

    def broken_figures():
        raise DatabaseError("connection lost")

    monkeypatch.setattr("skillcert.portal.views.home_figures", broken_figures)
    client = Client(raise_request_exception=False)

    # when
    response = client.get("/")

    # then: a Chinese page with the request's id for the administrator, and nothing of the failure
    assert response.status_code == 500
    html = response.content.decode()
    assert_chinese_error_page(html, heading="服务器暂时无法完成您的请求")
    assert f"联系时请提供请求编号 <code>{response['X-Request-ID']}</code>。" in html
    assert "connection lost" not in html and "DatabaseError" not in html


def test_500_page_renders_with_a_broken_session_and_no_database_query(db, django_assert_num_queries):
    # given: a request whose session and user fail on any use, as when the database is down
    def fail():
        raise DatabaseError("database is down")

    request = RequestFactory().get("/certificates/")
    request.session = SimpleLazyObject(fail)  # type: ignore[attr-defined]
    request.user = SimpleLazyObject(fail)

    # when
    with django_assert_num_queries(0):
        response = views_errors.server_error(request)

    # then
    assert response.status_code == 500
    assert_chinese_error_page(response.content.decode(), heading="服务器暂时无法完成您的请求")
