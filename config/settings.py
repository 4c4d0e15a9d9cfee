"""Settings for the whole site, read from the environment.

Defaults suit a developer on SQLite. Production differs only by environment variables:
DJANGO_DEBUG unset (or 0), SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and EMAIL_URL.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "For local development set DJANGO_DEBUG=1."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"
elif not DEBUG and len(SECRET_KEY) < 50:
    # Sessions, password-reset links and calendar tokens are signed with it.
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters when DJANGO_DEBUG is off. Make one with: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS and browser protections. Production (debug off) is HTTPS only; see docs/security.md.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    # Only behind a proxy that sets this header itself; otherwise a client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Failed sign-ins are limited per client address, which the proxy appends to
    # X-Forwarded-For; otherwise every client would share the proxy's address and its limit.
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# In production the cookies carry the __Host- prefix: browsers then accept them only over HTTPS,
# for this host alone (no Domain) and the whole site (Path=/), so no other subdomain can set them.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The browser features no page of the site uses, refused to it and to anything it might embed
# (operations.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), fullscreen=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)

# A session ends after this long without a request (8 hours: a working day). The expiry moves
# forward as the session is used, at most once per SESSION_REFRESH_SECONDS, so that a page view
# is not also a database write (operations.middleware.SessionRefreshMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=5 * 60)
# However busy, a session ends this long after sign-in (12 hours: ASVS 3.3.2 at level 2).
SESSION_MAX_SECONDS = env.int("SESSION_MAX_SECONDS", default=12 * 60 * 60)

# No inline scripts or styles anywhere; htmx is told not to add its indicator <style> by the
# htmx-config meta tag in templates/base.html. Bootstrap draws some icons with data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The widgets' own templates, found by the project's template engine (FORM_RENDERER).
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "template_partials",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "training",
    "circles",
    "supervision",
    "caseload",
    "calendars",
    "competencies",
    "dashboards",
    "audit",
    "operations",
    "home",
    "notifications",
    "demo",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "operations.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "operations.middleware.RequestSizeLimitMiddleware",
    "operations.middleware.SessionEndMiddleware",
    "operations.middleware.SessionRefreshMiddleware",
    "operations.middleware.PrivateResponseMiddleware",
    "operations.middleware.RefusalLogMiddleware",
    "operations.middleware.HtmxSignInMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# Every form field is drawn by one template (templates/forms/field.html) with Bootstrap's classes.
FORM_RENDERER = "common.form_rendering.FormRenderer"

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The audit trail (django-simple-history) is read, never edited or reverted, in the product.
SIMPLE_HISTORY_REVERT_DISABLED = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Accounts come from the roster or an administrator: sign-in by email and password only.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# People are emailed when their password changes or an authenticator app or recovery codes are
# added or removed, so that a change they did not make does not go unnoticed.
ACCOUNT_EMAIL_NOTIFICATIONS = True

# Sign-in through the organisation's identity provider (OpenID Connect: Microsoft Entra ID,
# Google Workspace, Okta, …), switched on by OIDC_SERVER_URL. Only people on the roster get in.
SOCIALACCOUNT_ADAPTER = "training.sign_in.RosterSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, list[dict[str, object]]]] = {
    "openid_connect": {"APPS": []}
}
if OIDC_SERVER_URL := env.str("OIDC_SERVER_URL", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": env.str("OIDC_PROVIDER_ID", default="organisation"),
            "name": env.str("OIDC_NAME", default="your organisation"),
            "client_id": env.str("OIDC_CLIENT_ID"),
            "secret": env.str("OIDC_CLIENT_SECRET"),
            "settings": {"server_url": OIDC_SERVER_URL},
        }
    )

# A review may name a case only by the organisation's pseudonymous reference. Left empty, the
# built-in rule applies (competencies/case_references.py: digits, in groups, after at most three
# letters; nothing that reads as a name or a date). An organisation sets its own format as a
# regular expression, which then alone decides, and the message that explains it.
CASE_REFERENCE_PATTERN = env.str("CASE_REFERENCE_PATTERN", default="")
CASE_REFERENCE_MESSAGE = env.str(
    "CASE_REFERENCE_MESSAGE",
    default="Use only your organisation's case reference, such as CR-1042: digits, in groups "
    "joined by - / . or _, after at most three letters. Never a name or a date of birth.",
)

# Two-factor sign-in (allauth's TOTP authenticator apps and recovery codes), open to everyone and
# required for these roles: administrators and programme leads in production by default.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Email addresses come from the roster, not from the person, so they need no verification
# before an authenticator is set up.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Practice roll-out")
MFA_REQUIRED_FOR_ROLES = env.list(
    "MFA_REQUIRED_FOR_ROLES", default=[] if DEBUG else ["administrator", "programme_lead"]
)

# One cache for every worker process, so that allauth's sign-in and password-reset rate limits
# hold across them. The database cache needs no other service (`createcachetable` makes it).
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://django_cache")}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="practice-rollout@localhost")

# Links in emails and calendar files point here (docs/operations.md, "Calendars").
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Every calendar event's UID ends with this, so that two installations never share a UID: by
# default the host of SITE_URL. Changing it makes calendars see every meeting as a new one.
CALENDAR_UID_DOMAIN = env.str(
    "CALENDAR_UID_DOMAIN", default=urlsplit(SITE_URL).hostname or "practice-rollout"
)
# Circle meetings that fall on a bank holiday of this region are skipped or moved (the
# `holidays` package's country and subdivision, e.g. GB-SCT; empty for none).
BANK_HOLIDAY_REGION = env.str("BANK_HOLIDAY_REGION", default="GB-ENG")
# How often subscribed calendars are asked to fetch the feed again (minutes).
CALENDAR_REFRESH_MINUTES = env.int("CALENDAR_REFRESH_MINUTES", default=60)
REMINDER_DAYS_BEFORE = env.int("REMINDER_DAYS_BEFORE", default=3)
# purge_leavers anonymises people this many years after the day they left (docs/operations.md).
LEAVER_RETENTION_YEARS = env.int("LEAVER_RETENTION_YEARS", default=6)
if LEAVER_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("LEAVER_RETENTION_YEARS must be at least 1.")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Production serves hashed, compressed copies made by collectstatic; debug serves the sources.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Background tasks (the roster and training imports) wait in a table of the database until a
# worker runs them: `manage.py db_worker` beside the web server (docs/operations.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Uploads (roster and training CSV files) are read in memory; keep them small.
ROSTER_UPLOAD_MAX_BYTES = env.int("ROSTER_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024)
# An import checks every row before it writes any; a file with more rows than this is refused
# whole, before its rows are read (split it into several files).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10_000)

# Request sizes: the proxy refuses a larger body first (client_max_body_size, docs/operations.md),
# and operations.middleware.RequestSizeLimitMiddleware refuses one before anything reads it: the
# largest upload and its form for a signed-in person; a sign-in form's worth for anyone else, who
# has nothing to upload. Django's own limits stand behind them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=512 * 1024)
REQUEST_MAX_BYTES = ROSTER_UPLOAD_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
ANONYMOUS_REQUEST_MAX_BYTES = env.int("ANONYMOUS_REQUEST_MAX_BYTES", default=64 * 1024)
# A file that is accepted is read in memory, never written to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Each line says when and where: "2026-01-05 09:12:03,412 INFO operations.security sign-in
    # account=12". The security log names accounts by ID only (operations/receivers.py).
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # A calendar feed's path is its credential: Django's request logs get it shortened.
    "filters": {"feed_tokens": {"()": "calendars.logging.FeedTokenFilter"}},
    "loggers": {
        "django.request": {"filters": ["feed_tokens"]},
        "django.server": {"filters": ["feed_tokens"]},
    },
}
