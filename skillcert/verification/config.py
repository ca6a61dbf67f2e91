"""The verification app's configuration: plain values passed in when the app is built.

Django-free: the app never reads Django settings at request time. ``configure.config_from_settings``
builds one from the Django settings for the combined ASGI application (skillcert/asgi.py).
"""

from dataclasses import dataclass, field
from pathlib import Path

# Where the credentials app serves a certificate's signed credential (credentials:by_token).
CREDENTIAL_URL = "/credentials/v/{token}/credential.json"


_COUNTS = (  # the limits that count requests in a window; 0 switches one off
    "ip_per_minute",
    "ip_per_day",
    "network_per_minute",
    "number_per_day",
    "id_number_per_day",
    "name_per_hour",
    "view_per_minute",
    "challenge_after_misses",
    "global_per_minute",
)
MAX_CHALLENGE_BITS = 32  # about 4 × 10⁹ hashes on average: already minutes in a browser


@dataclass(frozen=True, slots=True)
class Limits:
    """Counts allowed per window (security.md P2). A limit of 0 switches that rule off."""

    ip_per_minute: int = 10
    ip_per_day: int = 100
    network_per_minute: int = 60  # per /24 (IPv4) or /64 (IPv6)
    number_per_day: int = 20
    id_number_per_day: int = 20
    name_per_hour: int = 100
    view_per_minute: int = 60  # QR-code pages and their JSON, per address
    challenge_after_misses: int = 3  # empty answers to one address within miss_window
    miss_window: int = 3600
    challenge_bits: int = 16  # leading zero bits of SHA-256(challenge ":" solution)
    # The global circuit breaker: past this many queries a minute across the installation, traffic is
    # abnormal and every query needs a solved challenge until the minute ends.
    global_per_minute: int = 3000

    def __post_init__(self) -> None:
        # A negative limit is a mistake, not a way to switch a rule off (0 is): refused when the app starts.
        for name in (*_COUNTS, "miss_window", "challenge_bits"):
            value = getattr(self, name)
            smallest = 1 if name in ("miss_window", "challenge_bits") else 0
            if not isinstance(value, int) or value < smallest:
                rule = "0 表示关闭该规则" if smallest == 0 else f"至少为 {smallest}"
                raise ValueError(
                    f"限流设置 SKILLCERT_VERIFICATION_{name.upper()} 无效：{value!r}（{rule}）。"
                )
        if self.challenge_bits > MAX_CHALLENGE_BITS:
            raise ValueError(
                f"限流设置 SKILLCERT_VERIFICATION_CHALLENGE_BITS 无效：{self.challenge_bits}"
                f"（最多 {MAX_CHALLENGE_BITS} 位，否则浏览器解不出工作量证明）。"
            )


@dataclass(frozen=True, slots=True)
class VerificationConfig:
    """Where the records are, where the counters are, the keys, the limits and the page links."""

    index_key: bytes  # HMAC key of the ID-number blind index (skillcert.core.id_lookup.blind_index_key)
    secret: bytes  # 32 bytes: signs challenges and hashes counter keys
    sqlite_path: Path | None = None  # the main SQLite database, opened read-only
    postgres_url: str | None = None  # conninfo of the read-only role (or the main database)
    # Rate-limit counters: "memory", shared by the workers of this machine through a mapped file, or
    # "database" (PostgreSQL only), shared by several machines serving the public query.
    counters: str = "memory"
    counters_path: Path | None = None  # the mapped file of "memory" counters
    counter_segments: int = 16  # workers that may count at once (each claims one segment)
    counter_slots: int = 1 << 20  # counters per segment, a power of two (16 bytes each)
    counter_fallback_weight: int = 1  # workers serving: a worker counting alone counts each request so often
    pool_size: int = 8
    events_dir: Path | None = None  # the enumeration watch's daily event files (events.py); None: not kept
    limits: Limits = field(default_factory=Limits)
    stylesheets: tuple[str, ...] = ()
    favicon: str = ""
    home_url: str = "/"
    credential_url: str = CREDENTIAL_URL
    hsts_seconds: int = 0
    https_redirect: bool = False

    def __post_init__(self) -> None:
        if (self.sqlite_path is None) == (self.postgres_url is None):
            raise ValueError("exactly one of sqlite_path and postgres_url must be set")
        if self.counters not in ("memory", "database"):
            raise ValueError('counters must be "memory" or "database"')
        if self.counters == "database" and self.postgres_url is None:
            raise ValueError("counters in the database need PostgreSQL")
        if self.counters == "memory" and self.counters_path is None:
            raise ValueError("memory counters need counters_path")
