from skillcert.reference.models import Occupation
from skillcert.registry.models import Body

QUERY_CLOSED = "证书查询服务将在证书发放功能上线后开放"


def test_anonymous_sees_the_platform_and_live_figures(client, world, portal_only_urls):
    # given: one of the world's two filed bodies is suspended (整改), and the catalogue gains an occupation
    Body.objects.filter(pk=world.body_s.pk).update(filing_status=Body.FilingStatus.SUSPENDED)
    occupations_before = Occupation.objects.count()
    Occupation.objects.create(code="9-99-99-99", name="测试职业")

    # when
    response = client.get("/")

    # then
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.filed_body_count == 1
    assert figures.body_count == 2
    assert figures.occupation_count == occupations_before + 1
    assert (figures.level_count, figures.lowest_level, figures.highest_level) == (8, "学徒工", "首席技师")
    html = response.content.decode()
    assert '<span class="sc-figure-value" data-figure="filed-bodies">1</span>' in html
    assert f'data-figure="occupations">{occupations_before + 1}</span>' in html
    assert 'data-figure="levels">8</span>' in html
    assert "平台登记机构 2 家" in html
    assert "谁用人、谁评价、谁发证、谁负责" in html
    for audience in ("人社部门", "评价机构", "考评人员", "考生", "社会公众"):
        assert f"<strong>{audience}</strong>" in html


def test_query_form_is_disabled_while_no_query_service_exists(client, db, portal_only_urls):
    # when
    html = client.get("/").content.decode()

    # then: the fields are there, greyed out, the form goes nowhere, and the notice says why
    assert '<fieldset disabled aria-describedby="query-closed">' in html
    assert 'name="name"' in html and 'name="id_number"' in html and 'name="certificate_number"' in html
    assert "任意填写两项" in html
    assert QUERY_CLOSED in html
    assert 'action="/certificates/query"' not in html


def test_query_form_submits_to_the_query_service_once_it_exists(client, db, stand_in_urls):
    # when
    html = client.get("/").content.decode()

    # then
    assert '<form method="post" action="/certificates/query" novalidate>' in html
    assert "<fieldset disabled" not in html
    assert QUERY_CLOSED not in html


def test_login_and_registration_links_appear_when_their_pages_exist(client, db, stand_in_urls):
    # when
    html = client.get("/").content.decode()

    # then
    assert 'href="/accounts/login/"' in html
    assert 'href="/accounts/register/"' in html


def test_no_login_link_points_nowhere_while_accounts_pages_are_missing(client, db, portal_only_urls):
    # when
    html = client.get("/").content.decode()

    # then
    assert "/accounts/" not in html
