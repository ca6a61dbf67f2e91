"""Enumeration detectors over the public query's events (security.md P5). Pure: no Django, no I/O.

Four patterns, each against a threshold of ``Thresholds`` (a threshold of 0 switches its detector off):

1. one client address queries more than N distinct certificate numbers; likewise one network (/24 or
   /64), with a threshold of its own;
2. more than Y% of all queries find nothing, once at least M queries were seen;
3. a run of at least S consecutive serials under one stem was queried, by anyone: a slow scrape from a
   rotating pool of addresses stays under every per-client and per-network count, but not under this;
4. one certificate number is looked up from more than Z distinct networks.

Distinct numbers are told apart by their hashed stem and serial (``QueryEvent.number_key``); misses count
too, since a scrape probes numbers that may not exist. An alert's window is the span of the events that
make it up (first to last), not the window examined: looking again at the same events gives the same
alert, which is what lets the watch run merge repeated sightings of one incident (services.py).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from skillcert.verification.events import QueryEvent


class AlertKind(StrEnum):
    CLIENT_NUMBERS = "client_numbers"
    NETWORK_NUMBERS = "network_numbers"
    MISS_RATIO = "miss_ratio"
    SEQUENTIAL = "sequential"
    NUMBER_NETWORKS = "number_networks"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Alert thresholds within the examined window (settings ``SKILLCERT_VERIFICATION_WATCH_*``)."""

    numbers_per_client: int = 30  # alert above this many distinct numbers from one address
    numbers_per_network: int = 100  # ... from one /24 or /64
    miss_percent: int = 50  # alert above this share of queries finding nothing ...
    miss_minimum: int = 200  # ... once at least this many queries were seen
    sequential: int = 10  # alert at a run of this many consecutive serials under one stem
    networks_per_number: int = 10  # alert above this many networks asking for one number


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    subject: str  # the hash of the client, network, stem or number; "" for the overall miss ratio
    count: int  # distinct numbers, misses, serials in the run, or networks
    window_start: int  # Unix seconds: the first event that makes up the alert
    window_end: int  # ... and the last
    description: str  # short, Chinese, for the authority's alert page


def _longest_run(serials: set[int]) -> tuple[int, int]:
    """(first serial, length) of the longest run of consecutive serials; the lowest run on a tie."""
    best_first, best_length = 0, 0
    run_first = previous = None
    for serial in sorted(serials):
        if previous is None or serial != previous + 1:
            run_first = serial
        previous = serial
        assert run_first is not None
        if serial - run_first + 1 > best_length:
            best_first, best_length = run_first, serial - run_first + 1
    return best_first, best_length


class _Span:
    """When the events of one alert were first and last seen, and from which networks."""

    __slots__ = ("first", "last", "networks")

    def __init__(self) -> None:
        self.first: int | None = None
        self.last = 0
        self.networks: set[str] = set()

    def add(self, event: QueryEvent) -> None:
        if self.first is None or event.at < self.first:
            self.first = event.at
        self.last = max(self.last, event.at)
        self.networks.add(event.network)


def detect(events: Iterable[QueryEvent], *, thresholds: Thresholds) -> list[Alert]:
    """The alerts raised by ``events`` (those of one window), ordered by kind and subject.

    Two passes: the first counts distinct members per subject, the second, only when something crossed a
    threshold, finds when the alerting subjects were first and last seen.
    """
    events = events if isinstance(events, list | tuple) else list(events)
    limits = thresholds
    by_client: defaultdict[str, set[str]] = defaultdict(set)  # address hash -> number keys
    by_network: defaultdict[str, set[str]] = defaultdict(set)  # network hash -> number keys
    by_number: defaultdict[str, set[str]] = defaultdict(set)  # number key -> network hashes
    by_stem: defaultdict[str, set[int]] = defaultdict(set)  # stem hash -> serials
    misses = 0
    for event in events:
        if not event.hit:
            misses += 1
        number = event.number
        if not number:
            continue
        serial = event.serial
        key = number if serial is None else f"{number}:{serial}"  # QueryEvent.number_key, inlined
        by_client[event.client].add(key)
        by_network[event.network].add(key)
        by_number[key].add(event.network)
        if serial is not None:
            by_stem[number].add(serial)

    def above(counted: dict[str, set[str]], limit: int) -> dict[str, int]:
        return {subject: len(members) for subject, members in counted.items() if len(members) > limit > 0}

    hot_clients = above(by_client, limits.numbers_per_client)
    hot_networks = above(by_network, limits.numbers_per_network)
    hot_numbers = above(by_number, limits.networks_per_number)
    runs: dict[str, tuple[int, int]] = {}  # stem -> (first serial, last serial)
    if limits.sequential > 0:
        for stem, serials in by_stem.items():
            if len(serials) >= limits.sequential:
                first, length = _longest_run(serials)
                if length >= limits.sequential:
                    runs[stem] = (first, first + length - 1)
    total = len(events)
    miss_alert = (
        limits.miss_percent > 0
        and total > 0
        and total >= limits.miss_minimum
        and misses * 100 > limits.miss_percent * total
    )

    spans: defaultdict[tuple[AlertKind, str], _Span] = defaultdict(_Span)
    if hot_clients or hot_networks or hot_numbers or runs or miss_alert:
        for event in events:
            if miss_alert:
                spans[AlertKind.MISS_RATIO, ""].add(event)
            if not event.number:
                continue
            if event.client in hot_clients:
                spans[AlertKind.CLIENT_NUMBERS, event.client].add(event)
            if event.network in hot_networks:
                spans[AlertKind.NETWORK_NUMBERS, event.network].add(event)
            if event.number_key in hot_numbers:
                spans[AlertKind.NUMBER_NETWORKS, event.number_key].add(event)
            run = runs.get(event.number)
            if run is not None and event.serial is not None and run[0] <= event.serial <= run[1]:
                spans[AlertKind.SEQUENTIAL, event.number].add(event)

    def alert(kind: AlertKind, subject: str, count: int, description: str) -> Alert:
        span = spans[kind, subject]
        assert span.first is not None
        return Alert(kind, subject, count, span.first, span.last, description)

    alerts = [
        alert(
            AlertKind.CLIENT_NUMBERS,
            subject,
            count,
            f"同一客户端地址查询了 {count} 个不同的证书编号（阈值：超过 {limits.numbers_per_client} 个）。",
        )
        for subject, count in hot_clients.items()
    ]
    alerts += [
        alert(
            AlertKind.NETWORK_NUMBERS,
            subject,
            count,
            f"同一网段（IPv4 /24 或 IPv6 /64）查询了 {count} 个不同的证书编号"
            f"（阈值：超过 {limits.numbers_per_network} 个）。",
        )
        for subject, count in hot_networks.items()
    ]
    if miss_alert:
        alerts.append(
            alert(
                AlertKind.MISS_RATIO,
                "",
                misses,
                f"{total} 次查询中有 {misses} 次未查到证书（{misses * 100 // total}%，"
                f"阈值：查询不少于 {limits.miss_minimum} 次时超过 {limits.miss_percent}%）。",
            )
        )
    for stem, (first, last) in runs.items():
        networks = len(spans[AlertKind.SEQUENTIAL, stem].networks)
        alerts.append(
            alert(
                AlertKind.SEQUENTIAL,
                stem,
                last - first + 1,
                f"同一编号前缀下连续的 {last - first + 1} 个证书序列号（{first}–{last}）被查询，"
                f"来自 {networks} 个网段（阈值：连续 {limits.sequential} 个）。",
            )
        )
    alerts += [
        alert(
            AlertKind.NUMBER_NETWORKS,
            subject,
            count,
            f"同一证书编号被 {count} 个不同网段查询（阈值：超过 {limits.networks_per_number} 个）。",
        )
        for subject, count in hot_numbers.items()
    ]
    order = list(AlertKind)
    return sorted(alerts, key=lambda alert: (order.index(alert.kind), alert.subject))
