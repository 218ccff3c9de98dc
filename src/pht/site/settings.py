"""Django settings, 12-factor: everything that differs between machines comes from the environment.

- ``DATABASE_URL``: defaults to an SQLite file under ``PHT_VAR_DIR`` (``./var``); PostgreSQL in production.
- ``PHT_SECRET_KEY``: required when ``PHT_DEBUG`` is off; in debug a key is generated once into var/.
- ``PHT_DEBUG``: "1" for development (the default), "0" in production.
- ``PHT_DEBUG_PAGES``: "0" hides Django's technical error pages in development too (``pht serve`` sets it).
- ``PHT_ALLOWED_HOSTS``: comma-separated host names.
- ``PHT_ALLOW_SYNTHETIC_IDS``: "1" accepts the synthetic identifier series (demo and tests only).
- ``PHT_PSEUDONYM_KEY``: key of the keyed HMAC that pseudonymises fødselsnummer for evaluators.
- ``PHT_EMAIL_BACKEND``: Django e-mail backend (console in development).
- ``PHT_SSL_REDIRECT``: "1" (the default when ``PHT_DEBUG`` is off) redirects plain HTTP to HTTPS.
- ``PHT_BEHIND_PROXY``: "1" trusts ``X-Forwarded-Proto: https`` from a TLS-terminating reverse proxy.
- ``PHT_FINANCE_LAKE``: the lake settlement runs read (default ``PHT_VAR_DIR/lake``).
- ``PHT_NATION_LAKE``: the nation-scale lake the national what-if job reads (default ``PHT_VAR_DIR/nation-lake``).
- ``PHT_JOB_HEARTBEAT_SECONDS``, ``PHT_JOB_STALE_SECONDS``, ``PHT_JOB_MAX_ATTEMPTS``: background jobs (docs/jobs.md).
"""

from __future__ import annotations

import os
import secrets
import warnings
from pathlib import Path

import dj_database_url

SITE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PHT_VAR_DIR", Path.cwd() / "var")).resolve()


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


# PHT_DEBUG=1 is the development setup (a generated key, synthetic ids, plain-HTTP cookies). Django's
# technical error pages (tracebacks, the URL conf) are shown only on the development server: `pht serve`
# sets PHT_DEBUG_PAGES=0, so users of a served site see the friendly 403/404/500 pages.
DEVELOPMENT = _flag("PHT_DEBUG", "1")
DEBUG = DEVELOPMENT and _flag("PHT_DEBUG_PAGES", "1")


def weak_secret_key(key: str) -> str | None:
    """Why ``key`` is too weak for production, or None. The rule is Django's own (check security.W009)."""
    if len(key) < 50:
        return "it is shorter than 50 characters"
    if len(set(key)) < 5:
        return "it has fewer than 5 distinct characters"
    if key.startswith("django-insecure"):
        return "it is one of Django's generated development keys"
    return None


def _secret_key() -> str:
    key = os.environ.get("PHT_SECRET_KEY")
    if key:
        if not DEVELOPMENT and (reason := weak_secret_key(key)):
            raise RuntimeError(
                f"PHT_SECRET_KEY is too weak for PHT_DEBUG=0: {reason}. "
                'Generate one: python -c "import secrets; print(secrets.token_urlsafe(50))"'
            )
        return key
    if not DEVELOPMENT:
        raise RuntimeError("PHT_SECRET_KEY must be set when PHT_DEBUG is off")
    # Development only: one random key per checkout, kept out of git under var/.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("PHT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
PHT_ALLOW_SYNTHETIC_IDS = _flag("PHT_ALLOW_SYNTHETIC_IDS", "1" if DEVELOPMENT else "0")
PHT_PSEUDONYM_KEY = os.environ.get(
    "PHT_PSEUDONYM_KEY", "development-only-pseudonym-key" if DEVELOPMENT else ""
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Form widgets' templates, for FORM_RENDERER below.
    "django.forms",
    # Listed so that /api/docs serves Swagger UI's assets from the package, not from a CDN.
    "ninja",
    # Background jobs: django-tasks with its database backend (no extra server; see docs/jobs.md).
    "django_tasks",
    "pht.apps.jobs.task_queue.TaskQueueConfig",  # django_tasks_db, with a translated name
    "pht.apps.accounts",
    "pht.apps.registry",
    "pht.apps.scheme",
    "pht.apps.finance",
    "pht.apps.care",
    "pht.apps.evaluation",
    "pht.apps.jobs",
]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The data lake settlement runs started from the finance pages read (``pht demo`` writes a synthetic one).
PHT_FINANCE_LAKE = Path(os.environ.get("PHT_FINANCE_LAKE", VAR_DIR / "lake"))
# The nation-scale lake the national what-if job reads (``pht synth --scale nation`` writes one).
PHT_NATION_LAKE = Path(os.environ.get("PHT_NATION_LAKE", VAR_DIR / "nation-lake"))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files answer here, before sessions and the headers below (they carry no personal data).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pht.site.middleware.SecurityHeaders",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware: a page refused for a NUL byte is answered in its language.
    "pht.site.middleware.RefuseNulBytes",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pht.site.urls"
WSGI_APPLICATION = "pht.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pht.site.context_processors.navigation",
            ],
            # One way to show a value on every page: amount, number, percent, fte, day, moment, label.
            "builtins": ["pht.apps.accounts.templatetags.pht_format"],
        },
    },
]

# Widgets render through TEMPLATES, so the site's templates can replace one of Django's: the admin's date
# and time inputs get labels (templates/admin/widgets/split_datetime.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pht.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under a multi-threaded server: WAL lets readers run beside the one writer,
    # a writer waits up to 20 s for the lock instead of failing with "database is locked", and
    # transactions take the write lock when they begin (IMMEDIATE), so two transactions that read and
    # then write never deadlock on the upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["pht.apps.accounts.backends.LockoutModelBackend"]
# Lockout: this many failed logins in a row lock an account for PHT_LOCKOUT_MINUTES.
PHT_LOCKOUT_ATTEMPTS = int(os.environ.get("PHT_LOCKOUT_ATTEMPTS", "5"))
PHT_LOCKOUT_MINUTES = int(os.environ.get("PHT_LOCKOUT_MINUTES", "15"))

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
# How a date is typed in each language (a date input's value and what it accepts): pht/site/formats.
FORMAT_MODULE_PATH = ["pht.site.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [SITE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves the static files from the app's finders (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
# STATIC_ROOT exists only after collectstatic, which serving through the finders does not need.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

EMAIL_BACKEND = os.environ.get("PHT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("PHT_FROM_EMAIL", "pht@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEVELOPMENT
CSRF_COOKIE_SECURE = not DEVELOPMENT
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEVELOPMENT:
    # Production: HTTPS only, remembered by browsers for a year (HSTS).
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = _flag("PHT_SSL_REDIRECT", "1" if not DEVELOPMENT else "0")
if _flag("PHT_BEHIND_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (pht.site.middleware.SecurityHeaders): everything from this site, no inline
# script or style. Swagger UI (/api/docs) sets inline styles, so its pages get PHT_CSP_DOCS.
PHT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PHT_CSP_DOCS = PHT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
