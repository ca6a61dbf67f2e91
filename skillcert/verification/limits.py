"""Rate limits, the miss count and the global circuit breaker of the public query (security.md P2), as
fixed-window counters.

Counters are shared by every worker of a deployment (the machine's shared memory, counters.py, or the
PostgreSQL table across machines), never one worker's alone: with N workers an in-process limit would
allow N times the limit, and the kernel spreads one client's connections over them. One call adds to every
counter a request touches and returns the new counts.

A counter's key is (the second its window ends, a 64-bit tag). The tag is a keyed hash (BLAKE2b,
clients.py) of the value (address, network, number, ...) combined with the rule's own: each value is
hashed once per request however many rules count it, and the counters hold no name, ID index or address
in clear.
"""

from dataclasses import dataclass
from typing import NamedTuple

from skillcert.verification.clients import Client, KeyedHash
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


class Limiter:
    """Decides whether a request may go on, from counters shared by all workers."""

    def __init__(self, *, counters: Counters, limits: Limits, keyed_hash: KeyedHash) -> None:
        self._counters = counters
        self._hash = keyed_hash
        rule = self._rule
        # The rules that are on (a limit of 0 switches one off), as the (window, tag, limit) triples the
        # hot path reads: a query counts against every one of them.
        self._address_rules = _on(
            rule("ip", MINUTE, limits.ip_per_minute), rule("ip", DAY, limits.ip_per_day)
        )
        self._network_rules = _on(rule("net", MINUTE, limits.network_per_minute))
        self._identifier_rules = {
            scope: _on(rule(scope, window, limit))
            for scope, window, limit in (
                ("number", DAY, limits.number_per_day),
                ("id", DAY, limits.id_number_per_day),
                ("name", HOUR, limits.name_per_hour),
            )
        }
        self._view_rules = _on(rule("view", MINUTE, limits.view_per_minute))
        self._miss_rule = rule("miss", limits.miss_window, 0) if limits.challenge_after_misses > 0 else None
        self._global_rule = rule("global", MINUTE, limits.global_per_minute)
        self._breaker_on = limits.global_per_minute > 0

    def _rule(self, scope: str, window: int, limit: int) -> Rule:
        return Rule(scope, window, limit, tag=self._hash("rule", f"{scope}:{window}"))

    async def check_query(
        self, *, client: Client, identifiers: dict[str, str], missed: bool, now: float
    ) -> Verdict:
        """Count a query from ``client`` for ``identifiers`` (scope → value) and its answer, and judge it.

        The lookup is made whatever the counts will say (a refused query costs what an answered one does,
        so refusals tell nothing either), and a found answer adds 0 to the miss counter, so that hits and
        misses do the same work.
        """
        seconds = int(now)
        counting = Counting(seconds)
        address, network = client
        counting.add(self._address_rules, address)
        counting.add(self._network_rules, network)
        for scope, value in identifiers.items():
            rules = self._identifier_rules[scope]
            if rules:
                counting.add(rules, self._hash(scope, value))
        if self._miss_rule is not None:
            counting.miss_key = _key(self._miss_rule, address, seconds)
            counting.increments.append((counting.miss_key, 1 if missed else 0))
        return await self._judge(counting, missed=missed)

    async def check_view(self, *, client: Client, now: float) -> Verdict:
        """Count a QR-code page view from ``client`` and judge it."""
        counting = Counting(int(now))
        counting.add(self._view_rules, client[0])
        return await self._judge(counting, missed=False, breaker=False)

    async def spend(self, *, token: str, expires: int, now: float) -> bool:
        """Mark a solved challenge used; False when it had been used before."""
        key = (expires, self._hash("challenge", token) or 1)
        counts = await self._counters.count([(key, 1)], now=now, exact=True)
        return counts[key] == 1

    async def _judge(self, counting: "Counting", *, missed: bool, breaker: bool = True) -> Verdict:
        """Add the request to its counters (and to the global one) and say what the new counts mean."""
        global_key = None
        if breaker and self._breaker_on:
            global_key = _key(self._global_rule, 0, counting.seconds)
            counting.increments.append((global_key, 1))
        increments = counting.increments
        if not increments:  # every rule switched off
            return Verdict(retry_after=None, misses=0)
        counts = await self._counters.count(increments, now=counting.seconds)
        # The rules' counters come first in increments, in the order of their limits.
        exceeded = [
            key[0]
            for (key, _), limit in zip(increments, counting.limits, strict=False)
            if counts[key] > limit
        ]
        miss_key = counting.miss_key
        return Verdict(  # by position: keywords cost a NamedTuple half as much again
            max(1, max(exceeded) - counting.seconds) if exceeded else None,  # retry_after
            counts[miss_key] - missed if miss_key is not None else 0,  # misses
            global_key is not None and counts[global_key] > self._global_rule.limit,  # abnormal
        )


def _on(*rules: Rule) -> tuple[tuple[int, int, int], ...]:
    """The rules that are on, as (window, tag, limit)."""
    return tuple((rule.window, rule.tag, rule.limit) for rule in rules if rule.limit > 0)


def _key(rule: Rule, value_hash: int, seconds: int) -> CounterKey:
    """The counter of ``rule`` for ``value_hash`` in the window holding ``seconds``: windows differ by their
    end, rules by their tag."""
    return (seconds // rule.window + 1) * rule.window, (value_hash ^ rule.tag) or 1


class Counting:
    """The counters one request adds to: its rules' first, with their limits in the same order, then the
    miss counter and the global one, which no limit refuses."""

    __slots__ = ("increments", "limits", "miss_key", "seconds")

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.increments: list[tuple[CounterKey, int]] = []
        self.limits: list[int] = []
        self.miss_key: CounterKey | None = None

    def add(self, rules: tuple[tuple[int, int, int], ...], value_hash: int) -> None:
        """Count once against each of ``rules`` for the value hashed to ``value_hash`` (_key, inlined:
        this runs for every rule of every request)."""
        seconds = self.seconds
        for window, tag, limit in rules:
            self.increments.append((((seconds // window + 1) * window, (value_hash ^ tag) or 1), 1))
            self.limits.append(limit)
