"""Build the verification app's configuration from the Django settings (Django side, at start-up)."""

import os
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse

from skillcert.core.id_lookup import blind_index_key
from skillcert.core.personal_data import _derive
from skillcert.verification.config import CREDENTIAL_URL, Limits, VerificationConfig


def config_from_settings(*, database: str = "default") -> VerificationConfig:
    """The configuration the combined ASGI application passes to ``app.create_app``."""
    settings_dict = connections[database].settings_dict
    sqlite_path: Path | None = None
    postgres_url: str | None = None
    if settings.SKILLCERT_VERIFICATION_DATABASE_URL:
        postgres_url = settings.SKILLCERT_VERIFICATION_DATABASE_URL
    elif settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        sqlite_path = Path(settings_dict["NAME"])
    else:
        postgres_url = _conninfo(settings_dict)
    return VerificationConfig(
        index_key=blind_index_key(
            index_key=settings.SKILLCERT_BLIND_INDEX_KEY, secret_key=settings.SECRET_KEY
        ),
        secret=_derive(settings.SECRET_KEY, b"verification"),
        sqlite_path=sqlite_path,
        postgres_url=postgres_url,
        # ARCHITECTURE.md §7: on PostgreSQL the counters live in the database unless told otherwise
        # (docs/decisions/0005); SQLite installations are one machine, whose shared memory counts.
        counters=settings.SKILLCERT_VERIFICATION_COUNTERS or ("database" if postgres_url else "memory"),
        counters_path=settings.SKILLCERT_VERIFICATION_COUNTERS_PATH,
        counter_segments=settings.SKILLCERT_VERIFICATION_COUNTER_SEGMENTS,
        counter_slots=settings.SKILLCERT_VERIFICATION_COUNTER_SLOTS,
        counter_fallback_weight=_workers(),
        pool_size=settings.SKILLCERT_VERIFICATION_POOL_SIZE,
        events_dir=settings.SKILLCERT_VERIFICATION_EVENTS_DIR,
        limits=Limits(
            ip_per_minute=settings.SKILLCERT_VERIFICATION_IP_PER_MINUTE,
            ip_per_day=settings.SKILLCERT_VERIFICATION_IP_PER_DAY,
            network_per_minute=settings.SKILLCERT_VERIFICATION_NETWORK_PER_MINUTE,
            number_per_day=settings.SKILLCERT_VERIFICATION_NUMBER_PER_DAY,
            id_number_per_day=settings.SKILLCERT_VERIFICATION_ID_NUMBER_PER_DAY,
            name_per_hour=settings.SKILLCERT_VERIFICATION_NAME_PER_HOUR,
            view_per_minute=settings.SKILLCERT_VERIFICATION_VIEW_PER_MINUTE,
            challenge_after_misses=settings.SKILLCERT_VERIFICATION_CHALLENGE_AFTER_MISSES,
            miss_window=settings.SKILLCERT_VERIFICATION_MISS_WINDOW,
            challenge_bits=settings.SKILLCERT_VERIFICATION_CHALLENGE_BITS,
            global_per_minute=settings.SKILLCERT_VERIFICATION_GLOBAL_PER_MINUTE,
        ),
        stylesheets=(static("vendor/bootstrap/bootstrap.min.css"), static("skillcert/site.css")),
        favicon=static("skillcert/favicon.svg"),
        home_url=reverse("portal:home"),
        credential_url=_credential_url(),
        hsts_seconds=getattr(settings, "SECURE_HSTS_SECONDS", 0) or 0,
        https_redirect=bool(getattr(settings, "SECURE_SSL_REDIRECT", False)),
    )


def _workers() -> int:
    """The worker processes serving, as ``skillcert serve`` sets them (one per CPU when it has not)."""
    return int(os.environ.get("SKILLCERT_WORKERS") or os.cpu_count() or 1)


def _credential_url() -> str:
    """The credentials app's download of a certificate's signed credential by its QR token."""
    try:
        url = reverse("credentials:by_token", kwargs={"token": "TOKEN"})
    except NoReverseMatch:  # credentials URLs not included: the address they have when they are
        return CREDENTIAL_URL
    return url.replace("TOKEN", "{token}")


def _conninfo(settings_dict: dict) -> str:
    from psycopg.conninfo import make_conninfo

    parts = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": str(settings_dict["PORT"]) if settings_dict.get("PORT") else None,
    }
    return make_conninfo(**{key: value for key, value in parts.items() if value})
