"""Rate limits, the miss count and the global circuit breaker of the public query (security.md P2), as
fixed-window counters.

Counters are shared by every worker of a deployment (the machine's shared memory, counters.py, or the
PostgreSQL table across machines), never one worker's alone: with N workers an in-process limit would
allow N times the limit, and the kernel spreads one client's connections over them. One call adds to every
counter a request touches and returns the new counts.

A counter's key is (the second its window ends, a 64-bit tag). The tag is a keyed hash (BLAKE2b) of the
value (address, network, number, ...) combined with the rule's own: each value is hashed once per request
however many rules count it, and the counters hold no name, ID index or address in clear.
"""

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from skillcert.verification.config import Limits
from skillcert.verification.store import Counters

MINUTE, HOUR, DAY = 60, 3600, 86400
CounterKey = tuple[int, int]  # (second the window ends, tag)


@dataclass(frozen=True, slots=True)
class Rule:
    scope: str
    window: int  # seconds
    limit: int
    tag: int = 0  # mixed into the tags of this rule's counters, so that rules never share one


class Verdict(NamedTuple):  # a tuple, not a frozen dataclass: one is made for every request
    retry_after: int | None  # seconds until the tightest exceeded window ends; None when allowed
    misses: int  # empty answers to this client within the miss window, before this request
    abnormal: bool = False  # the global circuit breaker is open: every query needs a proof of work


def network_of(address: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) network of an address; the address itself when it is not one."""
    head, dot, last = address.rpartition(".")
    if dot and ":" not in address and last.isdigit():  # IPv4, the usual case, without ipaddress's cost
        return f"{head}.0/24"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class Limiter:
    """Decides whether a request may go on, from counters shared by all workers."""

    def __init__(self, *, counters: Counters, limits: Limits, secret: bytes) -> None:
        self._counters = counters
        self._limits = limits
        self._hasher = hashlib.blake2b(key=secret, digest_size=8)
        rule = self._rule
        self.address_rules = tuple(
            r
            for r in (rule("ip", MINUTE, limits.ip_per_minute), rule("ip", DAY, limits.ip_per_day))
            if r.limit
        )
        self.network_rule = rule("net", MINUTE, limits.network_per_minute)
        self.identifier_rules = {
            "number": rule("number", DAY, limits.number_per_day),
            "id": rule("id", DAY, limits.id_number_per_day),
            "name": rule("name", HOUR, limits.name_per_hour),
        }
        self.view_rule = rule("view", MINUTE, limits.view_per_minute)
        self.miss_rule = rule("miss", limits.miss_window, 0)
        self.global_rule = rule("global", MINUTE, limits.global_per_minute)

    def _rule(self, scope: str, window: int, limit: int) -> Rule:
        return Rule(scope, window, limit, tag=self._hash("rule", f"{scope}:{window}"))

    def _hash(self, kind: str, value: str) -> int:
        hasher = self._hasher.copy()  # keyed once: copying the keyed state is cheaper than keying again
        hasher.update(f"{kind}\x00{value}".encode())
        return int.from_bytes(hasher.digest(), "big")

    @staticmethod
    def _key(rule: Rule, value_hash: int, seconds: int) -> CounterKey:
        """The counter of ``rule`` for ``value_hash`` in the window holding ``seconds``: windows differ by
        their end, rules by their tag."""
        return (seconds // rule.window + 1) * rule.window, (value_hash ^ rule.tag) or 1

    def counting_for_query(self, *, client: str, identifiers: dict[str, str], now: float) -> "Counting":
        """The counters a query from ``client`` for ``identifiers`` (scope → value) adds to.

        The lookup is made whatever the counts will say (a refused query costs what an answered one does,
        so refusals tell nothing either), and a found answer adds 0 to the miss counter, so that hits and
        misses do the same work.
        """
        client_hash = self._hash("client", client)
        checked = [(rule, client_hash) for rule in self.address_rules]
        if self.network_rule.limit:
            checked.append((self.network_rule, self._hash("net", network_of(client))))
        for scope, value in identifiers.items():
            rule = self.identifier_rules[scope]
            if rule.limit > 0:
                checked.append((rule, self._hash(scope, value)))
        miss = client_hash if self._limits.challenge_after_misses > 0 else None
        return self._counting(checked, now=now, miss=miss, breaker=self.global_rule.limit > 0)

    async def check_query(
        self, *, client: str, identifiers: dict[str, str], missed: bool, now: float
    ) -> Verdict:
        """Count a query and its answer, and judge it."""
        counting = self.counting_for_query(client=client, identifiers=identifiers, now=now)
        if not counting.increments:  # every rule switched off
            return Verdict(retry_after=None, misses=0)
        counts = await self._counters.count(counting.with_miss(missed), now=now)
        return self.verdict(counting, counts, missed=missed)

    async def check_view(self, *, client: str, now: float) -> Verdict:
        """Count a QR-code page view from ``client`` and judge it."""
        checked = [(self.view_rule, self._hash("client", client))] if self.view_rule.limit > 0 else []
        counting = self._counting(checked, now=now, miss=None, breaker=False)
        if not counting.increments:
            return Verdict(retry_after=None, misses=0)
        return self.verdict(counting, await self._counters.count(counting.increments, now=now), missed=False)

    async def spend(self, *, token: str, expires: int, now: float) -> bool:
        """Mark a solved challenge used; False when it had been used before."""
        key = (expires, self._hash("challenge", token) or 1)
        counts = await self._counters.count([(key, 1)], now=now, exact=True)
        return counts[key] == 1

    def _counting(
        self, checked: Sequence[tuple[Rule, int]], *, now: float, miss: int | None, breaker: bool
    ) -> "Counting":
        seconds = int(now)
        increments = [
            (((seconds // rule.window + 1) * rule.window, (value ^ rule.tag) or 1), 1)
            for rule, value in checked
        ]  # self._key, inlined: this runs for every rule of every request
        miss_key = global_key = None
        if miss is not None:
            miss_key = self._key(self.miss_rule, miss, seconds)
            increments.append((miss_key, 0))
        if breaker:
            global_key = self._key(self.global_rule, 0, seconds)
            increments.append((global_key, 1))
        return Counting(
            increments=increments,
            rules=[rule for rule, _ in checked],
            miss_key=miss_key,
            global_key=global_key,
            seconds=seconds,
        )

    def verdict(self, counting: "Counting", counts: dict[CounterKey, int], *, missed: bool) -> Verdict:
        """What the new counts say of the request that made them."""
        exceeded = [  # the checked rules' counters come first in increments, in the same order
            key[0] - counting.seconds
            for (key, _), rule in zip(counting.increments, counting.rules, strict=False)
            if counts[key] > rule.limit
        ]
        return Verdict(
            retry_after=max(1, max(exceeded)) if exceeded else None,
            misses=counts[counting.miss_key] - missed if counting.miss_key is not None else 0,
            abnormal=counting.global_key is not None and counts[counting.global_key] > self.global_rule.limit,
        )


@dataclass(slots=True)
class Counting:
    """The counters one request adds to: its rules' first, in order, then the miss counter (whose amount,
    1 for an empty answer, is known only after the lookup), then the global one."""

    increments: list[tuple[CounterKey, int]]
    rules: list[Rule]
    miss_key: CounterKey | None
    global_key: CounterKey | None
    seconds: int

    def with_miss(self, missed: bool) -> list[tuple[CounterKey, int]]:
        if self.miss_key is None or not missed:
            return self.increments
        return [(key, 1 if key == self.miss_key else amount) for key, amount in self.increments]
