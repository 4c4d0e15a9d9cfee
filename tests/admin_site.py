"""Posting the admin site's forms as a browser would: what the page shows, with some changes."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client
from django.test.client import MULTIPART_CONTENT

TEXT_INPUTS = {"text", "hidden", "number", "email", "url", "date", "time", "password", "search"}


class _FormReader(HTMLParser):
    """The fields of the page's main admin form (its id ends in "_form") and their values."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attributes}
        if tag == "form":
            self._in_form = attrs.get("id", "").endswith("_form")
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in TEXT_INPUTS:
                self.data.setdefault(name, []).append(attrs.get("value", ""))
            elif kind in {"checkbox", "radio"} and "checked" in attrs:
                self.data.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that follows <textarea>.
            self.data[self._textarea][0] = self.data[self._textarea][0].removeprefix("\n")
            self._textarea = None


def form_data(client: Client, url: str) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} answered {page.status_code}"
    reader = _FormReader()
    reader.feed(page.content.decode())
    assert reader.data, f"no admin form on {url}"
    return reader.data


def post_changed(client: Client, url: str, **changes: str | list[str]):
    """Post the form on `url` back as shown, with `changes` (field name: new value)."""
    data = form_data(client, url)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return client.post(url, data, content_type=MULTIPART_CONTENT)
