"""The production settings, with the environment a test run needs filled in where unset."""

import os
import tempfile

os.environ.setdefault(
    "SECRET_KEY", "test-only-secret-key-not-for-any-real-site-and-at-least-50-characters"
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("EMAIL_URL", "memorymail://")

from config.settings import *  # noqa: E402, F403

# Two-factor sign-in is tested on its own (tests/accounts/test_mfa.py); elsewhere it is not
# required, so tests can sign in as any role.
MFA_REQUIRED_FOR_ROLES = []

# Tasks run at once, in the request or command that enqueues them; tests/training/test_tasks.py
# also runs them through the database queue and its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Hashing a password the production way takes half a second; the tests make many accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client and the live server speak plain HTTP; a test asks for HTTPS with secure=True.
SECURE_SSL_REDIRECT = False

# Tests serve the static sources as debug does: there is no collectstatic manifest to look up.
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that threads in a test (and the live server) share it and wait
    # for each other's locks as the production database does.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"practice-rollout-test-{os.getpid()}.sqlite3")
    }
    # The test database is deleted and made again on every run; a WAL file left beside it by a
    # killed run would corrupt the next one, so tests keep SQLite's default journal.
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;"
    )
