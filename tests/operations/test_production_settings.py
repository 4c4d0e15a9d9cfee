"""Production is the default: settings read with DJANGO_DEBUG unset, in a fresh process."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Everything the settings read from the environment, so that the test run's own values stay out
# (the browser tests also allow Django's async-unsafe calls, which no deployment may do).
OWN_VARIABLES = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
OWN_PREFIXES = ("SECURE_", "SESSION_", "BEHIND_", "STATIC_ROOT", "DATABASE_URL", "EMAIL_URL")


def production_environment(**values: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in OWN_VARIABLES and not key.startswith(OWN_PREFIXES)
    }
    environment.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="rollout.example.gov.uk")
    environment.update(values)
    return environment


def manage(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=production_environment(**environment),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(*names: str, **environment: str) -> dict[str, Any]:
    """The named settings as production reads them, as JSON (tuples become lists)."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {list(names)!r}}}, "
        "default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**production_environment(**environment), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deploy_check_passes_with_production_environment_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_fails_when_https_is_turned_off():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_SSL_REDIRECT="0")

    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_production_is_https_only_with_secure_cookies_and_a_year_of_hsts():
    values = production_settings(
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY",
    )

    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "ALLAUTH_TRUSTED_PROXY_COUNT": None,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
    }


def test_hsts_redirect_and_the_proxy_header_come_from_the_environment():
    values = production_settings(
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        SECURE_HSTS_SECONDS="3600",
        SECURE_SSL_REDIRECT="0",
        BEHIND_HTTPS_PROXY="1",
    )

    assert values == {
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "ALLAUTH_TRUSTED_PROXY_COUNT": 1,
    }


def test_a_session_lasts_eight_hours_without_a_request_unless_the_environment_says_otherwise():
    assert production_settings("SESSION_COOKIE_AGE") == {"SESSION_COOKIE_AGE": 8 * 60 * 60}
    assert production_settings("SESSION_COOKIE_AGE", SESSION_COOKIE_AGE="3600") == {
        "SESSION_COOKIE_AGE": 3600
    }


def test_production_serves_compressed_hashed_static_files_and_debug_serves_the_sources():
    def backend(**environment: str) -> object:
        return production_settings("STORAGES", **environment)["STORAGES"]["staticfiles"]["BACKEND"]

    assert backend() == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert backend(DJANGO_DEBUG="1") == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_collectstatic_builds_the_production_manifest(tmp_path):
    result = manage("collectstatic", "--no-input", STATIC_ROOT=str(tmp_path))

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = tmp_path / manifest["css/site.css"]
    assert hashed.name != "site.css"
    assert hashed.with_name(hashed.name + ".gz").exists()


def test_production_cookies_carry_the_host_prefix_and_debug_keeps_plain_names():
    names = ("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME")

    assert production_settings(*names) == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
    }
    # Plain HTTP on 127.0.0.1 for `make run`: browsers refuse __Host- cookies without HTTPS.
    assert production_settings(*names, DJANGO_DEBUG="1") == {
        "SESSION_COOKIE_NAME": "sessionid",
        "CSRF_COOKIE_NAME": "csrftoken",
    }


def test_a_session_ends_twelve_hours_after_sign_in_unless_the_environment_says_otherwise():
    assert production_settings("SESSION_MAX_SECONDS") == {"SESSION_MAX_SECONDS": 12 * 60 * 60}
    assert production_settings("SESSION_MAX_SECONDS", SESSION_MAX_SECONDS="1800") == {
        "SESSION_MAX_SECONDS": 1800
    }


def test_production_refuses_to_start_with_a_secret_key_under_50_characters():
    short = manage("check", SECRET_KEY=secrets.token_urlsafe(48)[:49])
    enough = manage("check", SECRET_KEY=secrets.token_urlsafe(48)[:50])

    assert short.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in short.stderr
    assert enough.returncode == 0, enough.stderr


def test_debug_mode_still_starts_with_a_short_development_key():
    assert manage("check", DJANGO_DEBUG="1", SECRET_KEY="short").returncode == 0
