"""Django settings, 12-factor: everything that differs between machines comes from the environment.

- ``DATABASE_URL``: defaults to an SQLite file under ``PHT_VAR_DIR`` (``./var``); PostgreSQL in production.
- ``PHT_SECRET_KEY``: required when ``PHT_DEBUG`` is off; in debug a key is generated once into var/.
- ``PHT_DEBUG``: "1" for development (the default), "0" in production.
- ``PHT_ALLOWED_HOSTS``: comma-separated host names.
- ``PHT_ALLOW_SYNTHETIC_IDS``: "1" accepts the synthetic identifier series (demo and tests only).
- ``PHT_PSEUDONYM_KEY``: key of the keyed HMAC that pseudonymises fødselsnummer for evaluators.
- ``PHT_EMAIL_BACKEND``: Django e-mail backend (console in development).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

SITE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PHT_VAR_DIR", Path.cwd() / "var")).resolve()


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("PHT_DEBUG", "1")


def _secret_key() -> str:
    key = os.environ.get("PHT_SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise RuntimeError("PHT_SECRET_KEY must be set when PHT_DEBUG is off")
    # Development only: one random key per checkout, kept out of git under var/.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("PHT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
PHT_ALLOW_SYNTHETIC_IDS = _flag("PHT_ALLOW_SYNTHETIC_IDS", "1" if DEBUG else "0")
PHT_PSEUDONYM_KEY = os.environ.get("PHT_PSEUDONYM_KEY", "development-only-pseudonym-key" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "pht.apps.accounts",
    "pht.apps.registry",
    "pht.apps.scheme",
    "pht.apps.finance",
    "pht.apps.care",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pht.site.middleware.RefuseNulBytes",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pht.sqlite3'}"),
        conn_max_age=60,
    )
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
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [SITE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

EMAIL_BACKEND = os.environ.get("PHT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("PHT_FROM_EMAIL", "pht@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
