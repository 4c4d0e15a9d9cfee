"""Writes of the stored figures: each person's status spans, kept up to date as records change.

When a service changes what a person did on a date (an import, a register, circle attendance,
a 2:1 held or cancelled, a review signed off or corrected) it marks that person's figures stale
(`figures_mark_stale`, called directly or through training.signals.records_changed). Their spans
are counted again as soon as the change is committed; anything missed (a failed recount, an
edit in the admin site, rows written without a service) is caught by `refresh_figures`, which
the daily job runs and which rebuilds everything from the source records.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists
from django.utils import timezone

from competencies.models import ReviewStatus, ReviewVerdict
from competencies.selectors import signed_off_reviews
from competencies.services import review_verdicts_record
from dashboards.models import Definitions, FiguresRefresh, StaleFigures, StatusSpan
from dashboards.selectors.definitions import Span, status_spans
from training.models import Person
from training.services import first_days_record

logger = logging.getLogger(__name__)

BATCH = 5000


def figures_mark_stale(*, person_ids: Iterable[int], since: datetime.date | None = None) -> None:
    """Mark people's figures out of date from `since` (the first day that changed; None when
    not known). They are counted again once the current transaction commits."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    StaleFigures.objects.bulk_create(
        [StaleFigures(person_id=pk, since=since) for pk in ids], batch_size=BATCH
    )
    transaction.on_commit(figures_refresh_stale, robust=True)


def records_changed_received(
    sender: object, *, person_ids: Iterable[int], since: datetime.date | None, **kwargs: Any
) -> None:
    """training.signals.records_changed, connected in DashboardsConfig.ready."""
    figures_mark_stale(person_ids=person_ids, since=since)


def _save_spans(spans: list[Span]) -> None:
    StatusSpan.objects.bulk_create(
        (
            StatusSpan(
                person_id=span.person_id,
                starts_on=span.starts_on,
                ends_on=span.ends_on,
                trained=span.trained,
                embedded=span.embedded,
                faithful=span.faithful,
                phase_id=span.phase_id,
            )
            for span in spans
        ),
        batch_size=BATCH,
    )


def figures_refresh_stale(*, limit: int | None = None) -> int:
    """Count again the spans of everyone marked stale (the first `limit` people marked, when
    given); returns how many people were counted."""
    marks = list(StaleFigures.objects.order_by("pk").values_list("pk", "person_id"))
    if not marks:
        return 0
    people = list(dict.fromkeys(person_id for _, person_id in marks))[:limit]
    chosen = set(people)
    last = max(pk for pk, person_id in marks if person_id in chosen)
    definitions = Definitions.load()
    with transaction.atomic():
        # Locking the people makes two recounts of the same person wait for each other, so
        # neither deletes spans the other has just written.
        list(Person.objects.select_for_update().filter(pk__in=people).values_list("pk"))
        _record_missing_verdicts(people)
        spans = status_spans(definitions, person_ids=people)
        StatusSpan.objects.filter(person_id__in=people).delete()
        _save_spans(spans)
        StaleFigures.objects.filter(pk__lte=last, person_id__in=people).delete()
    return len(people)


def figures_catch_up(*, limit: int = 2000) -> FiguresRefresh:
    """Before figures are read: count them all if they never were (a new site, or one just
    upgraded), or count again the people still marked stale (a recount after commit that did
    not happen). One query when there is nothing to do."""
    unjudged = signed_off_reviews().filter(verdict__isnull=True)
    refresh = (
        FiguresRefresh.objects.filter(pk=1)
        .annotate(stale=Exists(StaleFigures.objects.all()), unjudged=Exists(unjudged.values("pk")))
        .first()
    )
    if refresh is None or refresh.refreshed_at is None:
        return figures_refresh()
    if refresh.unjudged:
        # Reviews written without the review services (the demo, old data) are judged now.
        StaleFigures.objects.bulk_create(
            StaleFigures(person_id=pk)
            for pk in set(unjudged.values_list("practitioner_id", flat=True))
        )
    if refresh.stale or refresh.unjudged:
        figures_refresh_stale(limit=limit)
    return refresh


def _record_missing_verdicts(person_ids: list[int] | None) -> None:
    """Reviews signed off without their verdict (written directly, as the demo and imports
    of old data do) get it before their figures are counted."""
    missing = signed_off_reviews().filter(verdict__isnull=True)
    if person_ids is not None:
        missing = missing.filter(practitioner_id__in=person_ids)
    reviews = list(missing)
    if reviews:
        review_verdicts_record(reviews=reviews)


def figures_refresh() -> FiguresRefresh:
    """Rebuild everyone's first attended days, every review's verdict and everyone's spans from
    the source records. Running it again changes nothing; it says how long it took."""
    started = time.perf_counter()
    moment = timezone.now()
    definitions = Definitions.load()
    with transaction.atomic():
        # Training's own stored figures first: everyone's first attended days.
        first_days_record()
        review_verdicts_record()
        ReviewVerdict.objects.exclude(review__status=ReviewStatus.SIGNED_OFF).delete()
        spans = status_spans(definitions)
        StatusSpan.objects.all().delete()
        _save_spans(spans)
        StaleFigures.objects.filter(marked_at__lte=moment).delete()
        refresh = FiguresRefresh.load()
        refresh.refreshed_at = moment
        refresh.seconds = round(time.perf_counter() - started, 2)
        refresh.spans = len(spans)
        refresh.save()
    logger.info("figures refreshed: %s spans in %.1f s", len(spans), refresh.seconds)
    return refresh


def definitions_save(*, definitions: Definitions) -> Definitions:
    """Change how the dashboard judges embedding and fidelity; every figure is counted again
    under the new definitions once the change is committed."""
    with transaction.atomic():
        definitions.full_clean()
        definitions.save()
        transaction.on_commit(figures_refresh)
    return definitions
