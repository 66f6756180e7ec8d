"""Configuration from environment variables, with safe defaults for local use only."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from trainer import sso_config
from trainer.vocabulary import Language, Role

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str | None, instance: Path = INSTANCE) -> str:
    """Normalise DATABASE_URL; SQLite in instance/ when it is not set."""
    if not url:
        return f"sqlite:///{instance / 'trainer.sqlite'}"
    # psycopg 3 is the driver; accept the plain URLs that hosting providers hand out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def ensure_secret_key(config: dict, instance: Path) -> None:
    """Refuse to run in production without SECRET_KEY; locally, keep a random one in instance/."""
    if config.get("SECRET_KEY"):
        return
    if config.get("ENV") not in {"development", "testing"}:
        raise RuntimeError("SECRET_KEY must be set (or TRAINER_ENV=development for local use).")
    config["SECRET_KEY"] = _local_secret_key(instance)


def _local_secret_key(instance: Path) -> str:
    """A random key kept in instance/ so local sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def trusted_hosts(listed: str | None, public_base_url: str, local: bool) -> list[str]:
    """The host names the site answers to: TRUSTED_HOSTS (comma-separated) or else the host of
    PUBLIC_BASE_URL; local runs (development, testing) also answer on 127.0.0.1 and localhost."""
    hosts = [h.strip().lower() for h in (listed or "").split(",") if h.strip()]
    if not hosts:
        hosts = [urlsplit(public_base_url).hostname or ""]
    if local:
        hosts += ["127.0.0.1", "localhost"]
    return list(dict.fromkeys(h for h in hosts if h))


def settle(config: dict) -> None:
    """Settings that follow from others, worked out once the configuration is complete; settings
    that cannot work are refused here, at start, rather than on the first request that needs them."""
    storage = config.get("CERTIFICATE_STORAGE", "database")
    if storage not in {"database", "s3"}:
        raise ValueError(f"CERTIFICATE_STORAGE must be 'database' or 's3', not {storage!r}")
    if storage == "s3" and not config.get("CERTIFICATE_S3_BUCKET"):
        raise ValueError("CERTIFICATE_STORAGE=s3 needs CERTIFICATE_S3_BUCKET")
    if not config.get("DATABASE_PREPARED_STATEMENTS", True) and \
            str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if config.get("TRUSTED_HOSTS") is None:
        config["TRUSTED_HOSTS"] = trusted_hosts(os.environ.get("TRUSTED_HOSTS"), config["PUBLIC_BASE_URL"],
                                                config["ENV"] in {"development", "testing"})
    # A Secure cookie gets the __Host- prefix: browsers then keep it for this exact host, for the
    # whole site, and never accept it from plain HTTP or another subdomain. Local HTTP keeps the
    # plain names (browsers refuse __Host- cookies without Secure).
    for kind, plain in (("SESSION", "session"), ("REMEMBER", "remember_token")):
        secure = config.get(f"{kind}_COOKIE_SECURE")
        config[f"{kind}_COOKIE_NAME"] = f"__Host-{plain}" if secure else plain
        if secure:
            config[f"{kind}_COOKIE_DOMAIN"] = None
            config[f"{kind}_COOKIE_PATH"] = "/"


class Config:
    """Production settings. TRAINER_ENV=development relaxes the ones that need HTTPS."""

    ENV = os.environ.get("TRAINER_ENV", "production")
    LOCAL = ENV in {"development", "testing"}

    SECRET_KEY = os.environ.get("SECRET_KEY")  # required in production; see ensure_secret_key
    # Logging goes to stdout, configured once per process (trainer/logging_setup.py): plain lines
    # or one JSON object per line, each with the id of the request it belongs to.
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    # orjson reads the JSON columns (answers, results, course bodies) several times faster.
    # hide_parameters: a database error's text (logged with its traceback) never carries the
    # values of the statement, which may be addresses, names or answers.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True, "json_deserializer": orjson.loads,
                                 "json_serializer": lambda value: orjson.dumps(value).decode()}
    # psycopg prepares a statement on the server after its fifth use on a connection. Behind a
    # pooler in transaction mode that does not track prepared statements (PgBouncer before 1.21,
    # or with max_prepared_statements = 0) set this to 0: see docs/deploy.md.
    DATABASE_PREPARED_STATEMENTS = _flag("DATABASE_PREPARED_STATEMENTS", True)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", not LOCAL)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Signed-in sessions end after this long without a request, and after this long in all.
    SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", 2 * 3600))
    SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", 12 * 3600))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    # Text parts of multipart (upload) forms: those carry a token, a file name and a title, never
    # more. Werkzeug also applies this to its read buffer while a file streams to disk (64 KiB
    # reads), so it stays a few times above that. URL-encoded forms are bounded by
    # MAX_CONTENT_LENGTH and each field's own length cap, checked before any other validator.
    MAX_FORM_MEMORY_SIZE = int(os.environ.get("MAX_FORM_MEMORY_SIZE", 256 * 1024))
    MAX_FORM_PARTS = int(os.environ.get("MAX_FORM_PARTS", 100))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Pages, JSON, CSS and JavaScript of 1 KB or more are sent compressed (brotli, else gzip) to
    # browsers that accept it (trainer/compression.py); false leaves compression to a proxy in front.
    COMPRESS_RESPONSES = _flag("COMPRESS_RESPONSES", True)
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 1024
    COMPRESS_STREAMS = False  # streamed responses (exports) go out as they are made
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "image/svg+xml", "text/plain"]

    BABEL_DEFAULT_LOCALE = Language.EN.value
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {language.value: language.label for language in Language}

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # How many proxies in front of the app set X-Forwarded-*; 0 trusts none (direct exposure).
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", 0))
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute; 20 per hour")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per minute; 200 per hour")
    RESET_LIMIT_PER_ADDRESS = os.environ.get("RESET_LIMIT_PER_ADDRESS", "5 per minute; 30 per hour")
    # Registration and cohort join links: generous, since a class may sign up together behind one
    # hospital or station address, but enough to stop mass account creation and code guessing.
    REGISTER_LIMIT_PER_ADDRESS = os.environ.get("REGISTER_LIMIT_PER_ADDRESS", "20 per minute; 200 per hour")
    # Mail one email address can be sent by registering, asking for a new password or asking for
    # the confirmation link again, together: nobody can fill someone else's inbox from the forms.
    MAIL_LIMIT_PER_RECIPIENT = os.environ.get("MAIL_LIMIT_PER_RECIPIENT", "5 per hour; 20 per day")
    # Roles that must use two-factor sign-in (comma-separated; empty for none).
    TWO_FACTOR_REQUIRED_ROLES = tuple(r for r in os.environ.get("TWO_FACTOR_REQUIRED_ROLES",
                                                                f"{Role.ADMIN},{Role.TRAINER},{Role.AUTHOR},{Role.REVIEWER}")
                                      .split(",") if r)

    # Single sign-on with OpenID Connect: the identity providers (trainer/sso_config.py explains
    # the OIDC_* settings); none unless OIDC_PROVIDERS names some. LOCAL_PASSWORDS=false leaves
    # only the providers: the password forms (sign-in, registration, reset, change) refuse.
    OIDC_PROVIDERS = sso_config.from_environ(os.environ)
    LOCAL_PASSWORDS = _flag("LOCAL_PASSWORDS", True)
    # How long the provider's discovery document, keys and token endpoint may take to answer.
    OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", 10))

    # Argon2id defaults from argon2-cffi (RFC 9106 low-memory profile).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 3))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", 65536))
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", 3600))
    # Four eyes on course changes: the author who made a draft's last change may not publish it.
    PUBLISH_NEEDS_SECOND_AUTHOR = _flag("PUBLISH_NEEDS_SECOND_AUTHOR", False)
    # How long the link that confirms an email address works.
    EMAIL_CONFIRM_MAX_AGE = int(os.environ.get("EMAIL_CONFIRM_MAX_AGE", 7 * 24 * 3600))
    # Breached passwords are refused (NIST SP 800-63B) by asking the Pwned Passwords range API,
    # which only ever sees the first five hex characters of the password's SHA-1. Empty switches
    # it off; an unreachable service lets the password through (and logs a warning).
    # Production asks the Pwned Passwords range service; local runs stay on this machine unless told.
    PWNED_PASSWORDS_URL = os.environ.get("PWNED_PASSWORDS_URL",
                                         "" if LOCAL else "https://api.pwnedpasswords.com/range/")
    PWNED_PASSWORDS_TIMEOUT = float(os.environ.get("PWNED_PASSWORDS_TIMEOUT", 2))
    # LTI 1.3 (docs/deploy.md): nothing launches until an administrator registers a platform.
    LTI_STATE_SECONDS = int(os.environ.get("LTI_STATE_SECONDS", 600))  # a login's state, a deep link's choice
    LTI_HANDOFF_SECONDS = int(os.environ.get("LTI_HANDOFF_SECONDS", 300))  # the launch page's one-time link
    LTI_HTTP_TIMEOUT = float(os.environ.get("LTI_HTTP_TIMEOUT", 10))  # calls to a platform
    # Logins and launches per address: a ward behind one NAT address may launch together.
    LTI_LIMIT_PER_ADDRESS = os.environ.get("LTI_LIMIT_PER_ADDRESS", "120 per minute; 2000 per hour")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", True)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Frontline Trainer <no-reply@localhost>")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 10))
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(INSTANCE / "outbox"))
    # A failed send is tried again after MAIL_RETRY_SECONDS, then twice as long each time; after
    # MAIL_MAX_ATTEMPTS tries it is a dead letter for administrators (about 17 hours at the defaults).
    MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", 60))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 11))
    # A delivery that holds a message for longer than this has died: another may send it.
    MAIL_CLAIM_SECONDS = int(os.environ.get("MAIL_CLAIM_SECONDS", 900))

    # Background jobs and mail delivery (services/jobs.py): RQ on this Redis when set; otherwise the
    # database is the queue and every app process runs an embedded worker, unless switched off for
    # a separate `flask jobs worker`.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    JOBS_EMBEDDED_WORKER = _flag("JOBS_EMBEDDED_WORKER", True)
    # How often an idle worker looks for due work it was not woken for (retries, left-overs).
    JOBS_POLL_SECONDS = float(os.environ.get("JOBS_POLL_SECONDS", 5))
    # A claim on a job not renewed for this long belongs to a worker that died: the job is free.
    JOBS_CLAIM_SECONDS = int(os.environ.get("JOBS_CLAIM_SECONDS", 300))
    JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", 3))
    JOBS_RETRY_SECONDS = int(os.environ.get("JOBS_RETRY_SECONDS", 30))
    # With RQ: how often each worker pushes again what the queue may have lost.
    JOBS_SWEEP_SECONDS = int(os.environ.get("JOBS_SWEEP_SECONDS", 30))
    JOBS_TIMEOUT_SECONDS = int(os.environ.get("JOBS_TIMEOUT_SECONDS", 3600))
    # Finished jobs and their files (a cohort's certificate zip) are deleted after this long.
    JOBS_KEEP_HOURS = int(os.environ.get("JOBS_KEEP_HOURS", 24))

    # xAPI: completions, quiz attempts, scenario and case runs and certificates are sent as
    # statements to this Learning Record Store (its xAPI address: statements go to
    # <XAPI_ENDPOINT>/statements), with HTTP basic authentication. Empty: off, nothing is recorded.
    # Statements wait in the database and a background job sends them (docs/xapi.md).
    XAPI_ENDPOINT = os.environ.get("XAPI_ENDPOINT", "")
    XAPI_USERNAME = os.environ.get("XAPI_USERNAME", "")
    XAPI_PASSWORD = os.environ.get("XAPI_PASSWORD", "")
    XAPI_TIMEOUT = float(os.environ.get("XAPI_TIMEOUT", 10))
    XAPI_BATCH_SIZE = int(os.environ.get("XAPI_BATCH_SIZE", 50))
    # An LRS that is down: the statements are tried again after this, then twice as long each time,
    # up to XAPI_RETRY_MAX_SECONDS between tries (never given up).
    XAPI_RETRY_SECONDS = int(os.environ.get("XAPI_RETRY_SECONDS", 60))
    XAPI_RETRY_MAX_SECONDS = int(os.environ.get("XAPI_RETRY_MAX_SECONDS", 3600))
    # Sent statements stay in the outbox this long (to see what went), then are deleted.
    XAPI_KEEP_DAYS = int(os.environ.get("XAPI_KEEP_DAYS", 7))

    # A referral directory entry not checked against its source for this many days is shown to
    # administrators as due for checking, and listed by `flask referrals stale`.
    REFERRAL_CHECK_MAX_AGE_DAYS = int(os.environ.get("REFERRAL_CHECK_MAX_AGE_DAYS", 183))
    # Where Quick exit sends people: a neutral, everyday page.
    QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.google.com/search?q=weather")
    # The site's address: every absolute link (mail, certificates, badges, join links) is built on it.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Requests for any other host name are refused with 400 (Flask's TRUSTED_HOSTS). Unset, it is
    # worked out by `settle` from the TRUSTED_HOSTS environment variable and PUBLIC_BASE_URL.
    TRUSTED_HOSTS: list[str] | None = None
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Frontline Trainer")
    CERTIFICATE_PAGE_SIZE = os.environ.get("CERTIFICATE_PAGE_SIZE", "A4")  # or letter
    # Optional PNG or JPEG files printed on certificates; read once per rendering by the app,
    # never by the PDF renderer itself.
    CERTIFICATE_LOGO = os.environ.get("CERTIFICATE_LOGO", "")
    CERTIFICATE_SIGNATURE = os.environ.get("CERTIFICATE_SIGNATURE", "")
    CERTIFICATE_SIGNATORY = os.environ.get("CERTIFICATE_SIGNATORY", "")
    CERTIFICATE_FONT_DIR = os.environ.get("CERTIFICATE_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
    VERIFY_LIMIT = os.environ.get("VERIFY_LIMIT", "30 per minute")
    # Where certificate PDFs are kept once made: "database" (the default) or "s3" for
    # S3-compatible object storage (see trainer/services/pdf_storage.py and docs/deploy.md).
    CERTIFICATE_STORAGE = os.environ.get("CERTIFICATE_STORAGE", "database")
    CERTIFICATE_S3_BUCKET = os.environ.get("CERTIFICATE_S3_BUCKET", "")
    CERTIFICATE_S3_PREFIX = os.environ.get("CERTIFICATE_S3_PREFIX", "certificates/")
    CERTIFICATE_S3_ENDPOINT = os.environ.get("CERTIFICATE_S3_ENDPOINT", "")  # empty: AWS itself
    CERTIFICATE_S3_REGION = os.environ.get("CERTIFICATE_S3_REGION", "")


class TestConfig(Config):
    """Fast, isolated settings for the test suite."""

    ENV = "testing"
    LOCAL = True
    TESTING = True
    SECRET_KEY = "test-secret-key"
    LOG_LEVEL = "WARNING"  # a quiet suite; tests that read the logs lower it with caplog
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    TWO_FACTOR_REQUIRED_ROLES = ()  # the two-factor tests switch it on
    # Limits stay on, set high; tests of the limits lower them.
    LOGIN_LIMIT_PER_ACCOUNT = "1000 per minute"
    LOGIN_LIMIT_PER_ADDRESS = "1000 per minute"
    RESET_LIMIT_PER_ADDRESS = "1000 per minute"
    MAIL_LIMIT_PER_RECIPIENT = "1000 per minute"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    PWNED_PASSWORDS_URL = ""  # tests never leave the machine; the breach tests start a local stand-in
    MAIL_SERVER = ""
    REDIS_URL = ""  # the job-queue tests start their own Redis
    XAPI_ENDPOINT = ""  # the xAPI tests start their own LRS
    JOBS_POLL_SECONDS = 3600.0  # workers act when a commit wakes them, not on their own
    QUICK_EXIT_URL = "https://example.org/weather"
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"  # not the test client's http://localhost
    OIDC_PROVIDERS: tuple[sso_config.Provider, ...] = ()  # the single sign-on tests start their own provider
    LOCAL_PASSWORDS = True
