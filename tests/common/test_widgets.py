"""QuickSelect draws the same markup as Django's own select, faster."""

from __future__ import annotations

import re

import pytest
from django import forms

from common.widgets import QuickSelect

CHOICES = [
    ("", "All teams"),
    (1, "Abbey <North> & co"),
    ("Districts", [(2, 'Quote "team"'), (3, "Zennor")]),
]


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("value", [None, "", 1, 3, "999"])
@pytest.mark.parametrize("attrs", [None, {"class": "form-select", "aria-describedby": "x y"}])
def test_the_markup_is_djangos_own(value, attrs):
    ours = QuickSelect(choices=CHOICES, attrs={"required": True, "disabled": False})
    django = forms.Select(choices=CHOICES, attrs={"required": True, "disabled": False})

    rendered = squeezed(ours.render("team", value, attrs=attrs))

    assert rendered == squeezed(django.render("team", value, attrs=attrs))
    assert "&lt;North&gt; &amp; co" in rendered
    assert rendered.count(" selected") == (value != "999")  # None chooses the empty choice


def test_a_form_field_draws_it_with_its_id_and_class():
    class Filter(forms.Form):
        team = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    html = str(Filter({"team": "2"})["team"])

    assert html.startswith('<select name="team" class="form-select" id="id_team">')
    assert '<option value="2" selected>Quote &quot;team&quot;</option>' in html
