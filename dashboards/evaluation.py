"""A pseudonymised dataset for an independent evaluator.

Every export gives each person, circle, 2:1 session and review a fresh random identifier, so two
exports cannot be joined on any identifier (the database's own numbers, which also appear in the
product's addresses, are never written), and rows that share a date are in the order of those
identifiers, not the database's. There are no names, emails, case references or free text.
No row of people.csv singles anyone out: taken whole (every column but the random identifier,
dates included) each row describes at least K people, dates are given by month at the most
precise, and small groups are generalised along one ladder (see `LADDER` and `generalise`). A
data dictionary describes every column and both rules.

The rows' content (dates, ratings) is the same in every export and can still match records
across two exports: each export remains personal data.
"""

from __future__ import annotations

import datetime
import io
import secrets
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from circles.models import MeetingAttendance
from common.spreadsheets import csv_text
from competencies.models import Rating, Review, ReviewStatus
from supervision.models import SupervisionSession
from training.models import Phase
from training.selectors import people_with_training

K = 5
"""The fewest people any released row of people.csv (every column but `person`) may describe."""

SUPPRESSED = f"Other (fewer than {K} people)"
"""What a suppressed value reads in people.csv."""

OUTSIDE_PHASES = "Outside the phases"
"""What a date reads at the phase level when no phase's dates include it."""

DATES = ("restorative_on", "base_on", "trained_on")
"""The dates of people.csv: never released exactly, at least generalised to their month."""

DESCRIPTIVE = ("team", "service_area", "role_group", "status", *DATES, "trained_phase")
"""Every column of people.csv that describes a person: all but the random `person`. Together
they are the quasi-identifier that the K rule is applied to."""


@dataclass(frozen=True)
class Step:
    """One step of the generalisation ladder: how precise the dates are, and which other
    columns are suppressed."""

    dates: str
    suppressed: tuple[str, ...]


LADDER = (
    Step("month", ()),
    Step("quarter", ()),
    Step("quarter", ("team",)),
    Step("phase", ("team",)),
    Step("phase", ("team", "role_group")),
    Step("phase", ("team", "role_group", "service_area")),
    Step("suppressed", DESCRIPTIVE),
)
"""From most to least precise; a person whose row describes fewer than K people moves one step
down, and again while the row they land on describes fewer than K."""


COLUMNS = [
    ("people.csv", "person", "Random identifier of a member of staff, new in every export"),
    ("people.csv", "team", f"Team name, or '{SUPPRESSED}' (see small groups below)"),
    ("people.csv", "service_area", f"The team's service area, or '{SUPPRESSED}'"),
    (
        "people.csv",
        "role_group",
        f"senior_manager, manager, practitioner, partner or admin, or '{SUPPRESSED}'",
    ),
    (
        "people.csv",
        "status",
        f"active, extended_leave or left, at the time of export, or '{SUPPRESSED}'",
    ),
    (
        "people.csv",
        "restorative_on",
        "Month of the first attended day 1 (Restorative Practice), as 2016-03, or coarser "
        "(see small groups); blank if none",
    ),
    (
        "people.csv",
        "base_on",
        "Month of the first attended day 2 (the BASE model), or coarser; blank if none",
    ),
    (
        "people.csv",
        "trained_on",
        "Month of the later of the two, when the person was trained, or coarser; blank if not",
    ),
    (
        "people.csv",
        "trained_phase",
        f"Phase of the cohort where the completing day took place, or '{SUPPRESSED}'",
    ),
    (
        "circle_attendance.csv",
        "circle",
        "Random identifier of the learning circle, new in every export",
    ),
    ("circle_attendance.csv", "meeting_date", "Date of the circle meeting"),
    ("circle_attendance.csv", "person", "Random identifier, as in people.csv"),
    ("circle_attendance.csv", "attendance", "present, apologies or absent"),
    ("supervision.csv", "session", "Random identifier of the 2:1 session, new in every export"),
    ("supervision.csv", "date", "Date of the 2:1"),
    ("supervision.csv", "status", "planned, held or cancelled"),
    ("supervision.csv", "supervisor", "Random identifier of the supervisor, as in people.csv"),
    ("supervision.csv", "practitioner", "Random identifier of one practitioner in the 2:1"),
    ("ratings.csv", "review", "Random identifier of the review, new in every export"),
    ("ratings.csv", "revision", "1 for a review, 2 and up for its corrections"),
    ("ratings.csv", "practitioner", "Random identifier, as in people.csv"),
    ("ratings.csv", "supervisor", "Random identifier, as in people.csv"),
    ("ratings.csv", "framework", "Framework name and version the rating was given against"),
    ("ratings.csv", "signed_off_on", "Date the supervisor signed the review off"),
    ("ratings.csv", "case_type", "early_help, cin, cp, cic, youth_justice, other or blank"),
    ("ratings.csv", "risk_level", "low, medium, high or blank"),
    ("ratings.csv", "stage", "engagement, resilience, risk, analysis, planning or restorative"),
    ("ratings.csv", "competency", "Stable code of the competency"),
    ("ratings.csv", "rater", "self (the practitioner) or supervisor"),
    ("ratings.csv", "level", "1 Basic, 2 Competent, 3 Advanced; blank means not yet seen"),
]


def _ladder_text() -> str:
    steps = []
    for number, step in enumerate(LADDER, start=1):
        if step.suppressed == DESCRIPTIVE:
            steps.append(f"{number}. everything suppressed")
        elif step.suppressed:
            hidden = ", ".join(step.suppressed)
            steps.append(f"{number}. dates by {step.dates}, {hidden} suppressed")
        else:
            steps.append(f"{number}. dates by {step.dates}")
    return "; ".join(steps)


RULES = [
    (
        "(every file)",
        "(identifiers)",
        "person, circle, session and review are random, consistent within one export (rows "
        "join on them) and new in every export: two exports cannot be joined on them. Rows "
        "sharing a date are in the order of these identifiers.",
    ),
    (
        "people.csv",
        "(small groups)",
        f"K = {K}. Every row of people.csv describes at least K people: every combination of "
        f"its columns but person ({', '.join(DESCRIPTIVE)}) is shared by K people or more. No "
        "exact date of a person is released. The generalisation ladder: "
        f"{_ladder_text()}. Everyone starts on step 1; the people of a row shared by fewer "
        "than K move one step down, again while the row they land on is shared by fewer than "
        "K. Should fewer than K people remain with everything suppressed, the smallest other "
        "groups join them whole.",
    ),
    (
        "people.csv",
        "(dates)",
        "restorative_on, base_on and trained_on are given by month (2016-03), by quarter "
        "(2016-Q1) or by phase (the name of the first roll-out phase whose dates include the "
        f"date, or '{OUTSIDE_PHASES}'), as small groups require, or suppressed; the three "
        "dates of one person are always at the same step. The dates in the other files "
        "(meetings, 2:1s, sign-offs) are exact.",
    ),
]

DICTIONARY = COLUMNS + RULES


def _header(file: str) -> list[str]:
    return [column for name, column, _ in COLUMNS if name == file]


def _csv(header: list[str], rows: Iterable[Sequence[object]]) -> str:
    return csv_text([header, *rows])


class Codes(dict):
    """Random identifiers made on first use: the same key gets the same code in one export,
    and no two keys share one."""

    def __init__(self) -> None:
        super().__init__()
        self._used: set[str] = set()

    def __missing__(self, key: object) -> str:
        code = secrets.token_hex(6)
        while code in self._used:
            code = secrets.token_hex(6)
        self._used.add(code)
        self[key] = code
        return code


@dataclass(frozen=True)
class PhaseDates:
    name: str
    start_date: datetime.date | None
    end_date: datetime.date | None

    def includes(self, day: datetime.date) -> bool:
        """Whether the phase's dates include `day`; a phase with no dates includes none."""
        if self.start_date is None and self.end_date is None:
            return False
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date
        )


def _date_at(day: datetime.date | None, level: str, phases: Sequence[PhaseDates]) -> str:
    if level == "suppressed":
        return SUPPRESSED
    if day is None:
        return ""
    if level == "month":
        return f"{day:%Y-%m}"
    if level == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return next((phase.name for phase in phases if phase.includes(day)), OUTSIDE_PHASES)


def _shown(row: dict[str, Any], step: Step, phases: Sequence[PhaseDates]) -> tuple[str, ...]:
    return tuple(
        _date_at(row[column], step.dates, phases)
        if column in DATES
        else SUPPRESSED
        if column in step.suppressed
        else row[column]
        for column in DESCRIPTIVE
    )


def generalise(
    people: list[dict[str, Any]], phases: Sequence[PhaseDates] = ()
) -> list[dict[str, Any]]:
    """`people` with their DESCRIPTIVE values generalised along LADDER until every row is shared
    by at least K people (unless there are fewer than K people in all).

    `phases` (in their order) name the phase of a date at the phase step: the first whose dates
    include it. Each group smaller than K moves one step down, and again while the group it
    lands in is smaller than K. Should fewer than K people end with everything suppressed, the
    smallest remaining groups (the first in sorted order among equals) join them whole.
    """
    last = len(LADDER) - 1
    steps = [0] * len(people)
    # Each person's values as shown at their step, worked out again only when the step moves.
    current = [_shown(row, LADDER[0], phases) for row in people]

    def step_to(i: int, step: int) -> None:
        steps[i] = step
        current[i] = _shown(people[i], LADDER[step], phases)

    while True:
        sizes = Counter(current)
        small = [i for i, key in enumerate(current) if sizes[key] < K and steps[i] < last]
        if not small:
            break
        for i in small:
            step_to(i, steps[i] + 1)
    everything = (SUPPRESSED,) * len(DESCRIPTIVE)
    while 0 < sizes[everything] < K and len(sizes) > 1:
        smallest = min((size, key) for key, size in sizes.items() if key != everything)[1]
        for i, key in enumerate(current):
            if key == smallest:
                step_to(i, last)
        sizes = Counter(current)
    return [
        {**row, **dict(zip(DESCRIPTIVE, key, strict=True))}
        for row, key in zip(people, current, strict=True)
    ]


def evaluation_export() -> tuple[bytes, str]:
    """The dataset as a ZIP file of CSV files, and its file name."""
    today = timezone.localdate()
    phases = dict(Phase.objects.values_list("pk", "name"))
    spans = [
        PhaseDates(*values)
        for values in Phase.objects.values_list("name", "start_date", "end_date")
    ]
    alias = Codes()
    people = generalise(
        [
            {
                "person": alias[row["pk"]],
                "team": row["team__name"],
                "service_area": row["team__service_area"],
                "role_group": row["role_group"],
                "status": row["status"],
                "restorative_on": row["restorative_on"],
                "base_on": row["base_on"],
                "trained_on": row["trained_on"],
                "trained_phase": phases.get(row["credited_phase_id"], ""),
            }
            for row in people_with_training(today)
            .values(
                "pk",
                "team__name",
                "team__service_area",
                "role_group",
                "status",
                "restorative_on",
                "base_on",
                "trained_on",
                "credited_phase_id",
            )
            .order_by("?")
        ],
        spans,
    )
    header = _header("people.csv")
    files = {
        "people.csv": _csv(header, ([row[column] for column in header] for row in people)),
        "circle_attendance.csv": _csv(_header("circle_attendance.csv"), _attendance(alias)),
        "supervision.csv": _csv(_header("supervision.csv"), _sessions(alias)),
        "ratings.csv": _csv(_header("ratings.csv"), _ratings(alias)),
        "data_dictionary.csv": _csv(["file", "column", "meaning"], DICTIONARY),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue(), f"evaluation-dataset-{today}.zip"


class LocalDates(dict):
    """The local date of each moment, worked out once: every attendance mark of a meeting, and
    every rating of a review, shares its moment."""

    def __missing__(self, moment: datetime.datetime) -> datetime.date:
        day = self[moment] = timezone.localtime(moment).date()
        return day


def _attendance(alias: Codes) -> list[list[object]]:
    circles = Codes()
    local = LocalDates()
    rows = [
        [circles[circle], local[starts], alias[person], status]
        for circle, starts, person, status in MeetingAttendance.objects.values_list(
            "meeting__circle_id", "meeting__starts_at", "person_id", "status"
        )
    ]
    return sorted(rows, key=lambda row: (row[1], row[0], row[2]))


def _sessions(alias: Codes) -> list[list[object]]:
    sessions = Codes()
    places = SupervisionSession.practitioners.through.objects.values_list(
        "supervisionsession_id",
        "supervisionsession__starts_at",
        "supervisionsession__status",
        "supervisionsession__supervisor_id",
        "person_id",
    )
    local = LocalDates()
    rows = [
        [
            sessions[session],
            local[starts],
            status,
            alias[supervisor],
            alias[person],
        ]
        for session, starts, status, supervisor, person in places
    ]
    return sorted(rows, key=lambda row: (row[1], row[0], row[4]))


REVIEW_FIELDS = [
    "pk",
    "revision",
    "practitioner_id",
    "supervisor_id",
    "version__framework__name",
    "version__number",
    "signed_off_at",
    "case_type",
    "risk_level",
]


def _ratings(alias: Codes) -> list[list[object]]:
    reviews = Codes()
    local = LocalDates()
    signed_off = Review.objects.filter(status=ReviewStatus.SIGNED_OFF)
    # The review's columns, the same on each of its ratings: read and worked out once a review.
    review_columns = {
        review: [
            reviews[review],
            revision,
            alias[practitioner],
            alias[supervisor] if supervisor else "",
            f"{framework} v{version}",
            local[signed_off_at],
            case_type,
            risk_level,
        ]
        for (
            review,
            revision,
            practitioner,
            supervisor,
            framework,
            version,
            signed_off_at,
            case_type,
            risk_level,
        ) in signed_off.values_list(*REVIEW_FIELDS).order_by("pk")
    }
    ratings = (
        Rating.objects.filter(review__in=signed_off)
        .values_list("review_id", "competency__area__stage", "competency__code", "rater", "level")
        .order_by("competency_id", "rater")
    )
    rows = [
        # A review signed off between the two statements has its ratings left for next time.
        [*review_columns[review], stage, code, rater, "" if level is None else level]
        for review, stage, code, rater, level in ratings
        if review in review_columns
    ]
    # Stable: within one review the ratings keep the framework's order.
    return sorted(rows, key=lambda row: (row[5], row[0]))
