"""Abuse resistance: shared rate limits with 429 and Retry-After, and the proof-of-work challenge."""

import dataclasses
import re

import pytest
from django.db import connection
from starlette.testclient import TestClient

from skillcert.verification.challenge import challenge_solve
from skillcert.verification.configure import config_from_settings
from skillcert.verification.counters import SharedCounters
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
    "global_per_minute": OFF,
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


def test_an_ipv6_client_is_its_64_and_cannot_step_past_the_limit_by_changing_address(
    verification_config, issued
):
    # given 3 queries a minute per address, and a challenge after 2 misses
    config = with_limits(verification_config, ip_per_minute=3, challenge_after_misses=2, challenge_bits=8)
    app = app_for(config)
    miss = {"number": issued.zhang.number, "name": "李四"}

    def query_from(address: str) -> int:
        with TestClient(app, base_url="https://testserver", client=(address, 40000)) as client:
            return client.post(API, data=miss).status_code

    # when one /64 sends each query from another of its addresses, and another /64 queries once
    statuses = [query_from(f"2001:db8:1:2::{index:x}") for index in range(1, 5)]
    elsewhere = query_from("2001:db8:1:3::1")

    # then they count as one client: the third is challenged after two misses, the fourth is over the
    # limit; the next /64 is another client
    assert statuses == [200, 200, 428, 429]
    assert elsewhere == 200


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


@pytest.mark.parametrize(
    "token",
    ["v1.1.a.é", "v1.².a.0123456789abcdef0123456789abcdef", "v1.١٢٣.a.b", "v1.1.a." + "张" * 32],
    ids=["non-ascii-mac", "superscript-digit", "arabic-indic-digits", "chinese-mac"],
)
def test_a_challenge_of_any_characters_is_refused_with_a_new_challenge_not_a_server_error(
    verification_config, issued, token
):
    # given a client that must solve a challenge after one miss
    with limited(verification_config, challenge_after_misses=1, challenge_bits=8) as client:
        client.post(API, data={"number": issued.zhang.number, "name": "李四"})
        hit = {"number": issued.zhang.number, "name": "张伟"}

        # when it presents a forged challenge holding characters no issued challenge has, as JSON and as
        # the query page's form
        answer = client.post(API, json={**hit, "challenge": token, "solution": "1"})
        page = client.post("/query", data={**hit, "challenge": token, "solution": "1"})

    # then it is asked for a fresh challenge, as for any wrong one
    assert answer.status_code == 428 and answer.json()["challenge"] != token
    assert page.status_code == 428


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


def test_a_worker_that_cannot_use_the_shared_counters_still_applies_the_limit_conservatively(
    verification_config, issued
):
    # given counters with room for one worker, another worker counting in them, and 2 workers serving
    config = dataclasses.replace(
        verification_config, counters="memory", counter_segments=1, counter_fallback_weight=2
    )
    other = SharedCounters(path=config.counters_path, segments=1, slots=config.counter_slots)
    other.count([], now=FIXED_NOW)
    try:
        with limited(config, ip_per_minute=4) as client:
            # when one address queries three times through the worker left without a segment
            query = {"number": issued.zhang.number, "name": "张伟"}
            statuses = [client.post(API, data=query).status_code for _ in range(3)]
    finally:
        other.close()

    # then the limit of 4 holds as if both workers had seen each query: the third is refused
    assert statuses == [200, 200, 429]


def test_a_worker_counting_alone_accepts_a_solved_challenge_once(verification_config, issued):
    # given a worker left without a segment (2 workers serving) and a challenge after one miss
    config = dataclasses.replace(
        verification_config, counters="memory", counter_segments=1, counter_fallback_weight=2
    )
    other = SharedCounters(path=config.counters_path, segments=1, slots=config.counter_slots)
    other.count([], now=FIXED_NOW)
    hit = {"number": issued.zhang.number, "name": "张伟"}
    try:
        with limited(config, challenge_after_misses=1, challenge_bits=8) as client:
            client.post(API, data={"number": issued.zhang.number, "name": "李四"})
            token = client.post(API, data=hit).json()["challenge"]
            solved = {**hit, "challenge": token, "solution": challenge_solve(token=token, bits=8)}

            # when the solution is sent twice
            answers = [client.post(API, data=solved).status_code for _ in range(2)]
    finally:
        other.close()

    # then it is accepted the first time only: spending a challenge is not weighted like a limit
    assert answers == [200, 428]


def test_past_the_global_limit_every_query_needs_a_proof_of_work(verification_config, issued):
    # given a circuit breaker at 5 queries a minute in all
    config = with_limits(verification_config, global_per_minute=5, challenge_bits=8)
    app = app_for(config)
    hit = {"number": issued.zhang.number, "name": "张伟"}

    # when 6 different addresses query once each, all of them hits
    statuses = []
    for index in range(6):
        with TestClient(app, base_url="https://testserver", client=(f"203.0.{index}.9", 1)) as client:
            answer = client.post(API, data=hit)
            statuses.append(answer.status_code)

    # then the sixth must solve a challenge first, and is answered once it has
    assert statuses == [200] * 5 + [428]
    with TestClient(app, base_url="https://testserver", client=("203.0.5.9", 1)) as client:
        token = client.post(API, data=hit).json()["challenge"]
        solved = client.post(
            API, data={**hit, "challenge": token, "solution": challenge_solve(token=token, bits=8)}
        )
    assert solved.status_code == 200
    assert [c["number"] for c in solved.json()["certificates"]] == [issued.zhang.number]


def test_counters_in_the_database_are_shared_by_workers(verification_config, issued):
    # given PostgreSQL counters (installations where several machines serve the public query)
    if verification_config.postgres_url is None:
        pytest.skip("counters in the database are a PostgreSQL installation's choice")
    config = dataclasses.replace(with_limits(verification_config, ip_per_minute=3), counters="database")
    query = {"number": issued.zhang.number, "name": "张伟"}

    # when one address sends two queries to each of two workers
    with (
        TestClient(app_for(config), base_url="https://testserver") as first,
        TestClient(app_for(config), base_url="https://testserver") as second,
    ):
        statuses = [c.post(API, data=query).status_code for c in (first, second, first, second)]

    # then the fourth is refused
    assert statuses == [200, 200, 200, 429]


def test_on_postgresql_misses_are_counted_in_the_database(verification_config, issued, caplog):
    # given PostgreSQL with its counters in the database and a challenge after 2 misses
    if verification_config.postgres_url is None:
        pytest.skip("counters in the database are a PostgreSQL installation's choice")
    config = dataclasses.replace(
        with_limits(verification_config, ip_per_minute=10, challenge_after_misses=2), counters="database"
    )
    miss = {"number": issued.zhang.number, "name": "李四"}

    # when one address misses twice, then asks again
    with TestClient(app_for(config), base_url="https://testserver") as client:
        statuses = [client.post(API, data=miss).status_code for _ in range(3)]

    # then the misses were counted in the database (no fallback was needed) ...
    assert statuses == [200, 200, 428]
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    # ... into the database's counters: every counter these three queries share holds 3, misses included
    with connection.cursor() as cursor:
        cursor.execute("SELECT count FROM verification_counter")
        counts = [row[0] for row in cursor.fetchall()]
    assert len(counts) == 7 and set(counts) == {3}  # address ×2, network, number, name, miss, global


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("ip_per_minute", -1, "SKILLCERT_VERIFICATION_IP_PER_MINUTE 无效：-1（0 表示关闭该规则）"),
        ("network_per_minute", -60, "SKILLCERT_VERIFICATION_NETWORK_PER_MINUTE 无效：-60"),
        ("global_per_minute", -1, "SKILLCERT_VERIFICATION_GLOBAL_PER_MINUTE 无效：-1"),
        ("miss_window", 0, "SKILLCERT_VERIFICATION_MISS_WINDOW 无效：0（至少为 1）"),
        ("challenge_bits", 0, "SKILLCERT_VERIFICATION_CHALLENGE_BITS 无效：0（至少为 1）"),
        ("challenge_bits", 33, "SKILLCERT_VERIFICATION_CHALLENGE_BITS 无效：33（最多 32 位"),
    ],
)
def test_a_limit_set_out_of_range_stops_the_app_at_start_naming_the_setting(
    settings, setting, value, message
):
    # given an operator's setting out of range (a negative limit switches nothing off: 0 does)
    setattr(settings, f"SKILLCERT_VERIFICATION_{setting.upper()}", value)

    # when the verification app's configuration is read, as the server does at start
    with pytest.raises(ValueError, match=re.escape(message)):
        config_from_settings()


def test_zero_switches_a_limit_off_and_is_accepted(verification_config, issued):
    # given the per-address limit switched off with 0, the others roomy
    with limited(verification_config, ip_per_minute=0) as client:
        # when one address queries more often than the default limit allows
        statuses = {
            client.post(API, data={"number": issued.zhang.number, "name": "张伟"}).status_code
            for _ in range(12)
        }

    # then every query is answered
    assert statuses == {200}
