"""A pseudonymised dataset for an independent evaluator.

Every export gives each person a fresh random identifier, so two exports cannot be joined on
it; there are no names, emails, case references or free text. A data dictionary describes every
column.
"""

from __future__ import annotations

import csv
import io
import secrets
import zipfile

from django.utils import timezone

from circles.models import MeetingAttendance
from competencies.models import Rating, ReviewStatus
from supervision.models import SupervisionSession
from training.models import Phase
from training.selectors import people_with_training

DICTIONARY = [
    ("people.csv", "person", "Random identifier of a member of staff, new in every export"),
    ("people.csv", "team", "Team name"),
    ("people.csv", "service_area", "The team's service area"),
    ("people.csv", "role_group", "senior_manager, manager, practitioner, partner or admin"),
    ("people.csv", "status", "active, extended_leave or left, at the time of export"),
    ("people.csv", "restorative_on", "Date of the first attended day 1 (Restorative Practice)"),
    ("people.csv", "base_on", "Date of the first attended day 2 (the BASE model)"),
    ("people.csv", "trained_on", "The later of the two: the date the person was trained"),
    ("people.csv", "trained_phase", "Phase of the cohort where the completing day took place"),
    ("circle_attendance.csv", "circle", "Number of the learning circle (stable within export)"),
    ("circle_attendance.csv", "meeting_date", "Date of the circle meeting"),
    ("circle_attendance.csv", "person", "Random identifier, as in people.csv"),
    ("circle_attendance.csv", "attendance", "present, apologies or absent"),
    ("supervision.csv", "session", "Number of the 2:1 session (stable within export)"),
    ("supervision.csv", "date", "Date of the 2:1"),
    ("supervision.csv", "status", "planned, held or cancelled"),
    ("supervision.csv", "supervisor", "Random identifier of the supervisor, as in people.csv"),
    ("supervision.csv", "practitioner", "Random identifier of one practitioner in the 2:1"),
    ("ratings.csv", "review", "Number of the review (stable within export)"),
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


def _csv(header: list[str], rows: object) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def evaluation_export() -> tuple[bytes, str]:
    """The dataset as a ZIP file of CSV files, and its file name."""
    today = timezone.localdate()
    people = list(
        people_with_training(today)
        .values_list(
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
    )
    alias = {row[0]: secrets.token_hex(6) for row in people}
    phases = dict(Phase.objects.values_list("pk", "name"))
    files = {
        "people.csv": _csv(
            [name for _, name, _ in DICTIONARY[:9]],
            ([alias[row[0]], *row[1:8], phases.get(row[8], "")] for row in people),
        ),
        "circle_attendance.csv": _csv(
            ["circle", "meeting_date", "person", "attendance"],
            (
                [circle, timezone.localtime(starts).date(), alias[person], status]
                for circle, starts, person, status in MeetingAttendance.objects.values_list(
                    "meeting__circle_id", "meeting__starts_at", "person_id", "status"
                ).order_by("meeting__starts_at")
            ),
        ),
        "supervision.csv": _csv(
            ["session", "date", "status", "supervisor", "practitioner"], _sessions(alias)
        ),
        "ratings.csv": _csv(
            [name for file, name, _ in DICTIONARY if file == "ratings.csv"], _ratings(alias)
        ),
        "data_dictionary.csv": _csv(["file", "column", "meaning"], DICTIONARY),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue(), f"evaluation-dataset-{today}.zip"


def _sessions(alias: dict[int, str]) -> object:
    places = SupervisionSession.practitioners.through.objects.values_list(
        "supervisionsession_id",
        "supervisionsession__starts_at",
        "supervisionsession__status",
        "supervisionsession__supervisor_id",
        "person_id",
    ).order_by("supervisionsession__starts_at")
    for session, starts, status, supervisor, person in places:
        yield [session, timezone.localtime(starts).date(), status, alias[supervisor], alias[person]]


RATING_FIELDS = [
    "review_id",
    "review__revision",
    "review__practitioner_id",
    "review__supervisor_id",
    "review__version__framework__name",
    "review__version__number",
    "review__signed_off_at",
    "review__case_type",
    "review__risk_level",
    "competency__area__stage",
    "competency__code",
    "rater",
    "level",
]


def _ratings(alias: dict[int, str]) -> object:
    ratings = (
        Rating.objects.filter(review__status=ReviewStatus.SIGNED_OFF)
        .values(*RATING_FIELDS)
        .order_by("review__signed_off_at", "review_id", "competency_id", "rater")
    )
    for row in ratings:
        yield [
            row["review_id"],
            row["review__revision"],
            alias[row["review__practitioner_id"]],
            alias.get(row["review__supervisor_id"], ""),
            f"{row['review__version__framework__name']} v{row['review__version__number']}",
            timezone.localtime(row["review__signed_off_at"]).date(),
            row["review__case_type"],
            row["review__risk_level"],
            row["competency__area__stage"],
            row["competency__code"],
            row["rater"],
            "" if row["level"] is None else row["level"],
        ]
