"""The enumeration detectors (watch.py, security.md P5) over synthetic event streams.

Each detector is shown raising an alert, staying quiet on normal employer traffic, and its boundary: the
threshold exactly (no alert) against one more (alert). Hashes are stand-ins: the detectors only compare.
"""

import dataclasses

from skillcert.verification.events import QueryEvent
from skillcert.verification.watch import AlertKind, Thresholds, detect

T = 1_795_833_600  # 2026-11-28 08:00 in Shanghai
HOUR = 3600
DEFAULTS = Thresholds()  # 30 per client, 100 per network, 50% of at least 200, 10 in a run, 10 networks


def event(
    at: int = T,
    *,
    client: str = "client-1",
    network: str | None = None,
    stem: str = "stem-a",
    serial: int | None = 1,
    hit: bool = True,
    query: str = "number_name",
) -> QueryEvent:
    return QueryEvent(
        at=at,
        client=client,
        network=network if network is not None else f"net-of-{client}",
        query=query,
        hit=hit,
        number=stem,
        serial=serial,
    )


def kinds(alerts) -> list[AlertKind]:
    return [alert.kind for alert in alerts]


def only(thresholds: Thresholds = DEFAULTS, **changes: int) -> Thresholds:
    return dataclasses.replace(thresholds, **changes)


# ---- sequential serials ---------------------------------------------------------------------------------


def test_given_ten_consecutive_serials_under_one_stem_then_a_sequential_alert():
    # given one client walking serials 101 to 110 (misses: it guesses the names)
    events = [event(T + i, serial=101 + i, hit=False) for i in range(10)]

    # when
    alerts = detect(events, thresholds=DEFAULTS)

    # then
    assert kinds(alerts) == [AlertKind.SEQUENTIAL]
    (alert,) = alerts
    assert (alert.subject, alert.count, alert.window_start, alert.window_end) == ("stem-a", 10, T, T + 9)
    assert "连续的 10 个证书序列号（101–110）" in alert.description


def test_given_nine_consecutive_serials_then_no_alert():
    # given one short of the threshold, in shuffled order, one serial asked twice
    serials = [105, 101, 109, 102, 108, 103, 107, 104, 106, 105]
    events = [event(T + i, serial=serial) for i, serial in enumerate(serials)]

    # then
    assert detect(events, thresholds=DEFAULTS) == []


def test_serials_with_gaps_or_under_different_stems_are_no_run():
    # given every other serial under one stem, and 5 + 5 consecutive serials under two stems
    every_other = [event(T + i, serial=200 + 2 * i) for i in range(20)]
    split = [event(T + i, stem="stem-b", serial=300 + i) for i in range(5)]
    split += [event(T + i, stem="stem-c", serial=305 + i) for i in range(5)]

    # then
    assert detect(every_other + split, thresholds=DEFAULTS) == []


def test_the_longest_run_of_a_stem_is_reported():
    # given runs of 10 and 12 under the same stem
    events = [event(T + i, serial=1 + i) for i in range(10)]
    events += [event(T + 100 + i, serial=500 + i) for i in range(12)]

    # when
    (alert,) = detect(events, thresholds=DEFAULTS)

    # then
    assert (alert.count, alert.window_start, alert.window_end) == (12, T + 100, T + 111)
    assert "（500–511）" in alert.description


def test_given_a_slow_scrape_from_a_rotating_pool_then_only_the_sequential_detector_catches_it():
    # given one query every six minutes for an hour, each from another address in another network,
    # walking serials 7001 to 7010 with made-up names (all misses), amid ordinary traffic
    scrape = [
        event(T + 360 * i, client=f"pool-{i}", network=f"pool-net-{i}", serial=7001 + i, hit=False)
        for i in range(10)
    ]
    ordinary = [
        event(T + 7 * i, client=f"employer-{i}", stem=f"stem-{i % 40}", serial=37 * i + 1) for i in range(300)
    ]

    # when
    alerts = detect(scrape + ordinary, thresholds=DEFAULTS)

    # then no client, network, miss-ratio or per-number alert, but the run of serials is found
    assert kinds(alerts) == [AlertKind.SEQUENTIAL]
    (alert,) = alerts
    assert (alert.subject, alert.count) == ("stem-a", 10)
    assert (alert.window_start, alert.window_end) == (T, T + 360 * 9)
    assert "来自 10 个网段" in alert.description


def test_a_slow_scrape_one_serial_short_is_not_caught():
    # given the same rotating pool, nine serials in the window
    scrape = [event(T + 360 * i, client=f"pool-{i}", serial=7001 + i, hit=False) for i in range(9)]

    # then
    assert detect(scrape, thresholds=DEFAULTS) == []


# ---- normal employer traffic --------------------------------------------------------------------------


def test_an_hr_office_checking_twenty_unrelated_certificates_raises_nothing():
    # given one office address checking 20 certificates of different bodies and years, two of them twice,
    # with one typing mistake
    events = [
        event(T + 60 * i, client="hr-office", stem=f"stem-{i}", serial=1000 + 97 * i, hit=i != 7)
        for i in range(20)
    ]
    events += [event(T + 2000, client="hr-office", stem="stem-3", serial=1000 + 97 * 3)] * 2

    # then
    assert detect(events, thresholds=DEFAULTS) == []


def test_many_employers_each_checking_one_certificate_raise_nothing():
    # given 500 employers in 500 networks, each checking one certificate of a few large bodies, 1 in 20
    # mistyped, some by QR code; and the holder of one certificate applying to 8 employers
    events = [
        event(
            T + 7 * i,
            client=f"employer-{i}",
            stem=f"stem-{i % 5}",
            serial=3 * i + 1,
            hit=i % 20 != 0,
            query="token" if i % 3 == 0 else "number_name",
        )
        for i in range(500)
    ]
    events += [event(T + 9 * i, client=f"employer-{i}", stem="stem-job", serial=42) for i in range(8)]

    # then
    assert detect(events, thresholds=DEFAULTS) == []


# ---- distinct numbers per client and per network ---------------------------------------------------------


def test_a_client_querying_more_than_n_distinct_numbers_is_alerted_at_n_plus_one():
    # given thresholds with the other detectors off
    thresholds = Thresholds(numbers_per_client=30, numbers_per_network=0, sequential=0, miss_percent=0)
    thirty = [event(T + i, client="c", stem=f"stem-{i}", serial=i * 5) for i in range(30)]
    thirty_one = [*thirty, event(T + 99, client="c", stem="stem-x", serial=None)]

    # when / then: 30 distinct numbers is the threshold itself
    assert detect(thirty, thresholds=thresholds) == []
    (alert,) = detect(thirty_one, thresholds=thresholds)
    assert (alert.kind, alert.subject, alert.count) == (AlertKind.CLIENT_NUMBERS, "c", 31)
    assert (alert.window_start, alert.window_end) == (T, T + 99)
    assert alert.description == "同一客户端地址查询了 31 个不同的证书编号（阈值：超过 30 个）。"


def test_one_number_asked_many_times_by_one_client_counts_once():
    # given a client asking about one certificate 200 times (a reload loop), and queries without a number
    events = [event(T + i, client="c", serial=5) for i in range(200)]
    events += [event(T + i, client="c", stem="", serial=None, query="name_id", hit=False) for i in range(50)]

    # then
    assert kinds(detect(events, thresholds=DEFAULTS)) == []


def test_a_network_querying_more_than_n_distinct_numbers_is_alerted_at_n_plus_one():
    # given each number asked by another address of the same /24
    thresholds = Thresholds(numbers_per_client=30, numbers_per_network=100, sequential=0, miss_percent=0)
    hundred = [event(T + i, client=f"c{i}", network="office-net", stem=f"s{i}", serial=i) for i in range(100)]
    hundred_one = [*hundred, event(T + 500, client="c0", network="office-net", stem="s-new", serial=1)]

    # when / then
    assert detect(hundred, thresholds=thresholds) == []
    (alert,) = detect(hundred_one, thresholds=thresholds)
    assert (alert.kind, alert.subject, alert.count) == (AlertKind.NETWORK_NUMBERS, "office-net", 101)
    assert (alert.window_start, alert.window_end) == (T, T + 500)


# ---- miss ratio -----------------------------------------------------------------------------------------


def test_the_miss_ratio_alerts_only_above_y_percent():
    # given 200 queries (the minimum), half of them misses; the other detectors off
    thresholds = Thresholds(numbers_per_client=0, numbers_per_network=0, sequential=0, networks_per_number=0)
    half = [event(T + i, client=f"c{i}", serial=i, hit=i % 2 == 0) for i in range(200)]
    one_more = [*half[1:], event(T + 300, client="late", serial=9999, hit=False)]  # a hit becomes a miss

    # when / then: exactly 50% is not above 50%
    assert detect(half, thresholds=thresholds) == []
    (alert,) = detect(one_more, thresholds=thresholds)
    assert (alert.kind, alert.subject, alert.count) == (AlertKind.MISS_RATIO, "", 101)
    assert (alert.window_start, alert.window_end) == (T + 1, T + 300)
    assert alert.description.startswith("200 次查询中有 101 次未查到证书（50%")


def test_the_miss_ratio_waits_for_m_queries():
    # given queries that all miss
    thresholds = only(miss_minimum=200)
    misses = [
        event(T + i, client=f"c{i}", stem="", serial=None, hit=False, query="name_id") for i in range(200)
    ]

    # when / then: 199 are too few to judge, 200 are enough
    assert detect(misses[:199], thresholds=thresholds) == []
    assert kinds(detect(misses, thresholds=thresholds)) == [AlertKind.MISS_RATIO]


# ---- one number from many networks -------------------------------------------------------------------------


def test_one_number_from_more_than_z_networks_is_alerted_at_z_plus_one():
    # given the same certificate looked up from distinct networks, twice from each
    ten = [event(T + i, client=f"c{i % 10}", serial=777) for i in range(20)]
    eleven = [*ten, event(T + 60, client="c10", serial=777)]

    # when / then
    assert detect(ten, thresholds=DEFAULTS) == []
    (alert,) = detect(eleven, thresholds=DEFAULTS)
    assert (alert.kind, alert.subject, alert.count) == (AlertKind.NUMBER_NETWORKS, "stem-a:777", 11)
    assert (alert.window_start, alert.window_end) == (T, T + 60)


def test_one_number_from_one_network_many_times_is_no_alert():
    events = [event(T + i, client=f"c{i}", network="one-net", serial=777) for i in range(50)]

    assert detect(events, thresholds=DEFAULTS) == []


# ---- thresholds and output --------------------------------------------------------------------------------


def test_a_threshold_of_zero_switches_its_detector_off():
    # given a stream that trips every detector
    events = [
        event(T + i, client="c", network=f"n{i % 7}", stem="s", serial=1 + i % 40, hit=False)
        for i in range(400)
    ]
    small = Thresholds(
        numbers_per_client=5,
        numbers_per_network=5,
        miss_percent=10,
        miss_minimum=10,
        sequential=5,
        networks_per_number=5,
    )
    off = Thresholds(
        numbers_per_client=0,
        numbers_per_network=0,
        miss_percent=0,
        miss_minimum=0,
        sequential=0,
        networks_per_number=0,
    )

    # when / then: all five kinds (7 networks, 40 numbers), then none, in a fixed order
    assert kinds(detect(events, thresholds=small)) == [
        AlertKind.CLIENT_NUMBERS,
        *[AlertKind.NETWORK_NUMBERS] * 7,
        AlertKind.MISS_RATIO,
        AlertKind.SEQUENTIAL,
        *[AlertKind.NUMBER_NETWORKS] * 40,
    ]
    assert detect(events, thresholds=off) == []


def test_detect_reads_its_events_once():
    # given a one-shot iterator (the log reader is a generator)
    stream = iter([event(T + i, serial=1 + i) for i in range(10)])

    # then
    assert kinds(detect(stream, thresholds=DEFAULTS)) == [AlertKind.SEQUENTIAL]
