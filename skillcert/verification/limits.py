"""Rate limits and the miss count of the public query (security.md P2), as fixed-window counters.

Counters live in the store shared by every worker of a deployment (the SQLite side file on one machine,
the PostgreSQL table across machines), never in a worker's memory: with N workers an in-process limit
would allow N times the limit, and the kernel spreads one client's connections over them. One statement
adds to every counter a request touches and returns the new counts.

Counter keys are keyed hashes (BLAKE2b) of (rule, value, window): the counter table holds no name, ID index or
address in clear.
"""

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from skillcert.verification.config import Limits
from skillcert.verification.store import Store

MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass(frozen=True, slots=True)
class Rule:
    scope: str
    window: int  # seconds
    limit: int


@dataclass(frozen=True, slots=True)
class Verdict:
    retry_after: int | None  # seconds until the tightest exceeded window ends; None when allowed
    misses: int  # empty answers to this client within the miss window, before this request


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

    def __init__(self, *, store: Store, limits: Limits, secret: bytes) -> None:
        self._store = store
        self._limits = limits
        self._secret = secret
        self.query_rules = tuple(
            rule
            for rule in (
                Rule("ip", MINUTE, limits.ip_per_minute),
                Rule("ip", DAY, limits.ip_per_day),
                Rule("net", MINUTE, limits.network_per_minute),
            )
            if rule.limit > 0
        )
        self.identifier_rules = {
            "number": Rule("number", DAY, limits.number_per_day),
            "id": Rule("id", DAY, limits.id_number_per_day),
            "name": Rule("name", HOUR, limits.name_per_hour),
        }
        self.view_rule = Rule("view", MINUTE, limits.view_per_minute)
        self.miss_rule = Rule("miss", limits.miss_window, 0)

    def _key(self, rule: Rule, value: str, window_index: int) -> bytes:
        # Window end first (big-endian), so that expired counters form one key range (store.py).
        end = (window_index + 1) * rule.window
        message = f"{rule.scope}:{rule.window}\x00{value}\x00{window_index}".encode()
        return end.to_bytes(4, "big") + hashlib.blake2b(message, key=self._secret, digest_size=12).digest()

    async def check_query(
        self, *, client: str, identifiers: dict[str, str], missed: bool, now: float
    ) -> Verdict:
        """Count a query from ``client`` for ``identifiers`` (scope → value), and its answer if empty.

        One statement: the lookup has already been made (a refused query costs what an answered one
        does, so refusals tell nothing either), and a found answer adds 0 to the miss counter, so that
        hits and misses do the same work.
        """
        checked = [(rule, client) for rule in self.query_rules if rule.scope == "ip"]
        checked += [(rule, network_of(client)) for rule in self.query_rules if rule.scope == "net"]
        for scope, value in identifiers.items():
            rule = self.identifier_rules[scope]
            if rule.limit > 0:
                checked.append((rule, value))
        miss = (client, 1 if missed else 0) if self._limits.challenge_after_misses > 0 else None
        return await self._judge(checked, now=now, miss=miss)

    async def check_view(self, *, client: str, now: float) -> Verdict:
        """Count a QR-code page view from ``client`` and judge it."""
        checked = [(self.view_rule, client)] if self.view_rule.limit > 0 else []
        return await self._judge(checked, now=now, miss=None)

    async def spend(self, *, token: str, expires: int, now: float) -> bool:
        """Mark a solved challenge used; False when it had been used before."""
        digest = hashlib.blake2b(b"challenge\x00" + token.encode(), key=self._secret, digest_size=12).digest()
        key = expires.to_bytes(4, "big") + digest
        counts = await self._store.count([(key, 1)], now=now)
        return counts[key] == 1

    async def _judge(
        self, checked: Sequence[tuple[Rule, str]], *, now: float, miss: tuple[str, int] | None
    ) -> Verdict:
        seconds = int(now)
        increments: list[tuple[bytes, int]] = []
        plan: list[tuple[bytes, Rule, int]] = []
        for rule, value in checked:
            window_index = seconds // rule.window
            key = self._key(rule, value, window_index)
            increments.append((key, 1))
            plan.append((key, rule, (window_index + 1) * rule.window))
        miss_key = None
        if miss is not None:
            miss_key = self._key(self.miss_rule, miss[0], seconds // self.miss_rule.window)
            increments.append((miss_key, miss[1]))
        if not increments:  # every rule switched off
            return Verdict(retry_after=None, misses=0)
        counts = await self._store.count(increments, now=now)
        exceeded = [end - seconds for key, rule, end in plan if counts[key] > rule.limit]
        return Verdict(
            retry_after=max(1, max(exceeded)) if exceeded else None,
            misses=counts[miss_key] - miss[1] if miss_key is not None and miss is not None else 0,
        )
