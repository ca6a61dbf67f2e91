"""Abuse resistance: shared rate limits with 429 and Retry-After, and the proof-of-work challenge."""

import dataclasses

import pytest
from starlette.testclient import TestClient

from skillcert.verification.challenge import challenge_solve
from skillcert.verification.tests.conftest import FIXED_NOW, ZHANG_ID, app_for, client_for

API = "/api/v1/public/certificates"
OFF = 100_000  # a limit nobody reaches in a test

ROOMY = {
    "ip_per_minute": OFF,
    "ip_per_day": OFF,
    "network_per_minute": OFF,
    "number_per_day": OFF,
    "id_number_per_day": OFF,
    "name_per_hour": OFF,
    "view_per_minute": OFF,
    "challenge_after_misses": OFF,
}


def limited(config, **limits) -> TestClient:
    return client_for(config, **{**ROOMY, **limits})


def with_limits(config, **limits):
    return dataclasses.replace(config, limits=dataclasses.replace(config.limits, **{**ROOMY, **limits}))


def test_the_eleventh_query_in_a_minute_gets_429_with_retry_after(verification_config, issued):
    # given a limit of 10 queries a minute per address
    with limited(verification_config, ip_per_minute=10) as client:
        query = {"number": issued.zhang.number, "name": "张伟"}

        # when one address queries 11 times
        answers = [client.post(API, data=query) for _ in range(11)]

    # then the first 10 are answered and the 11th is refused with the seconds left in the minute
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    refused = answers[-1]
    assert refused.headers["retry-after"] == str(60 - int(FIXED_NOW) % 60) == "55"
    assert refused.json()["retry_after"] == int(refused.headers["retry-after"])
    assert refused.json()["detail"] == f"查询过于频繁，请在 {refused.headers['retry-after']} 秒后再试。"
    assert refused.headers["cache-control"] == "no-store"


def test_one_certificate_number_is_limited_across_addresses(verification_config, issued):
    # given a limit of 20 queries a day per certificate number
    config = with_limits(verification_config, number_per_day=20)
    app = app_for(config)
    statuses = []

    # when 21 different addresses each query the same number once
    for index in range(21):
        with TestClient(app, base_url="https://testserver", client=(f"198.51.{index}.7", 40000)) as client:
            statuses.append(
                client.post(API, data={"number": issued.zhang.number, "name": "张伟"}).status_code
            )

    # then the 21st is refused
    assert statuses == [200] * 20 + [429]


def test_a_forged_forwarded_for_header_does_not_change_the_address(verification_config, issued):
    # given 2 queries a minute per address
    with limited(verification_config, ip_per_minute=2) as client:
        query = {"number": issued.zhang.number, "name": "张伟"}

        # when each request claims another address in X-Forwarded-For
        statuses = [
            client.post(API, data=query, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(3)
        ]

    # then they are all counted against the real peer
    assert statuses == [200, 200, 429]


def test_limits_hold_across_workers(verification_config, issued):
    # given two app instances over the same store, as two server workers are, 3 queries a minute
    config = with_limits(verification_config, ip_per_minute=3)
    query = {"number": issued.zhang.number, "name": "张伟"}

    # when one address sends two queries to each
    with (
        TestClient(app_for(config), base_url="https://testserver") as first,
        TestClient(app_for(config), base_url="https://testserver") as second,
    ):
        statuses = [c.post(API, data=query).status_code for c in (first, second, first, second)]

    # then the fourth is refused: the count is shared, not per worker
    assert statuses == [200, 200, 200, 429]


def test_repeated_misses_need_a_proof_of_work_and_a_solution_is_accepted_once(verification_config, issued):
    # given a challenge after 3 misses (at 8 bits, so that the test solves it quickly)
    with limited(verification_config, challenge_after_misses=3, challenge_bits=8) as client:
        miss = {"number": issued.zhang.number, "name": "李四"}
        hit = {"number": issued.zhang.number, "name": "张伟"}
        misses = [client.post(API, data=miss).status_code for _ in range(3)]

        # when the next query comes without a solution
        challenged = client.post(API, data=hit)

        # then it gets 428 with a challenge, even though it would have been a hit
        assert misses == [200, 200, 200]
        assert challenged.status_code == 428
        body = challenged.json()
        assert (body["algorithm"], body["bits"], body["status"]) == ("SHA-256", 8, 428)

        # when it is solved and sent with the query
        solution = challenge_solve(token=body["challenge"], bits=8)
        solved = client.post(API, data={**hit, "challenge": body["challenge"], "solution": solution})

        # then the query is answered, and the same solution is not accepted twice
        assert solved.status_code == 200
        assert [c["number"] for c in solved.json()["certificates"]] == [issued.zhang.number]
        again = client.post(API, data={**hit, "challenge": body["challenge"], "solution": solution})
        assert again.status_code == 428


def test_a_wrong_solution_or_another_clients_challenge_is_refused(verification_config, issued):
    # given a client that must solve challenges
    config = with_limits(verification_config, challenge_after_misses=1, challenge_bits=8)
    app = app_for(config)
    hit = {"number": issued.zhang.number, "name": "张伟"}
    with TestClient(app, base_url="https://testserver", client=("192.0.2.1", 1)) as first:
        first.post(API, data={"number": issued.zhang.number, "name": "李四"})
        token = first.post(API, data=hit).json()["challenge"]

        # when it sends something that is not a solution
        refused = first.post(API, data={**hit, "challenge": token, "solution": "not-a-number"})

    # and another address presents the first one's solved challenge
    with TestClient(app, base_url="https://testserver", client=("192.0.2.2", 1)) as second:
        second.post(API, data={"number": issued.zhang.number, "name": "李四"})
        solution = challenge_solve(token=token, bits=8)
        stolen = second.post(API, data={**hit, "challenge": token, "solution": solution})

    # then both get a fresh challenge
    assert refused.status_code == 428 and refused.json()["challenge"] != token
    assert stolen.status_code == 428


def test_the_query_page_shows_the_challenge_and_explains_it_without_javascript(verification_config, issued):
    # given a client with one miss behind it and a challenge after one miss
    with limited(verification_config, challenge_after_misses=1, challenge_bits=8) as client:
        client.post("/query", data={"number": issued.zhang.number, "name": "李四"})

        # when it submits the form again
        page = client.post("/query", data={"number": issued.zhang.number, "id_number": ZHANG_ID})

    # then the page carries the challenge for its inline script, and says what to do without JavaScript
    assert page.status_code == 428
    assert 'data-challenge="v1.' in page.text and 'name="solution"' in page.text
    assert "<noscript>" in page.text and "浏览器验证需要启用 JavaScript" in page.text
    script_hash = page.headers["content-security-policy"].split("script-src '")[1].split("'")[0]
    assert script_hash.startswith("sha256-")


def test_qr_code_pages_are_limited_per_address(verification_config, issued):
    # given 2 views a minute per address
    with limited(verification_config, view_per_minute=2) as client:
        # when one address opens three QR-code pages
        statuses = [client.get(f"/v/{issued.zhang.qr_token}").status_code for _ in range(3)]
        refused = client.get(f"/api/v1/public/verify/{issued.zhang.qr_token}")

    # then the third is refused, with Retry-After, on the page and the API alike
    assert statuses == [200, 200, 429]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


def test_when_the_counters_cannot_be_written_the_query_is_refused(verification_config, issued, monkeypatch):
    # given another process holding the counters' write lock (SQLite installations keep them in a file)
    if verification_config.counters_path is None:
        pytest.skip("PostgreSQL counters wait on row locks, not on a file lock")
    import sqlite3

    from skillcert.verification import store

    monkeypatch.setattr(store, "LOCK_WAIT", 0.05)
    with limited(verification_config, ip_per_minute=10) as client:
        client.get("/query")  # the app creates the counters file on its first count
        client.post(API, data={"number": issued.zhang.number, "name": "张伟"})
        holder = sqlite3.connect(verification_config.counters_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            # when a query comes
            refused = client.post(API, data={"number": issued.zhang.number, "name": "张伟"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()

    # then it is refused with 503 and Retry-After rather than answered uncounted (fail closed)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["detail"] == "查询服务繁忙，请稍后再试。"
