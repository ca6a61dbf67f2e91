"""The public certificate query and the QR-code page in Chromium, served as ``skillcert serve`` serves them:
the combined ASGI application (the Starlette verification app in front of Django) under uvicorn.

pytest-django's live server runs Django alone (WSGI), where /query is only the "unrouted" page; so these
tests start uvicorn in a thread on a free port over the test database, with the verification
configuration built as skillcert/verification/tests/conftest.py builds it (its own counters and event
files, a fixed clock). The certificates are issued through the services by that conftest's ``issued``.
"""

import hashlib
import socket
import threading
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import uvicorn
from django.core.asgi import get_asgi_application
from django.db import connections
from django.utils import timezone

from skillcert.certificates.services import certificate_revoke
from skillcert.verification.challenge import leading_zero_bits
from skillcert.verification.pages import CONTENT_SECURITY_POLICY
from skillcert.verification.routing import combine
from skillcert.verification.tests.conftest import (
    ISSUED_ON,
    ROOMY,
    WANG_ID,
    app_for,
    issued,
    verification_config,
)
from skillcert.verification.tests.test_query import full_id_numbers
from tests.browser.orm import beside_the_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
__all__ = ["issued", "verification_config"]  # fixtures shared with the verification app's own tests

BODY = "上海浦江机电集团有限公司"
NO_RESULT = "未查询到符合条件的证书。请核对所填内容是否与证书完全一致。"


@pytest.fixture
def serve(verification_config, issued):
    """Starts the combined application under uvicorn with the given limits; returns its base URL."""
    # Django's views run in a thread of asgiref's: close their connection at each request's end, or it
    # outlives the test and keeps the PostgreSQL test database busy (as test_asgi.py does).
    database = connections.settings["default"]
    kept_max_age = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    running: list[tuple[uvicorn.Server, threading.Thread, socket.socket]] = []

    def start(**limits) -> str:
        application = combine(
            django=get_asgi_application(), verification=app_for(verification_config, **{**ROOMY, **limits})
        )
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(application, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
        thread.start()
        running.append((server, thread, listening))
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{listening.getsockname()[1]}"

    try:
        yield start
    finally:  # lifespan shutdown closes the verification app's store (its PostgreSQL pool)
        for server, thread, listening in running:
            server.should_exit = True
            thread.join(timeout=10)
            listening.close()
        database["CONN_MAX_AGE"] = kept_max_age


@pytest.fixture
def public_page(serve, page):
    """The browser (started after the database fixtures) on the combined application, roomy limits."""
    page.base_url = serve()
    return page


def query(page, **typed: str):
    """Open /query, type the given fields (name, id_number, number) and submit; the POST's response."""
    page.goto(page.base_url + "/query")
    for field, value in typed.items():
        page.fill(f"#query-form [name={field}]", value)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/query")) as posted:
        page.click("#query-form button[type=submit]")
    page.wait_for_load_state()
    return posted.value


def facts_shown(page, where: str = "#query-results") -> list[dict[str, str]]:
    """Each certificate's facts as the page lists them (term → description)."""
    return [
        dict(zip(facts.locator("dt").all_inner_texts(), facts.locator("dd").all_inner_texts(), strict=True))
        for facts in page.locator(f"{where} dl.sc-certificate-facts").all()
    ]


def expected_facts(certificate, *, level="三级/高级工", occupation="中式烹调师（4-03-02-01）", job_type="--"):
    return {
        "证书状态": "有效",
        "姓名": certificate.holder_name,
        "职业": occupation,
        "工种/职业方向": job_type,
        "等级": level,
        "证书编号": certificate.number,
        "评价机构": BODY,
        "发证日期": ISSUED_ON.isoformat(),
    }


def test_given_a_certificate_when_an_employer_queries_number_and_name_then_the_page_shows_its_facts(
    public_page, issued
):
    # given 张伟's certificate / when an employer types its number and his name and submits
    answered = query(public_page, number=issued.zhang.number, name="张伟")

    # then the page lists that certificate's facts, valid, and nothing else
    assert answered.status == 200
    assert facts_shown(public_page) == [expected_facts(issued.zhang)]
    assert public_page.locator("#query-results [data-status=valid]").inner_text() == "有效"

    # when 王芳 is looked up by name and ID number instead
    query(public_page, name="王芳", id_number=WANG_ID)

    # then both her certificates are listed (same issue date: by number); the ID number is nowhere, not
    # even back in the field it was typed in
    welder = expected_facts(
        issued.wang_welder, level="四级/中级工", occupation="焊工（6-18-02-04）", job_type="电焊工"
    )
    assert facts_shown(public_page) == sorted(
        [expected_facts(issued.wang), welder], key=lambda facts: facts["证书编号"]
    )
    assert public_page.input_value("#query-id-number") == ""
    assert full_id_numbers(public_page.content()) == []


def test_given_a_wrong_name_when_queried_then_the_answer_is_the_one_an_unknown_number_gets(
    public_page, issued
):
    # given 张伟's number with someone else's name, and a well-formed number that nobody holds
    unknown = issued.zhang.number[:-1] + "9"
    assert unknown not in {c.number for c in (issued.zhang, issued.wang, issued.wang_welder)}

    # when each is queried in the page
    wrong_name = query(public_page, number=issued.zhang.number, name="王芳")
    wrong_name_answer = public_page.inner_html("#query-results")
    unknown_number = query(public_page, number=unknown, name="张伟")

    # then both get the same status and the same "no result" section, which tells nothing more
    assert wrong_name.status == unknown_number.status == 200
    assert wrong_name_answer == public_page.inner_html("#query-results")
    assert public_page.inner_text("#query-results [data-empty]") == NO_RESULT
    assert facts_shown(public_page) == []


@pytest.mark.parametrize("webcrypto", [True, False], ids=["https-or-localhost", "plain-http-intranet"])
def test_given_repeated_misses_when_queried_again_then_the_browser_solves_the_challenge_by_itself(
    serve, page, issued, webcrypto
):
    # given a site that asks for an 8-bit proof of work after two misses from one address, seen by a
    # browser with WebCrypto or, as over plain HTTP on a network address, without it (the page then
    # hashes with its own SHA-256, which the server checks against Python's)
    page.base_url = serve(challenge_after_misses=2, challenge_bits=8)
    if not webcrypto:
        page.add_init_script("Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined});")
    csp_violations = []
    page.on(
        "console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None
    )
    for wrong in ("李四", "王五"):
        assert query(page, number=issued.zhang.number, name=wrong).status == 200
        assert page.inner_text("#query-results [data-empty]") == NO_RESULT

    # when the employer types the right name and submits once
    def posted(status):
        return lambda r: r.request.method == "POST" and r.url.endswith("/query") and r.status == status

    page.goto(page.base_url + "/query")
    page.fill("#query-name", "张伟")
    page.fill("#query-certificate-number", issued.zhang.number)
    with page.expect_response(posted(200), timeout=20_000) as answered, page.expect_response(posted(428)):
        page.click("#query-form button[type=submit]")
    page.wait_for_load_state()

    # then the proof-of-work page came first (428); its inline script, allowed by the CSP, solved the
    # challenge and resubmitted the form by itself; the final page shows the certificate
    resent = dict(parse_qsl(answered.value.request.post_data))
    assert resent["challenge"].startswith("v1.") and resent["solution"].isdigit()
    digest = hashlib.sha256(f"{resent['challenge']}:{resent['solution']}".encode()).digest()
    assert leading_zero_bits(digest) >= 8
    assert (resent["name"], resent["number"]) == ("张伟", issued.zhang.number)
    assert facts_shown(page) == [expected_facts(issued.zhang)]
    assert csp_violations == []


def test_given_a_qr_code_when_opened_then_it_shows_the_certificate_and_later_its_revocation(
    public_page, issued, world
):
    # given 王芳's certificate / when its QR code is opened
    token = issued.wang.qr_token
    public_page.goto(f"{public_page.base_url}/v/{token}")

    # then the page shows its facts, valid, and links the signed credential that Django serves
    assert facts_shown(public_page, "#certificate") == [expected_facts(issued.wang)]
    link = public_page.get_attribute("#certificate a[href*=credential]", "href")
    assert link == f"/credentials/v/{token}/credential.json"
    credential = public_page.request.get(public_page.base_url + link)
    assert credential.ok and "OpenBadgeCredential" in credential.json()["type"]
    assert full_id_numbers(public_page.content()) == []

    # when her body revokes it and the QR code is opened again
    beside_the_browser(
        certificate_revoke, certificate=issued.wang, reason="考试作弊，撤销证书", actor=world.body_y_admin
    )
    public_page.reload()

    # then the page says revoked, with the date, never the reason
    status = public_page.locator("#certificate [data-status=revoked]")
    assert status.inner_text() == f"已撤销（撤销日期 {timezone.localdate().isoformat()}）"
    assert "作弊" not in public_page.content()


def test_given_the_public_pages_when_browsed_then_nothing_comes_from_elsewhere_and_nothing_is_stored(
    public_page, issued
):
    # given every request and every document response the browser makes
    requests, documents, csp_violations = [], [], []
    public_page.on("request", lambda r: requests.append(r))
    public_page.on(
        "response", lambda r: documents.append(r) if r.request.resource_type == "document" else None
    )
    public_page.on(
        "console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None
    )

    # when the query form is opened and answered, a QR page and an unknown QR page are opened
    query(public_page, number=issued.zhang.number, name="张伟")
    public_page.goto(f"{public_page.base_url}/v/{issued.zhang.qr_token}")
    public_page.goto(f"{public_page.base_url}/v/unknown-token-0000000000000000")

    # then every request went to this site, its stylesheets included, and they loaded
    origin = urlsplit(public_page.base_url)
    assert {(urlsplit(r.url).scheme, urlsplit(r.url).netloc) for r in requests} == {
        (origin.scheme, origin.netloc)
    }
    stylesheets = [r for r in requests if r.resource_type == "stylesheet"]
    assert stylesheets and all(r.response() and r.response().status == 200 for r in stylesheets)
    assert [r for r in requests if r.resource_type == "script"] == []  # the only script is inline
    assert csp_violations == []

    # and every page came with the strict CSP and may not be stored
    assert [(d.request.method, urlsplit(d.url).path, d.status) for d in documents] == [
        ("GET", "/query", 200),
        ("POST", "/query", 200),
        ("GET", f"/v/{issued.zhang.qr_token}", 200),
        ("GET", "/v/unknown-token-0000000000000000", 404),
    ]
    for document in documents:
        headers = document.all_headers()
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["cache-control"] == "no-store"
