"""The public query: exact matches on any two of name, ID number and certificate number; misses that
look like hits; certificate facts only, never ID digits."""

import dataclasses
import re

from starlette.testclient import TestClient

from skillcert.core.identifiers import resident_id_check_character
from skillcert.verification.app import SECURITY_HEADERS
from skillcert.verification.events import query_events_read
from skillcert.verification.tests.conftest import ISSUED_ON, ROOMY, WANG_ID, ZHANG_ID, app_for, client_for

API = "/api/v1/public/certificates"
FAR_FUTURE = 4_000_000_000.0


def facts(certificate, *, level: str, job_type: str = "--", occupation=("中式烹调师", "4-03-02-01")) -> dict:
    return {
        "name": certificate.holder_name,
        "occupation": occupation[0],
        "occupation_code": occupation[1],
        "job_type": job_type,
        "level": level,
        "number": certificate.number,
        "body": "上海浦江机电集团有限公司",
        "issue_date": ISSUED_ON.isoformat(),
        "status": "valid",
        "revoked_on": None,
        "replaced_by": None,
    }


def full_id_numbers(text: str) -> list[str]:
    """Every 18-character run in ``text`` that is a resident ID number with a valid check character."""
    found = []
    for start in range(len(text) - 17):
        candidate = text[start : start + 18]
        first17 = candidate[:17]
        if first17.isascii() and first17.isdigit() and resident_id_check_character(first17) == candidate[17]:
            found.append(candidate)
    return found


def test_number_and_name_finds_the_certificate(client, issued):
    # given 张伟's certificate / when number and name are posted
    response = client.post(API, data={"number": issued.zhang.number, "name": "张伟"})

    # then the answer is that certificate's facts and nothing else
    assert response.status_code == 200
    assert response.json() == {"certificates": [facts(issued.zhang, level="三级/高级工")]}


def test_number_and_id_number_finds_it_through_the_blind_index(client, issued):
    # given 张伟's ID number typed with spaces around and a full-width digit in it
    typed = " " + ZHANG_ID[:2] + "\uff10" + ZHANG_ID[3:] + " "
    assert ZHANG_ID[2] == "0"

    # when it is posted with the certificate number (as JSON this time)
    response = client.post(API, json={"number": issued.zhang.number, "id_number": typed})

    # then the certificate is found
    assert response.json() == {"certificates": [facts(issued.zhang, level="三级/高级工")]}


def test_a_json_body_with_a_lone_surrogate_is_refused_with_422_not_a_server_error(client, issued):
    # given a JSON body whose name is the escape of half a UTF-16 pair, which no text can hold
    body = '{"number": "' + issued.zhang.number + '", "name": "\\ud800"}'

    # when it is posted
    response = client.post(API, content=body, headers={"content-type": "application/json"})

    # then it is refused as unreadable, saying why
    assert response.status_code == 422
    assert response.json()["errors"] == {"form": "请求内容含有无效的字符（单独的 UTF-16 代理码）。"}


def test_a_form_body_is_read_as_browsers_and_scripts_send_it(client, issued):
    # given the same query sent four ways: percent-encoded, with + for a space, as raw UTF-8 (curl), and
    # with the portal home page's field name and an unknown field before a repeated one
    number = issued.zhang.number
    form = {"content-type": "application/x-www-form-urlencoded"}
    bodies = [
        f"number={number}&name=%E5%BC%A0%E4%BC%9F".encode(),
        f"number=+{number}+&name=%E5%BC%A0%E4%BC%9F".encode(),
        f"number={number}&name=张伟".encode(),
        f"other=x&certificate_number={number}&name=张伟&name=李四".encode(),
    ]

    # when each is posted
    answers = [client.post(API, content=body, headers=form).json() for body in bodies]

    # then each finds 张伟's certificate (the first of a repeated field counts)
    assert answers == [{"certificates": [facts(issued.zhang, level="三级/高级工")]}] * 4


def test_name_and_id_number_answers_every_certificate_of_that_person(client, issued):
    # given 王芳 holds two certificates (三级 中式烹调师, 四级 焊工 电焊工) issued the same day
    # when her name and ID number are queried, the ID number's check character typed in lower case
    response = client.post(API, data={"name": "王芳", "id_number": WANG_ID.lower()})

    # then both come back (newest first, then by number), and nobody else's
    expected = sorted(
        [
            facts(issued.wang, level="三级/高级工"),
            facts(
                issued.wang_welder, level="四级/中级工", job_type="电焊工", occupation=("焊工", "6-18-02-04")
            ),
        ],
        key=lambda record: record["number"],
    )
    assert response.json() == {"certificates": expected}


def test_the_api_answers_get_as_well(client, issued):
    # when the query comes as URL parameters (the issue's GET form of the API)
    response = client.get(API, params={"number": issued.wang.number, "name": "王芳"})

    # then it answers like a POST
    assert response.json() == {"certificates": [facts(issued.wang, level="三级/高级工")]}


def test_all_three_must_all_match(client, issued):
    # when all three are given but the name is someone else's
    wrong = client.post(API, data={"number": issued.zhang.number, "id_number": ZHANG_ID, "name": "王芳"})
    right = client.post(API, data={"number": issued.zhang.number, "id_number": ZHANG_ID, "name": "张伟"})

    # then only the fully matching query finds it
    assert wrong.json() == {"certificates": []}
    assert [c["number"] for c in right.json()["certificates"]] == [issued.zhang.number]


def test_a_miss_looks_like_a_hit(client, issued):
    # given a hit, a wrong name, an unknown number and another person's ID number
    hit = client.post(API, data={"number": issued.zhang.number, "name": "张伟"})
    misses = [
        client.post(API, data={"number": issued.zhang.number, "name": "王芳"}),
        client.post(API, data={"number": issued.zhang.number[:-1] + "9", "name": "张伟"}),
        client.post(API, data={"number": issued.zhang.number, "id_number": WANG_ID}),
    ]

    # then every miss has the hit's status and headers, and the same shape with an empty list
    for miss in misses:
        assert miss.status_code == hit.status_code == 200
        assert without_length(miss.headers) == without_length(hit.headers)
        assert miss.json() == {"certificates": []}


def without_length(headers) -> dict:
    return {name: value for name, value in headers.items() if name != "content-length"}


def test_no_partial_wildcard_or_fuzzy_match(client, issued):
    # when a query uses part of a name, wildcards, or part of a number
    number = issued.zhang.number
    queries = [
        {"number": number, "name": "张"},
        {"number": number, "name": "张%"},
        {"number": number, "name": "*"},
        {"number": number[:-2] + "%", "name": "张伟"},
        {"number": number[:10], "name": "张伟"},
        {"number": "%", "name": "%"},
        {"name": "张伟", "id_number": ZHANG_ID[:17]},
    ]

    # then nothing is found (or the ID number is refused as malformed), never a list
    for query in queries:
        response = client.post(API, data=query)
        assert response.status_code in (200, 422), query
        assert response.json().get("certificates", []) == [], query


def test_fewer_than_two_fields_is_refused(client, issued):
    # when only the number is given
    response = client.post(API, data={"number": issued.zhang.number})

    # then 422 says what is needed, and no lookup was made
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == {"form": "请在姓名、证件号码、证书编号中任意填写两项。"}


def test_a_malformed_id_number_is_refused_with_the_reason(client, issued):
    # when an ID number with a wrong check character is given
    wrong_check = ZHANG_ID[:17] + ("0" if ZHANG_ID[17] != "0" else "1")
    response = client.post(API, data={"name": "张伟", "id_number": wrong_check})

    # then 422 names the field and the reason
    assert response.status_code == 422
    assert response.json()["errors"] == {"id_number": "身份证号码校验码错误，请核对最后一位。"}


def test_no_id_digits_anywhere_in_the_answers(client, issued):
    # when every surface answers about 王芳 and 张伟
    bodies = [
        client.post(API, data={"name": "王芳", "id_number": WANG_ID}).text,
        client.post(API, data={"number": issued.zhang.number, "id_number": ZHANG_ID}).text,
        client.post("/query", data={"name": "王芳", "id_number": WANG_ID}).text,
        client.get(f"/v/{issued.wang.qr_token}").text,
        client.get(f"/api/v1/public/verify/{issued.wang.qr_token}").text,
    ]

    # then no text holds an 18-character string with a valid check character
    assert [full_id_numbers(body) for body in bodies] == [[], [], [], [], []]


def test_the_query_page_shows_a_form_and_answers_a_post(client, issued):
    # when the page is opened, then posted from the portal home page's form (field certificate_number)
    form = client.get("/query")
    answer = client.post("/query", data={"name": "张伟", "certificate_number": issued.zhang.number})
    miss = client.post("/query", data={"name": "张伟", "certificate_number": issued.wang.number})

    # then the form posts to itself; the answer shows the facts; a miss says nothing was found
    assert form.status_code == 200
    assert 'action="/query"' in form.text and 'name="id_number"' in form.text
    assert answer.status_code == 200
    assert re.search(r"<dd[^>]*>" + issued.zhang.number + "</dd>", answer.text)
    assert "三级/高级工" in answer.text and 'data-status="valid"' in answer.text
    assert miss.status_code == 200
    assert "未查询到符合条件的证书" in miss.text and issued.wang.number in miss.text  # only as typed


def test_security_headers_on_every_response(client, issued):
    # when the page, the API (hit, 422), the QR page and an unknown path answer
    responses = [
        client.get("/query"),
        client.post(API, data={"number": issued.zhang.number, "name": "张伟"}),
        client.post(API, data={"number": issued.zhang.number}),
        client.get(f"/v/{issued.zhang.qr_token}"),
        client.get("/v/unknown-token-0000000000000000"),
        client.get("/api/v1/public/nothing"),
    ]

    # then each carries the same protective headers
    for response in responses:
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-robots-tag"] == "noindex, nofollow"
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp


def test_each_answered_query_is_logged_for_the_enumeration_watch_without_personal_data(
    verification_config, issued
):
    # given the app with its event log
    with client_for(verification_config) as client:
        # when one query hits and one misses, and a QR-code page is opened
        client.post(API, data={"number": issued.zhang.number, "name": "张伟"})
        client.post(API, data={"number": issued.zhang.number, "name": "李四"})
        client.get(f"/v/{issued.zhang.qr_token}")
    # (leaving the client closes the app, which writes what it holds)

    # then three events are read back: two number queries and a token view, one of them a miss
    events = list(query_events_read(directory=verification_config.events_dir, start=0, end=FAR_FUTURE))
    assert [(event.query, event.hit) for event in events] == [
        ("number_name", True),
        ("number_name", False),
        ("token", True),
    ]
    assert len({event.number_key for event in events}) == 1  # the same certificate, hashed alike
    # and nothing in the files names the person, the number or the address
    text = "".join(path.read_text() for path in verification_config.events_dir.iterdir())
    for clear in (issued.zhang.number, "张伟", "李四", "testclient", issued.zhang.qr_token):
        assert clear not in text


def test_over_plain_http_every_query_is_sent_to_https_and_answers_carry_hsts_once(
    verification_config, issued
):
    # given an installation that redirects plain HTTP and sends HSTS
    config = dataclasses.replace(verification_config, https_redirect=True, hsts_seconds=31536000)
    query = {"number": issued.zhang.number, "name": "张伟"}

    # when the API is asked over plain HTTP, by POST (the direct path) and by GET (the router's)
    with TestClient(app_for(config, **ROOMY), base_url="http://testserver") as plain:
        posted = plain.post(API, data=query, follow_redirects=False)
        got = plain.get(API, params=query, follow_redirects=False)

    # then neither is answered: both are sent to the same address over HTTPS
    for response in (posted, got):
        assert response.status_code == 301
        assert response.headers["location"] == f"https://testserver{API}"
        assert "certificates" not in response.text

    # and when the same is asked over HTTPS, the answer, the page and a refusal each carry every
    # protective header exactly once
    with TestClient(app_for(config, **ROOMY), base_url="https://testserver") as secure:
        answers = [
            secure.post(API, data=query),
            secure.get(API, params=query),
            secure.post("/query", data=query),
            secure.post(API, data={"number": issued.zhang.number}),  # one field: 422
        ]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 422]
    for answer in answers:
        names = [name.lower() for name, _ in answer.headers.raw]
        for header in (*SECURITY_HEADERS, "strict-transport-security", "content-type", "content-length"):
            assert names.count(header.encode()) == 1, header
        assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
