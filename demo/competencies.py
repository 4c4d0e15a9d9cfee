"""A year of competency reviews for the demo organisation, given at the demo's 2:1s (so loaded
by supervision.demo, once the 2:1s are in).

Levels are invented but shaped by what the evaluation reported: practice improves with time
since training, is weaker on high-risk and statutory cases, the risk and analysis stages are
the ones most often rushed, and people tend to rate themselves higher than their supervisors
do. Development goals are agreed from most signed-off reviews, where the supervisor rated
Basic or the two views differ, so the next review shows whether they moved. Derived from names
and dates only; made once.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone

from competencies.frameworks import current_version
from competencies.models import (
    STATUTORY_CASE_TYPES,
    CaseType,
    Competency,
    DevelopmentGoal,
    Level,
    Rater,
    Rating,
    Review,
    ReviewStatus,
    RiskLevel,
    Stage,
)
from competencies.services import review_verdicts_record
from supervision.models import SessionStatus, SupervisionSession

CASE_TYPES = list(CaseType)
RISKS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH]
HARDER_STAGES: dict[str, float] = {Stage.RISK: 0.35, Stage.ANALYSIS: 0.25}
REVIEW_EVERY = 3  # a review at every third 2:1


def _number(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


def _noise(*parts: object) -> float:
    return (_number(*parts) % 1000) / 1000 - 0.5


def _level(value: float, *parts: object) -> int | None:
    if _number("seen", *parts) % 100 < 4:
        return None  # not yet seen
    return max(1, min(3, round(value)))


@transaction.atomic
def load_demo() -> list[str]:
    if Review.objects.exists():
        return ["Reviews already loaded.", *load_goals()]
    version = current_version()
    if version is None:  # the framework is loaded and published before the reviews
        raise ValueError("No published competency framework to review against.")
    competencies = list(
        Competency.objects.filter(area__version=version).select_related("area").order_by("pk")
    )
    sessions = (
        SupervisionSession.objects.filter(status=SessionStatus.HELD)
        .select_related("supervisor")
        .prefetch_related("practitioners")
        .order_by("starts_at")
    )
    count: dict[int, int] = {}
    reviews, ratings = 0, []
    now = timezone.now()
    for session in sessions:
        for person in session.practitioners.all():
            count[person.pk] = count.get(person.pk, 0) + 1
            if count[person.pk] % REVIEW_EVERY:
                continue
            case_type = CASE_TYPES[_number(person.email, session.pk) % len(CASE_TYPES)]
            risk = RISKS[_number("risk", person.email, session.pk) % len(RISKS)]
            review = Review.objects.create(
                practitioner=person,
                supervisor=session.supervisor,
                version=version,
                case_reference=f"CR-{_number('case', person.email, session.pk) % 90000 + 10000}",
                case_type=case_type,
                risk_level=risk,
                session=session,
                status=ReviewStatus.SIGNED_OFF,
            )
            when = session.ends_at
            Review.objects.filter(pk=review.pk).update(
                created_at=when - datetime.timedelta(days=3),
                submitted_at=when - datetime.timedelta(days=1),
                signed_off_at=when,
            )
            reviews += 1
            months = (now - when).days / 30
            ability = 1.5 + (_number("ability", person.email) % 100) / 100 + (12 - months) * 0.06
            if risk == RiskLevel.HIGH:
                ability -= 0.45
            if case_type in STATUTORY_CASE_TYPES:
                ability -= 0.3
            for competency in competencies:
                base = ability - HARDER_STAGES.get(competency.area.stage, 0)
                key = (person.email, session.pk, competency.code)
                supervisor_view = base + _noise("supervisor", *key) * 0.9
                self_view = supervisor_view + 0.35 + _noise("self", *key) * 0.8
                ratings.append(
                    Rating(
                        review=review,
                        competency=competency,
                        rater=Rater.SELF,
                        level=_level(self_view, "s", *key),
                    )
                )
                ratings.append(
                    Rating(
                        review=review,
                        competency=competency,
                        rater=Rater.SUPERVISOR,
                        level=_level(supervisor_view, "v", *key),
                    )
                )
    Rating.objects.bulk_create(ratings, batch_size=2000)
    review_verdicts_record()
    _work_in_progress(competencies)
    return [f"{reviews} signed-off reviews with {len(ratings)} ratings.", *load_goals()]


def _work_in_progress(competencies: list[Competency]) -> None:
    """The demo practitioner has one review with their supervisor and one half rated."""
    from training.models import Person

    person = Person.objects.filter(email="practitioner@council.example").first()
    version = current_version()
    if person is None or person.line_manager is None or version is None:
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
        if when is not None:  # always, for a signed-off review
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
