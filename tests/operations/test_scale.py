"""The generated organisations the benchmark measures, and the benchmark itself."""

from __future__ import annotations

import datetime
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from circles.models import LearningCircle
from competencies.models import Review
from operations.scale import seed_scale
from supervision.models import SupervisionSession
from training.models import Person, PersonStatus, RoleGroup

pytestmark = pytest.mark.django_db

UNTIL = datetime.date(2026, 6, 30)


def snapshot() -> list[tuple[object, ...]]:
    return [
        *Person.objects.order_by("email").values_list(
            "email", "full_name", "team__name", "role_group", "status", "left_on"
        ),
        *SupervisionSession.objects.order_by("starts_at", "supervisor__email").values_list(
            "supervisor__email", "starts_at", "status"
        ),
        *Review.objects.order_by("signed_off_at", "practitioner__email").values_list(
            "practitioner__email", "signed_off_at", "case_type"
        ),
    ]


def test_the_same_seed_gives_the_same_organisation():
    with transaction.atomic():
        seed_scale(people=120, months=12, seed=7, until=UNTIL)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Person.objects.exists()

    seed_scale(people=120, months=12, seed=7, until=UNTIL)

    assert snapshot() == first


def test_the_organisation_has_realistic_shapes():
    summary = seed_scale(people=200, months=18, seed=1, until=UNTIL)

    sizes = Counter(Person.objects.filter(left_on__isnull=True).values_list("team", flat=True))
    assert min(sizes.values()) >= 1 and max(sizes.values()) <= 25
    groups = Counter(
        Person.objects.filter(status=PersonStatus.ACTIVE).values_list("role_group", flat=True)
    )
    assert groups[RoleGroup.PRACTITIONER] > sum(groups.values()) * 0.6
    assert all(groups[group] for group in RoleGroup.values)
    assert Person.objects.filter(status=PersonStatus.LEFT, left_on__isnull=False).exists()
    members = LearningCircle.objects.annotate(size=Count("memberships")).values_list(
        "size", flat=True
    )
    assert max(members) <= 25 and sorted(members)[len(members) // 2] >= 8
    assert summary.reviews and summary.ratings == summary.reviews * 2 * 19
    assert set(summary.accounts) == {
        "practitioner",
        "supervisor",
        "practice_leader",
        "programme_lead",
        "administrator",
    }


def test_an_organisation_is_generated_only_into_an_empty_roster(cast):
    with pytest.raises(CommandError, match="not empty"):
        call_command("seed_scale", "--people", "100", "--months", "6", stdout=io.StringIO())


def test_the_benchmark_times_every_page_and_writes_json(tmp_path):
    seed_scale(people=60, months=12, seed=3, until=datetime.date.today())
    out = io.StringIO()

    call_command(
        "bench", "--repeat", "1", "--warm-up", "0", "--json", str(tmp_path / "b.json"), stdout=out
    )

    result = json.loads((tmp_path / "b.json").read_text())
    assert {page["status"] for page in result["pages"]} == {200}
    names = {page["name"] for page in result["pages"]}
    assert {
        "dashboard (roll-out)",
        "dashboard (practice)",
        "dashboard (follow-up)",
        "roll-out",
    } <= names
    assert {"supervision (supervisor)", "review grid"} <= names
    assert all(page["requests"] == 1 and page["queries"] > 0 for page in result["pages"])
    assert "| dashboard (roll-out) | programme_lead |" in out.getvalue()
