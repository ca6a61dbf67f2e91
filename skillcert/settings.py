"""skillcert settings: one module, driven by SKILLCERT_* environment variables.

Development defaults are safe to run on a laptop; production (SKILLCERT_ENV=production) refuses to start
with the development secret key or without explicit personal-data keys.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SKILLCERT_VAR_DIR", BASE_DIR / "var"))

DEVELOPMENT_SECRET_KEY = "skillcert-development-key-not-for-production"


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"SKILLCERT_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


ENVIRONMENT = env("ENV", "development")  # development | test | production
PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = env("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if PRODUCTION and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("生产环境必须设置 SKILLCERT_SECRET_KEY。")

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The portal's own public address: QR codes, issuer ids and absolute links are built from it.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before django_otp: its management command addstatictoken is replaced by ours (hashed and audited).
    "skillcert.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "template_partials",
    "ninja",  # serves the API docs' own static files: no CDN on an offline network
    "skillcert.core",
    "skillcert.reference",
    "skillcert.registry",
    "skillcert.evaluation",
    "skillcert.jobs",
    "skillcert.certificates",
    "skillcert.credentials",
    "skillcert.verification",
    "skillcert.api",
    "skillcert.portal",
]

# --- background jobs (skillcert.jobs): threads of the web process, progress on the job's row --------
SKILLCERT_JOBS_DIR = Path(env("JOBS_DIR", str(VAR_DIR / "jobs")))  # private uploads, 0600, never served
SKILLCERT_JOBS_STALE_SECONDS = env_int("JOBS_STALE_SECONDS", 5 * 60)  # no heartbeat that long: failed
SKILLCERT_JOBS_PROGRESS_ROWS = env_int("JOBS_PROGRESS_ROWS", 1000)  # commit progress every N rows ...
SKILLCERT_JOBS_PROGRESS_MS = env_int("JOBS_PROGRESS_MS", 500)  # ... or every N milliseconds
# A job's output (a plan's certificates ZIP prints full ID numbers) is deleted this long after the job ends.
SKILLCERT_JOBS_OUTPUT_HOURS = env_int("JOBS_OUTPUT_HOURS", 24)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "skillcert.core.middleware.RequestContextMiddleware",
    "skillcert.core.static_files.StaticFilesMiddleware",  # WhiteNoise, streamed under ASGI
    "skillcert.portal.middleware.UnreadableFormMiddleware",  # before anything reads the form
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "skillcert.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "skillcert.urls"
WSGI_APPLICATION = "skillcert.wsgi.application"
ASGI_APPLICATION = "skillcert.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "skillcert" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "skillcert.accounts.context_processors.navigation",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # No persistent connections: under ASGI each request's Django code runs in its own thread, where a
    # kept-open connection would outlive the request (Django's advice for ASGI).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database lives there
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "skillcert.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so that
                # two writers queue instead of failing half-way with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # Tests use a file too, not SQLite's in-memory shared cache, whose table locks behave
            # unlike the WAL database that production runs; one file per test process.
            "TEST": {"NAME": str(VAR_DIR / f"test-skillcert-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts, passwords, sessions ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "skillcert.accounts.passwords.CharacterClassValidator"},
]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute lifetime
# Idle timeouts in seconds, enforced by SessionPolicyMiddleware.
SKILLCERT_STAFF_IDLE_TIMEOUT = env_int("STAFF_IDLE_TIMEOUT", 30 * 60)
SKILLCERT_CANDIDATE_IDLE_TIMEOUT = env_int("CANDIDATE_IDLE_TIMEOUT", 60 * 60)

# Sign-in failures (security.md A2, docs/decisions/0012). A client is an IPv4 address or an IPv6 /64.
# An (account, client) pair with this many failures inside the window is refused for PAIR_LOCKOUT seconds;
# other clients are not affected, so nobody can lock an account out on purpose.
SKILLCERT_LOGIN_MAX_FAILURES_PER_PAIR = env_int("LOGIN_MAX_FAILURES_PER_PAIR", 5)
SKILLCERT_LOGIN_PAIR_LOCKOUT = env_int("LOGIN_PAIR_LOCKOUT", 30 * 60)
# One client with this many failures inside the window, whatever the usernames, is refused (spraying).
SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 20)
SKILLCERT_LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
# An account with this many failures from all clients inside CHALLENGE_WINDOW (since its last sign-in)
# needs a solved proof of work for every further password attempt, and is shown to its administrators.
SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = env_int("LOGIN_CHALLENGE_AFTER_FAILURES", 20)
SKILLCERT_LOGIN_CHALLENGE_WINDOW = env_int("LOGIN_CHALLENGE_WINDOW", 24 * 60 * 60)
# Leading zero bits of the proof of work: 18 is about 260,000 SHA-256 hashes, a few seconds in the page
# while the person types the password, but a cost on every guess of a script.
SKILLCERT_LOGIN_CHALLENGE_BITS = env_int("LOGIN_CHALLENGE_BITS", 18)

# Two-factor login (TOTP) for authority and body staff. The demo may turn it off; the login page says so.
SKILLCERT_REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "skillcert"

# API tokens for integrations expire after this many days.
SKILLCERT_API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)

# --- personal data ----------------------------------------------------------------------------------
# AES-256-GCM key for resident ID numbers and the HMAC key of their blind index, each 32 bytes in
# URL-safe base64. Development derives both from the secret key; production must set them.
SKILLCERT_FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
SKILLCERT_BLIND_INDEX_KEY = env("BLIND_INDEX_KEY")
if PRODUCTION and not (SKILLCERT_FIELD_ENCRYPTION_KEY and SKILLCERT_BLIND_INDEX_KEY):
    raise ImproperlyConfigured(
        "生产环境必须设置 SKILLCERT_FIELD_ENCRYPTION_KEY 和 SKILLCERT_BLIND_INDEX_KEY。"
    )

# --- reference data ---------------------------------------------------------------------------------
# The province and city whose authority runs this installation (GB/T 2260).
SKILLCERT_PROVINCE_CODE = env("PROVINCE_CODE", "31")
SKILLCERT_MUNICIPAL_REGION_CODE = env("MUNICIPAL_REGION_CODE", "310000")
# Where the shared public data sets live (area codes, occupation catalogue), for importers and tests.
SKILLCERT_SHARED_DATA_DIR = Path(env("SHARED_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))

# --- evaluation policy (domain-cn-skills.md §4, §6; UNCONFIRMED national values are defaults here) ---------
SKILLCERT_PASS_MARK = env_int("PASS_MARK", 60)  # every component, on a 100-point scale
SKILLCERT_CANDIDATES_PER_INVIGILATOR = env_int("CANDIDATES_PER_INVIGILATOR", 15)
SKILLCERT_MIN_INVIGILATORS_PER_ROOM = env_int("MIN_INVIGILATORS_PER_ROOM", 2)
SKILLCERT_CANDIDATES_PER_EXAMINER = env_int("CANDIDATES_PER_EXAMINER", 5)
SKILLCERT_MIN_EXAMINERS = env_int("MIN_EXAMINERS", 3)  # and an odd number
SKILLCERT_MIN_REVIEW_PANEL = env_int("MIN_REVIEW_PANEL", 3)  # and an odd number
SKILLCERT_THEORY_MINUTES = env_int("THEORY_MINUTES", 90)
SKILLCERT_SKILLS_MINUTES = env_int("SKILLS_MINUTES", 90)
SKILLCERT_REVIEW_MINUTES = env_int("REVIEW_MINUTES", 30)
# An examiner must hold at least the level examined ("at_least_examined") or any level ("none").
SKILLCERT_EXAMINER_LEVEL_RULE = env("EXAMINER_LEVEL_RULE", "at_least_examined")
SKILLCERT_PLAN_SUBMIT_WORKING_DAYS = env_int("PLAN_SUBMIT_WORKING_DAYS", 5)  # before the first component
SKILLCERT_PUBLICITY_WORKING_DAYS = env_int("PUBLICITY_WORKING_DAYS", 5)
SKILLCERT_RESULT_REVIEW_WORKING_DAYS = env_int("RESULT_REVIEW_WORKING_DAYS", 5)
SKILLCERT_RETAKE_WINDOW_DAYS = env_int("RETAKE_WINDOW_DAYS", 365)
SKILLCERT_MIN_AGE = env_int("MIN_AGE", 16)
# Statutory retirement age by sex; the 2025 reform raises it gradually, so it is configuration.
SKILLCERT_RETIREMENT_AGE_MALE = env_int("RETIREMENT_AGE_MALE", 60)
SKILLCERT_RETIREMENT_AGE_FEMALE = env_int("RETIREMENT_AGE_FEMALE", 55)
# Certificate numbers: local serials by default; provinces that assign numbers centrally plug in another.
SKILLCERT_CERTIFICATE_NUMBERING = env(
    "CERTIFICATE_NUMBERING", "skillcert.certificates.numbering.LocalSerialNumbering"
)

# --- signed credentials (Open Badges 3.0, credentials.md) ---------------------------------------------
# Entries per Bitstring Status List; the spec's minimum (131,072) gives holders herd privacy.
SKILLCERT_CREDENTIALS_STATUS_LIST_SIZE = max(env_int("CREDENTIALS_STATUS_LIST_SIZE", 131072), 131072)
# Platform keys (Multikey "z6Mk…", comma-separated) of other installations whose trust bundles
# `skillcert verify-credential --trust` accepts, besides this installation's own platform keys.
SKILLCERT_CREDENTIALS_TRUSTED_PLATFORM_KEYS = [
    k.strip() for k in env("CREDENTIALS_TRUSTED_PLATFORM_KEYS", "").split(",") if k.strip()
]

# --- demo ---------------------------------------------------------------------------------------------
SKILLCERT_DEMO_PASSWORD = env("DEMO_PASSWORD", "Skillcert-2026")

# Objections lodged from one address in an hour, before the public form refuses more.
SKILLCERT_OBJECTION_LIMIT_PER_HOUR = env_int("OBJECTION_LIMIT_PER_HOUR", 5)

# --- cache: rate-limit counters must be shared by every server process (ARCHITECTURE.md §7) -----------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "skillcert_cache",
    }
}

# --- i18n, time -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "skillcert" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "skillcert" / "static"]
# Outside production, WhiteNoise serves files straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- security headers -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "skillcert.portal.views_errors.csrf_failure"  # Chinese; never reads the body
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "skillcert.core.logging.MaskPersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# --- public verification (skillcert/verification; ARCHITECTURE.md §4, security.md P) -------------------
# The Starlette app reads verification_record through this URL when set (PostgreSQL: the read-only role
# skillcert_verifier, or a replica); otherwise through the main database, read-only.
SKILLCERT_VERIFICATION_DATABASE_URL = env("VERIFICATION_DATABASE_URL")
SKILLCERT_VERIFICATION_POOL_SIZE = env_int("VERIFICATION_POOL_SIZE", 8)  # PostgreSQL connections a worker
# Rate-limit counters (docs/decisions/0005). "memory": a file every worker of this machine maps and counts
# in, with no database write per request; the only choice on SQLite. "database" (PostgreSQL only): the
# UNLOGGED table verification_counter, shared by every machine serving the public query. Empty: "database"
# on PostgreSQL (ARCHITECTURE.md §7), "memory" on SQLite.
SKILLCERT_VERIFICATION_COUNTERS = env("VERIFICATION_COUNTERS", "")
SKILLCERT_VERIFICATION_COUNTERS_PATH = Path(
    env("VERIFICATION_COUNTERS_PATH", str(VAR_DIR / "verification-counters.bin"))
)
SKILLCERT_VERIFICATION_COUNTER_SEGMENTS = env_int("VERIFICATION_COUNTER_SEGMENTS", 16)  # workers at most
SKILLCERT_VERIFICATION_COUNTER_SLOTS = env_int("VERIFICATION_COUNTER_SLOTS", 1 << 20)  # per worker, 16 B each
# Limits (security.md P2): queries per client address, per /24 (IPv4) or /64 (IPv6) network, per queried
# certificate number, ID number and name; QR-code page views per address.
SKILLCERT_VERIFICATION_IP_PER_MINUTE = env_int("VERIFICATION_IP_PER_MINUTE", 10)
SKILLCERT_VERIFICATION_IP_PER_DAY = env_int("VERIFICATION_IP_PER_DAY", 100)
SKILLCERT_VERIFICATION_NETWORK_PER_MINUTE = env_int("VERIFICATION_NETWORK_PER_MINUTE", 60)
SKILLCERT_VERIFICATION_NUMBER_PER_DAY = env_int("VERIFICATION_NUMBER_PER_DAY", 20)
SKILLCERT_VERIFICATION_ID_NUMBER_PER_DAY = env_int("VERIFICATION_ID_NUMBER_PER_DAY", 20)
SKILLCERT_VERIFICATION_NAME_PER_HOUR = env_int("VERIFICATION_NAME_PER_HOUR", 100)
SKILLCERT_VERIFICATION_VIEW_PER_MINUTE = env_int("VERIFICATION_VIEW_PER_MINUTE", 60)
# After this many empty answers to one address within the window, each query needs a proof of work.
SKILLCERT_VERIFICATION_CHALLENGE_AFTER_MISSES = env_int("VERIFICATION_CHALLENGE_AFTER_MISSES", 3)
SKILLCERT_VERIFICATION_MISS_WINDOW = env_int("VERIFICATION_MISS_WINDOW", 60 * 60)
SKILLCERT_VERIFICATION_CHALLENGE_BITS = env_int("VERIFICATION_CHALLENGE_BITS", 16)  # leading zero bits
# The global circuit breaker: past this many queries a minute in all, every query needs a proof of work.
SKILLCERT_VERIFICATION_GLOBAL_PER_MINUTE = env_int("VERIFICATION_GLOBAL_PER_MINUTE", 3000)
# Enumeration watch (security.md P5). The public app appends one line per answered query to a daily file
# here (keyed hashes of the client, its network and the number's stem, never names or ID numbers);
# `skillcert verification-watch` reads the last window, raises alerts and deletes files past EVENTS_DAYS.
SKILLCERT_VERIFICATION_EVENTS_DIR = Path(env("VERIFICATION_EVENTS_DIR", str(VAR_DIR / "verification-events")))
SKILLCERT_VERIFICATION_EVENTS_DAYS = env_int("VERIFICATION_EVENTS_DAYS", 7)
SKILLCERT_VERIFICATION_WATCH_WINDOW = env_int("VERIFICATION_WATCH_WINDOW", 60 * 60)  # seconds looked at
# Alert thresholds within the window (security.md names them X, Y and Z; these defaults are ours):
SKILLCERT_VERIFICATION_WATCH_NUMBERS_PER_CLIENT = env_int("VERIFICATION_WATCH_NUMBERS_PER_CLIENT", 30)
SKILLCERT_VERIFICATION_WATCH_NUMBERS_PER_NETWORK = env_int("VERIFICATION_WATCH_NUMBERS_PER_NETWORK", 100)
SKILLCERT_VERIFICATION_WATCH_MISS_PERCENT = env_int("VERIFICATION_WATCH_MISS_PERCENT", 50)
SKILLCERT_VERIFICATION_WATCH_MISS_MINIMUM = env_int("VERIFICATION_WATCH_MISS_MINIMUM", 200)  # queries
SKILLCERT_VERIFICATION_WATCH_SEQUENTIAL = env_int("VERIFICATION_WATCH_SEQUENTIAL", 10)  # serials in a run
SKILLCERT_VERIFICATION_WATCH_NETWORKS_PER_NUMBER = env_int("VERIFICATION_WATCH_NETWORKS_PER_NUMBER", 10)
