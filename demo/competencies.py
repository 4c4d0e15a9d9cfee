"""The demo organisation's competency reviews: one at every fourth 2:1 held, from each
practitioner's first 2:1s in 2016 until today, all against the starter framework, which the
demo dates to the start of the pilot (November 2015) so that it was published before the
reviews that use it.

Levels are invented but shaped by what the evaluation reported: practice improves over the
first two years after training and then holds, is weaker on high-risk and statutory cases,
the risk and analysis stages are the ones most often rushed, and people tend to rate
themselves higher than their supervisors do. Development goals are agreed from most signed-off
reviews, where the supervisor rated Basic or the two views differ, so the next review shows
whether they moved. Derived from names and dates only; made once.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from competencies.frameworks import current_version
from competencies.models import (
    STATUTORY_CASE_TYPES,
    CaseType,
    Competency,
    DevelopmentGoal,
    FrameworkVersion,
    Level,
    Rater,
    Rating,
    Review,
    ReviewStatus,
    RiskLevel,
    Stage,
)
from competencies.services import review_verdicts_record
from demo.organisation import DemoNotLoaded
from supervision.models import SessionStatus, SupervisionSession
from training.selectors import training_records

CASE_TYPES = list(CaseType)
RISKS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH]
HARDER_STAGES: dict[str, float] = {Stage.RISK: 0.35, Stage.ANALYSIS: 0.25}
# A review at every fourth 2:1 held: about every 22 weeks, within the 6 months over which a
# review shows practice with fidelity.
REVIEW_EVERY = 4
# The framework was agreed with staff in the development phase and published for the pilot.
FRAMEWORK_PUBLISHED = datetime.datetime(2015, 11, 2, 9, 0, tzinfo=ZoneInfo("Europe/London"))
# Practice improves after training, fastest in the first months, by up to LEARNING levels:
# two thirds of it in the first LEARNING_MONTHS.
LEARNING, LEARNING_MONTHS = 0.6, 6


def _number(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


def _level(value: float, draws: random.Random) -> int | None:
    if draws.random() < 0.04:
        return None  # not yet seen
    return max(1, min(3, round(value)))


@transaction.atomic
def load_demo() -> list[str]:
    if Review.objects.exists():
        return ["Reviews already loaded."]
    version = current_version()
    if version is None:
        raise DemoNotLoaded("The competency framework is missing: run the migrations first.")
    _date_the_framework(version)
    competencies = list(
        Competency.objects.filter(area__version=version).select_related("area").order_by("pk")
    )
    trained = {
        pk: record.trained_on
        for pk, record in training_records(timezone.localdate()).items()
        if record.trained_on
    }
    sessions = (
        SupervisionSession.objects.filter(status=SessionStatus.HELD)
        .select_related("supervisor")
        .prefetch_related("practitioners")
        .order_by("starts_at", "pk")
    )
    count: dict[int, int] = {}
    reviews: list[Review] = []
    levels: list[list[tuple[int, int | None, int | None]]] = []
    for session in sessions:
        for person in session.practitioners.all():
            count[person.pk] = count.get(person.pk, 0) + 1
            if count[person.pk] % REVIEW_EVERY:
                continue
            case_type = CASE_TYPES[_number(person.email, session.pk) % len(CASE_TYPES)]
            risk = RISKS[_number("risk", person.email, session.pk) % len(RISKS)]
            when = session.ends_at
            number = _number("case", person.email, session.pk) % 90000
            reviews.append(
                Review(
                    practitioner=person,
                    supervisor=session.supervisor,
                    version=version,
                    case_reference=f"CR-{number + 10000}",
                    case_type=case_type,
                    risk_level=risk,
                    session=session,
                    status=ReviewStatus.SIGNED_OFF,
                    submitted_at=when - datetime.timedelta(days=1),
                    signed_off_at=when,
                )
            )
            months = (timezone.localtime(when).date() - trained[person.pk]).days / 30
            ability = (
                1.35
                + (_number("ability", person.email) % 100) / 100
                + LEARNING * (1 - math.exp(-months / LEARNING_MONTHS))
            )
            if risk == RiskLevel.HIGH:
                ability -= 0.45
            if case_type in STATUTORY_CASE_TYPES:
                ability -= 0.3
            views = []
            # One seeded stream of draws a review (the same on every machine), cheaper than
            # hashing every rating's key.
            draws = random.Random(f"{person.email}|{session.pk}")
            for competency in competencies:
                base = ability - HARDER_STAGES.get(competency.area.stage, 0)
                supervisor_view = base + (draws.random() - 0.5) * 0.9
                self_view = supervisor_view + 0.35 + (draws.random() - 0.5) * 0.8
                views.append(
                    (competency.pk, _level(self_view, draws), _level(supervisor_view, draws))
                )
            levels.append(views)
    bulk_create_with_history(reviews, Review, batch_size=500)
    # Made three days before the 2:1 that signed it off (the field is set on creation).
    Review.objects.filter(status=ReviewStatus.SIGNED_OFF).update(
        created_at=F("signed_off_at") - datetime.timedelta(days=3)
    )
    ratings = [
        Rating(review_id=review.pk, competency_id=competency_id, rater=rater, level=level)
        for review, views in zip(reviews, levels, strict=True)
        for competency_id, own, supervisor in views
        for rater, level in ((Rater.SELF, own), (Rater.SUPERVISOR, supervisor))
    ]
    Rating.objects.bulk_create(ratings, batch_size=2000)
    review_verdicts_record()
    _work_in_progress(competencies)
    return [f"{len(reviews)} signed-off reviews with {len(ratings)} ratings."]


def _date_the_framework(version: FrameworkVersion) -> None:
    """The starter framework is published when the demo is loaded; the story publishes it for
    the pilot, before any review uses it."""
    if version.published_at is None or version.published_at > FRAMEWORK_PUBLISHED:
        FrameworkVersion.objects.filter(pk=version.pk).update(published_at=FRAMEWORK_PUBLISHED)


def _work_in_progress(competencies: list[Competency]) -> None:
    """The demo practitioner has one review with their supervisor and one half rated."""
    from training.models import Person

    person = Person.objects.filter(email="practitioner@council.example").first()
    if person is None or person.line_manager is None:
        return
    version = current_version()
    if version is None:
        return
    submitted = Review.objects.create(
        practitioner=person,
        supervisor=person.line_manager,
        version=version,
        case_reference="CR-20417",
        case_type=CaseType.CHILD_PROTECTION,
        risk_level=RiskLevel.HIGH,
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    draft = Review.objects.create(
        practitioner=person,
        supervisor=person.line_manager,
        version=version,
        case_reference="CR-31008",
        case_type=CaseType.EARLY_HELP,
        risk_level=RiskLevel.LOW,
    )
    Rating.objects.bulk_create(
        [
            Rating(review=submitted, competency=c, rater=Rater.SELF, level=2 + (i % 3 == 0))
            for i, c in enumerate(competencies)
        ]
        + [
            Rating(review=draft, competency=c, rater=Rater.SELF, level=2)
            for c in competencies[: len(competencies) // 2]
        ]
    )


GOAL_TEXTS = [
    "Use this in at least two cases and bring one to the next 2:1.",
    "Ask a colleague to observe a visit and give feedback on it.",
    "Take a case to the learning circle and test the judgement there.",
    "Write it down before acting, and check it with the supervisor.",
]
GOALS_A_REVIEW = 2


def load_goals() -> list[str]:
    """Up to two goals from three signed-off reviews in four: where the supervisor rated
    Basic first, then where the practitioner's own view differs."""
    if DevelopmentGoal.objects.exists():
        return ["Development goals already loaded."]
    views: dict[int, dict[int, dict[str, int | None]]] = {}
    signed_off: dict[int, datetime.datetime] = {}
    for review_id, when, competency_id, rater, level in Rating.objects.filter(
        review__status=ReviewStatus.SIGNED_OFF, review__replaced_by__isnull=True
    ).values_list("review_id", "review__signed_off_at", "competency_id", "rater", "level"):
        views.setdefault(review_id, {}).setdefault(competency_id, {})[rater] = level
        if when is not None:  # every signed-off review has its time
            signed_off[review_id] = when
    goals = []
    for review_id, competencies in sorted(views.items()):
        if _number("goals", review_id) % 4 == 0:
            continue
        basic = [c for c, v in competencies.items() if v.get(Rater.SUPERVISOR) == Level.BASIC]
        differ = [
            c
            for c, v in competencies.items()
            if c not in basic and v.get(Rater.SELF) != v.get(Rater.SUPERVISOR)
        ]
        when = signed_off[review_id]
        for number, competency_id in enumerate((basic + differ)[:GOALS_A_REVIEW]):
            goals.append(
                DevelopmentGoal(
                    review_id=review_id,
                    competency_id=competency_id,
                    description=GOAL_TEXTS[_number("goal", review_id, number) % len(GOAL_TEXTS)],
                    review_on=timezone.localtime(when).date() + datetime.timedelta(weeks=12),
                )
            )
    DevelopmentGoal.objects.bulk_create(goals, batch_size=2000)
    return [f"{len(goals)} development goals."]
