"""Every box that scrolls a table sideways in a narrow window can be reached and scrolled from
the keyboard and is announced by name (WCAG 2.1.1): a focusable region named by the caption of
the table it holds."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCROLL_BOX = re.compile(r"<div[^>]*class=\"[^\"]*\b(table-responsive|overflow-[a-z-]*auto)\b[^>]*>")


def scroll_boxes() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(TEMPLATES)), match.group(0))
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in SCROLL_BOX.finditer(path.read_text(encoding="utf-8"))
    ]


def test_every_scroll_box_is_a_named_region_that_takes_keyboard_focus():
    boxes = scroll_boxes()
    unreachable = [
        f"{path}: {tag}"
        for path, tag in boxes
        if 'tabindex="0"' not in tag
        or 'role="region"' not in tag
        or not re.search(r"aria-label(ledby)?=\"[^\"]+\"", tag)
    ]

    assert len(boxes) >= 10
    assert unreachable == []


def test_each_region_is_named_by_a_caption_in_the_same_template():
    for path, tag in scroll_boxes():
        named_by = re.search(r"aria-labelledby=\"([^\"]+)\"", tag)
        if named_by:
            assert f'id="{named_by.group(1)}"' in (TEMPLATES / path).read_text(), path
