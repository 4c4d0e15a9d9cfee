"""The demo's monthly figures reproduce the report's Table 3, cases worked with the model."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from caseload.models import MonthlyCaseload

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def cases_as_of(day: str) -> dict:
    return json.loads(run("rollout_report", "--as-of", day, "--format", "json"))


def test_the_demo_reproduces_table_3(demo):
    pilot_end = cases_as_of("2016-02-29")
    phase1_end = cases_as_of("2016-09-30")
    phase2_end = cases_as_of("2016-12-31")

    assert pilot_end["cases_with_model"] == 18
    assert 30 <= phase1_end["cases_with_model"] <= 34
    assert 285 <= phase2_end["cases_with_model"] <= 315
    # Beside the caseload they come from, and by the phase each person was trained in.
    assert phase2_end["cases_with_model"] < phase2_end["caseload"]
    phases = {phase["name"]: phase["cases_with_model"] for phase in phase2_end["phases"]}
    assert phases["Pilot"] == 18
    assert sum(phases.values()) == phase2_end["cases_with_model"]


def test_seeding_the_demo_again_creates_no_monthly_figures(demo):
    before = MonthlyCaseload.objects.count()

    output = run("seed_demo")

    assert "Demo caseload: 0 monthly figures created." in output
    assert MonthlyCaseload.objects.count() == before > 0
