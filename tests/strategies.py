"""Hypothesis strategies shared by the property tests: any text, dates and times as people type
them, addresses on the roster and made-up ones, IDs and JSON values. Near-valid values of one
form or import live beside its test; these are the building blocks."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from hypothesis import strategies as st

if TYPE_CHECKING:
    from training.models import Person

TODAY = datetime.date.today()


EDGE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t",
    "\r\n",
    "\u00a0",
    "\ufeff",
    "\u202etxt.exe",
    "١٢",  # Arabic-Indic digits: int() reads them
    "²",  # str.isdigit() is True but int() refuses it
    "1²",
    "-1",
    "0",
    "1.5",
    "1e9",
    "99999999999999999999",
    "NaN",
    "None",
    "null",
    "[]",
    '"',
    "<script>alert(1)</script>",
    "'; DROP TABLE training_person; --",
    "%s%n{0}",
    "🙂",
    "İ",
    "ß",
    "ǅ",
]
HUGE_TEXT = st.tuples(st.text(min_size=1, max_size=4), st.integers(1_000, 20_000)).map(
    lambda chunk_times: chunk_times[0] * chunk_times[1]
)
# Any text: edge cases, arbitrary Unicode (null characters included) and huge values.
ANY_TEXT = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=60), HUGE_TEXT)
SHORT_TEXT = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=12))
NUMBERS = st.integers(-(2**70), 2**70).map(str)


def _last_sunday_of_march(year: int) -> datetime.date:
    end = datetime.date(year, 3, 31)
    return end - datetime.timedelta(days=(end.weekday() - 6) % 7)


# The clocks go forward at 01:00 on the last Sunday of March: 01:00 to 02:00 never happens.
CLOCKS_GO_FORWARD = _last_sunday_of_march(TODAY.year + 1)
EDGE_DATES = [
    "0001-01-01",
    "9999-12-30",
    "2024-02-29",
    "2023-02-29",
    "2026-13-01",
    "31/12/2026",
    "1/1/1",
    CLOCKS_GO_FORWARD.isoformat(),
]


def date_text(dates: st.SearchStrategy[datetime.date]) -> st.SearchStrategy[str]:
    """Dates as a person types them: 2026-03-01 or 01/03/2026."""
    return dates.flatmap(
        lambda day: st.sampled_from([day.isoformat(), f"{day:%d/%m}/{day.year:04d}"])
    )


def any_date(dates: st.SearchStrategy[datetime.date] | None = None) -> st.SearchStrategy[str]:
    return st.one_of(date_text(dates or st.dates()), st.sampled_from(EDGE_DATES), ANY_TEXT)


NEAR_DATES = st.dates(TODAY - datetime.timedelta(days=730), TODAY + datetime.timedelta(days=730))
TIMES = st.one_of(
    st.times().flatmap(lambda t: st.sampled_from([f"{t:%H:%M}", f"{t:%H:%M:%S}"])),
    st.sampled_from(["00:00", "01:00", "01:30", "02:00", "02:10", "10:00", "12:00", "23:59"]),
    st.sampled_from(["24:00", "9:5", "10:00:00.5", "noon", "-01:00"]),
    ANY_TEXT,
)


def emails_of(people: list[Person]) -> st.SearchStrategy[str]:
    """Addresses on the roster (in any case, with spaces), made-up ones, and any text."""
    known = st.sampled_from([person.email for person in people])
    return st.one_of(
        known,
        known.map(str.upper),
        known.map(lambda address: f"  {address} "),
        st.sampled_from(["nobody@council.example", "not-an-email", "a@b", "@", "İ@example.com"]),
        st.emails(),
        ANY_TEXT,
    )


def key_suffixes(ids: list[int]) -> st.SearchStrategy[str]:
    """The `<id>` of a field named `status-<id>`: real IDs, numbers and short printable text.

    Quotes and control characters are left out: the test client writes field names into the
    multipart body unescaped.
    """
    printable = st.characters(exclude_categories=["Cs", "Cc"], exclude_characters='"\\')
    return st.one_of(
        st.sampled_from([str(pk) for pk in ids]),
        NUMBERS,
        st.sampled_from(["²", "١", "1²", "01", " 1"]),
        st.text(printable, max_size=6),
    )


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(SHORT_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)
