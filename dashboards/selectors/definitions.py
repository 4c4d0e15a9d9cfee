"""Who counts as trained, embedded and practising with fidelity, on any day.

Each person's status changes only on certain days: the day their training completed, the days
of the circle meetings they attended and of their circle's later meetings, the days of their
held 2:1s and the days those fall out of the window, the days their reviews were signed off
and fall out of theirs. `status_spans` reads those days from the source tables in a handful of
set-based statements (for everyone, or for a few people) and turns them into spans: stretches
of days over which a person's status does not change. The dashboard counts spans; the spans are
stored (dashboards.models.StatusSpan) and brought up to date whenever a record they come from
changes (dashboards.services).

The definitions, as of the end of a day D (Definitions holds the numbers):
- trained: both course days attended on or before D (training.selectors);
- embedded: trained, present at one of their circle's last 3 held meetings that started by the
  end of D, and a held 2:1 from the start of the day 8 weeks before D to the end of D; the 2:1
  is not needed of the staff of an organisation whose staff are supervised outside the council
  (training.models.Organisation.embedded_needs_council_21 off): their circles alone count;
- practising with fidelity: embedded, and in their current review
  (competencies.selectors.current_reviews) signed off within 6 months before D, the supervisor
  rated at least 80% of the competencies they rated as Competent or Advanced, with every BASE
  stage rated.

The three nest: only the trained can be embedded and only the embedded practise with fidelity,
so the funnel never shows more people at a later step than at an earlier one. A good review of
someone who has dropped out of their circle or their 2:1s is the review's verdict
(competencies), not practice the organisation supports.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import F, Window
from django.db.models.functions import Lead

from circles.models import AttendanceStatus, CircleMeeting, MeetingAttendance, MeetingStatus
from competencies.models import ReviewVerdict
from competencies.selectors import signed_off_reviews
from dashboards.models import Definitions
from supervision.models import SessionStatus, SupervisionSession
from training.dates import local_date
from training.models import Person
from training.selectors import first_days_attended

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """From `starts_on` until the day before `ends_on` (None: from then on), a person is
    trained or not (and credited to `phase_id`), embedded or not, practising with fidelity or
    not. Only spans with something true are kept."""

    person_id: int
    starts_on: datetime.date
    ends_on: datetime.date | None
    trained: bool
    embedded: bool
    faithful: bool
    phase_id: int | None


def window_last_day(day: datetime.date, months: int) -> datetime.date:
    """The last day D for which `day` is within `months` months before D: D - months <= day,
    with relativedelta's month arithmetic (31 August minus 6 months is 28 February)."""
    last = day + relativedelta(months=months)
    while (last + ONE_DAY) - relativedelta(months=months) <= day:
        last += ONE_DAY
    return last


def _presence(person_ids: list[int] | None, recent: int) -> dict[int, list[tuple]]:
    """(from, until) for each present attendance: a meeting is one of its circle's last
    `recent` meetings from its day until the day of the circle's `recent`-th later meeting
    (LEAD), so attending it counts over that range. Cancelled meetings are not meetings."""
    present = MeetingAttendance.objects.filter(status=AttendanceStatus.PRESENT)
    if person_ids is not None:
        present = present.filter(person_id__in=person_ids)
    meetings = CircleMeeting.objects.filter(status=MeetingStatus.SCHEDULED)
    if person_ids is not None:
        meetings = meetings.filter(circle_id__in=present.values("meeting__circle_id").distinct())
    ranges = {
        pk: (starts_at, until)
        for pk, starts_at, until in meetings.annotate(
            until=Window(
                Lead("starts_at", offset=recent),
                partition_by=[F("circle_id")],
                order_by=F("starts_at").asc(),
            )
        ).values_list("pk", "starts_at", "until")
    }
    spans: dict[int, list[tuple]] = defaultdict(list)
    for person_id, meeting_id in present.values_list("person_id", "meeting_id"):
        if meeting_id in ranges:
            starts_at, until = ranges[meeting_id]
            spans[person_id].append((local_date(starts_at), local_date(until) if until else None))
    return spans


def _supervision(person_ids: list[int] | None, weeks: int) -> dict[int, list[tuple]]:
    """(from, until) for each held 2:1: it counts from its day to the day `weeks` weeks later."""
    through = SupervisionSession.practitioners.through.objects.filter(
        supervisionsession__status=SessionStatus.HELD
    )
    if person_ids is not None:
        through = through.filter(person_id__in=person_ids)
    reach = datetime.timedelta(weeks=weeks) + ONE_DAY
    spans: dict[int, list[tuple]] = defaultdict(list)
    for person_id, starts_at in through.values_list("person_id", "supervisionsession__starts_at"):
        day = local_date(starts_at)
        spans[person_id].append((day, day + reach))
    return spans


def _supervised_outside(person_ids: list[int] | None) -> set[int]:
    """The people whose organisation does not need a council 2:1 for them to be embedded."""
    people = Person.objects.filter(organisation__embedded_needs_council_21=False)
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
    return set(people.values_list("pk", flat=True))


def _fidelity(person_ids: list[int] | None, definitions: Definitions) -> dict[int, list[tuple]]:
    """(from, until) over which each review is the practitioner's current review, signed off
    within the window, and faithful. A review is current from its day until the day of the
    next (LEAD); two on one day, the later signed off (then the later made) wins."""
    reviews = signed_off_reviews()
    if person_ids is not None:
        reviews = reviews.filter(practitioner_id__in=person_ids)
    rows = reviews.annotate(
        next_at=Window(
            Lead("signed_off_at"),
            partition_by=[F("practitioner_id")],
            order_by=[F("signed_off_at").asc(), F("pk").asc()],
        )
    ).values_list(
        "practitioner_id",
        "signed_off_at",
        "next_at",
        "verdict__rated",
        "verdict__good",
        "verdict__base_stages_rated",
    )
    spans: dict[int, list[tuple]] = defaultdict(list)
    for person_id, signed_off_at, next_at, rated, good, stages in rows:
        verdict = ReviewVerdict(rated=rated or 0, good=good or 0, base_stages_rated=stages or 0)
        if not verdict.is_faithful(definitions.fidelity_percent):
            continue
        if signed_off_at is None:  # read from signed-off reviews, which all have the time
            raise ValueError(f"a review of person {person_id} is not signed off")
        day = local_date(signed_off_at)
        until = window_last_day(day, definitions.fidelity_months) + ONE_DAY
        if next_at is not None:
            until = min(until, local_date(next_at))
        if until > day:
            spans[person_id].append((day, until))
    return spans


def status_spans(
    definitions: Definitions, *, person_ids: Iterable[int] | None = None
) -> list[Span]:
    """Everyone's spans (or only `person_ids`'), from the source tables."""
    ids = None if person_ids is None else list(person_ids)
    # From the attended days themselves, as a recount from the source should be.
    records = first_days_attended(person_ids=ids)
    present = _presence(ids, definitions.embedded_recent_meetings)
    supervised = _supervision(ids, definitions.embedded_supervision_weeks)
    faithful = _fidelity(ids, definitions)
    outside = _supervised_outside(ids)
    people = set(present) | set(supervised) | set(faithful)
    people |= {pk for pk, record in records.items() if record.trained_on}
    spans: list[Span] = []
    for person_id in sorted(people):
        record = records.get(person_id)
        trained_on = record.trained_on if record else None
        spans += _sweep(
            person_id,
            trained_on=trained_on,
            phase_id=record.credited_phase_id if record else None,
            present=present.get(person_id, []),
            supervised=supervised.get(person_id, []),
            faithful=faithful.get(person_id, []),
            needs_council_21=person_id not in outside,
        )
    return spans


def _sweep(
    person_id: int,
    *,
    trained_on: datetime.date | None,
    phase_id: int | None,
    present: list[tuple],
    supervised: list[tuple],
    faithful: list[tuple],
    needs_council_21: bool = True,
) -> list[Span]:
    """One person's spans: walk the days on which anything starts or ends, counting how many
    ranges of each kind are open, and start a new span whenever the status changes."""
    changes: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    if trained_on:
        changes[trained_on][0] += 1
    for kind, ranges in ((1, present), (2, supervised), (3, faithful)):
        for starts_on, ends_on in ranges:
            changes[starts_on][kind] += 1
            if ends_on is not None:
                changes[ends_on][kind] -= 1
    open_ = [0, 0, 0, 0]
    spans: list[Span] = []
    current: tuple[bool, bool, bool] | None = None
    since: datetime.date | None = None
    for day in sorted(changes):
        open_ = [count + change for count, change in zip(open_, changes[day], strict=True)]
        trained = open_[0] > 0
        is_supervised = open_[2] > 0 or not needs_council_21
        is_embedded = trained and open_[1] > 0 and is_supervised
        status = (trained, is_embedded, is_embedded and open_[3] > 0)
        if status == current:
            continue
        if current is not None and since is not None and any(current):
            spans.append(_span(person_id, since, day, current, phase_id))
        current, since = status, day
    if current is not None and since is not None and any(current):
        spans.append(_span(person_id, since, None, current, phase_id))
    return spans


def _span(
    person_id: int,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    status: tuple[bool, bool, bool],
    phase_id: int | None,
) -> Span:
    trained, embedded, faithful = status
    return Span(
        person_id=person_id,
        starts_on=starts_on,
        ends_on=ends_on,
        trained=trained,
        embedded=embedded,
        faithful=faithful,
        phase_id=phase_id if trained else None,
    )
