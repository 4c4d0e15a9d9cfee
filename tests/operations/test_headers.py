"""What every response tells the browser: the content policy, HTTPS only, and no storing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_a_signed_in_page_allows_only_our_own_scripts_and_styles(cast, as_user):
    response = as_user(cast.programme_lead).get(reverse("rollout"))

    assert directives(response) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_a_signed_in_page_over_https_tells_the_browser_to_use_only_https(cast, as_user):
    client = as_user(cast.programme_lead)

    secure = client.get(reverse("rollout"), secure=True)
    plain = client.get(reverse("rollout"))

    assert secure.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "Strict-Transport-Security" not in plain.headers


def test_a_signed_in_page_is_never_stored_by_the_browser_or_a_proxy(cast, as_user):
    response = as_user(cast.programme_lead).get(reverse("rollout"))

    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_exports_to_a_signed_in_person_are_never_stored_either(cast, as_user):
    response = as_user(cast.programme_lead).get(reverse("roster"), {"_export": "csv"})

    assert "no-store" in response.headers.get("Cache-Control", "")


def test_static_files_stay_cacheable_for_a_signed_in_person(cast, as_user):
    response = as_user(cast.programme_lead).get("/static/css/site.css")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_page_for_people_not_signed_in_is_not_marked_private(client):
    response = client.get(reverse("accessibility"))

    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_pages_cannot_be_framed_sniffed_or_leak_their_address(client):
    response = client.get(reverse("account_login"))

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_response_refuses_the_browser_features_the_site_never_uses(client, cast, signed_in):
    if signed_in:
        client.force_login(cast.practitioner.user)
    pages = [reverse("account_login"), reverse("home"), "/static/css/site.css", "/no-such/"]

    for page in pages:
        policy = client.get(page).headers.get("Permissions-Policy", "")
        features = dict(part.strip().split("=") for part in policy.split(",") if part.strip())
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features.get(feature) == "()", f"{page}: {feature} in {policy!r}"


INLINE = [
    (re.compile(r"<style", re.IGNORECASE), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an on... event handler attribute"),
    (re.compile(r"\shx-on", re.IGNORECASE), "an hx-on attribute (htmx evaluates it as script)"),
    (re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE), "a javascript: URL"),
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE),
        "an inline <script>",
    ),
]


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    """The policy blocks them; a template that needed one would be broken in the browser."""
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]

    assert found == []


def test_htmx_is_told_not_to_add_its_indicator_style(cast, as_user):
    """htmx 2 adds a <style> element unless configured not to; the policy would block it."""
    html = as_user(cast.programme_lead).get(reverse("rollout")).content.decode()

    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert meta is not None
    assert json.loads(meta.group(1))["includeIndicatorStyles"] is False
