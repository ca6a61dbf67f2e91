"""Row locks for certificate issuance, always taken in one fixed order so that issuers never deadlock.

Order inside an issuing transaction: the plan row, then the audit chain, then the serial counters sorted by
(site code, year, level digit). Every issuance path goes through these helpers.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q

from skillcert.certificates.models import SerialCounter


class CounterKey(NamedTuple):
    """What a certificate serial counts per (证书序列码 counts per site, year and level)."""

    site_code: str
    year: int  # the full issue year, 2026
    level_digit: int


def serial_counters_lock(*, keys: Iterable[CounterKey]) -> dict[CounterKey, SerialCounter]:
    """Lock (creating where missing) the serial counters of ``keys``, FOR UPDATE and in key order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("serial_counters_lock must run inside the issuing transaction")
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    # INSERT … ON CONFLICT DO NOTHING: a counter that another transaction is creating right now makes this
    # insert wait for that transaction instead of failing with an IntegrityError (PostgreSQL), and a
    # counter that exists is left alone. The rows go in key order, so two creators never wait on each
    # other crosswise.
    SerialCounter.objects.bulk_create(
        [SerialCounter(site_code=k.site_code, year=k.year, level_digit=k.level_digit) for k in ordered],
        ignore_conflicts=True,
    )
    condition = _keys_filter(ordered)
    counters = (
        SerialCounter.objects.select_for_update()
        .filter(condition)
        .order_by("site_code", "year", "level_digit")  # the lock order: the same key order as above
    )
    locked = {CounterKey(c.site_code, c.year, c.level_digit): c for c in counters}
    missing = [key for key in ordered if key not in locked]
    if missing:  # cannot happen after the insert above; a guard against a silently unlocked counter
        raise RuntimeError(f"serial counters not found after insert: {missing}")
    return locked


def _keys_filter(keys: list[CounterKey]) -> Q:
    condition = Q()
    for key in keys:
        condition |= Q(site_code=key.site_code, year=key.year, level_digit=key.level_digit)
    return condition
