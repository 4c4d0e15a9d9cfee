"""One validator for all single-line text, on every model field that holds some."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from common.validators import validate_single_line

REFUSED = [
    ("Stroud\r\ncircle", "a line break at character 7"),
    ("Stroud\ncircle", "a line break at character 7"),
    ("Stroud\rcircle", "a line break at character 7"),
    ("Stroud\x00circle", "a null character at character 7"),
    ("Stroud\tcircle", "a tab at character 7"),
    ("Stroud\x1bcircle", "a control character (U+001B) at character 7"),
    ("Stroud\x7fcircle", "a control character (U+007F) at character 7"),
    ("Stroud\x85circle", "a control character (U+0085) at character 7"),
    ("Stroud\x9bcircle", "a control character (U+009B) at character 7"),
    ("Stroud\u2028circle", "a line break (U+2028) at character 7"),
    ("Stroud\u2029circle", "a paragraph break (U+2029) at character 7"),
]


@pytest.mark.parametrize(("text", "found"), REFUSED)
def test_line_breaks_and_control_characters_are_refused_saying_what_and_where(text, found):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(text)

    assert refused.value.messages == [
        f"Write this on one line: it contains {found}. Remove line breaks, tabs and other "
        "control characters."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Gloucester Pod 7",
        "Siân O'Neil-Brown",
        "Forêt de Dean",
        "Room 4 (2nd floor) & café",
        "🙂",
        "",
    ],
)
def test_ordinary_text_on_one_line_is_accepted(text):
    validate_single_line(text)


# Text fields that are not single-line text, each for a reason.
NOT_SINGLE_LINE = {
    ("notifications", "Email", "subject"): "written by the product on one line from names "
    "checked where they are typed",
    ("notifications", "Email", "last_error"): "the error a failed send gave, which may be long",
    ("calendars", "CalendarFeed", "token"): "made by the product, never typed",
    ("calendars", "CalendarFeed", "content_etag"): "a hash made by the product",
    ("calendars", "Notice", "uid"): "made by the product from the event's kind and id",
    ("calendars", "Reminder", "uid"): "made by the product from the event's kind and id",
    ("calendars", "Notice", "reason"): "copied from a meeting's reason, checked where it is typed",
    ("calendars", "Notice", "last_error"): "the error a failed send gave, which may be long",
    ("training", "ImportRun", "stage"): "set by the product as the import runs",
    ("training", "ImportRun", "file_name"): "the uploaded file's own name, only shown escaped "
    "on the import's page; refusing it would refuse the file",
    ("accounts", "User", "password"): "a hash made by the product",
}


def single_line_fields() -> list[tuple[str, str, str]]:
    """Every CharField of the project's own models (not choices, slugs, emails or addresses,
    whose own validators refuse control characters), but those in NOT_SINGLE_LINE."""
    ours = Path(settings.BASE_DIR)
    found = []
    for model in apps.get_models():
        path = Path(model._meta.app_config.path)
        # Installed packages live under the project when its virtual environments do
        # (.venv, .venv-3.13, ...).
        if ours not in path.parents or "site-packages" in path.parts:
            continue
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            name = (model._meta.app_label, model.__name__, field.name)
            if (
                type(field) is models.CharField
                and not field.choices
                and name not in NOT_SINGLE_LINE
            ):
                found.append(name)
    return found


def test_every_typed_text_field_of_one_line_refuses_control_characters():
    fields = single_line_fields()

    without = [
        (app, model, name)
        for app, model, name in fields
        if validate_single_line not in apps.get_model(app, model)._meta.get_field(name).validators
    ]
    assert {("circles", "LearningCircle", "name"), ("training", "Person", "full_name")} <= set(
        fields
    )
    assert not without
