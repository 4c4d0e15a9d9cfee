"""Validators that any app's fields use."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""C0 and C1 control characters (line feed, carriage return, tab, null and the rest), DEL, and
the Unicode line and paragraph separators: none belongs in text meant for one line."""

NAMED = {
    "\n": "a line break",
    "\r": "a line break",
    "\u2028": "a line break (U+2028)",
    "\u2029": "a paragraph break (U+2029)",
    "\t": "a tab",
    "\x00": "a null character",
}


def validate_single_line(value: str) -> None:
    """Refuse text meant for one line (a name, a venue, a reason) that holds a line break or
    another control character.

    Such text ends up in calendar files, email headers, CSV cells and log lines, where a line
    break starts a new line or field and a control character may stop the file being read.
    """
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return
    character = found.group()
    what = NAMED.get(character, f"a control character (U+{ord(character):04X})")
    raise ValidationError(
        "Write this on one line: it contains %(what)s at character %(position)s. Remove line "
        "breaks, tabs and other control characters.",
        code="single_line",
        params={"what": what, "position": found.start() + 1},
    )
