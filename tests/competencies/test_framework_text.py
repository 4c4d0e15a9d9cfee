"""Names and titles in an imported framework are single-line text, as on the model fields;
the level descriptions may run over several lines."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from competencies.frameworks import framework_import
from competencies.models import Framework

pytestmark = pytest.mark.django_db


def framework(name: str = "Ours", area: str = "Engagement", title: str = "Builds trust") -> str:
    return json.dumps(
        {
            "framework": name,
            "areas": [
                {
                    "stage": "engagement",
                    "title": area,
                    "competencies": [
                        {
                            "code": "trust",
                            "title": title,
                            "basic": "Listens.\nSometimes.",
                            "competent": "Listens.",
                            "advanced": "Listens well.",
                        }
                    ],
                }
            ],
        }
    )


def test_a_framework_with_line_breaks_in_its_name_and_titles_is_refused_with_every_problem():
    before = Framework.objects.count()

    with pytest.raises(ValidationError) as refused:
        framework_import(
            text=framework(name="Ours\nv2", area="Engage\rment", title="Builds\u2028trust"),
            file_format="json",
        )

    problems = refused.value.messages
    assert len(problems) == 3
    assert problems[0].startswith("the framework's name: Write this on one line")
    assert problems[1].startswith("area 1: title: Write this on one line")
    assert problems[2].startswith("area 1, competency 1: title: Write this on one line")
    assert Framework.objects.count() == before


def test_level_descriptions_may_run_over_several_lines():
    version = framework_import(text=framework(), file_format="json")

    assert version.areas.get().competencies.get().basic == "Listens.\nSometimes."
