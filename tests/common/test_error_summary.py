"""The error summary above a form: every error links to the field it is about."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class ChoicesForm(forms.Form):
    days = forms.MultipleChoiceField(
        choices=[("1", "Day 1"), ("2", "Day 2")], widget=forms.CheckboxSelectMultiple
    )
    name = forms.CharField()


def test_each_error_links_to_its_field_and_a_checkbox_group_to_its_first_box():
    form = ChoicesForm(data={})
    form.is_valid()

    html = render_to_string("includes/error_summary.html", {"form": form})

    assert 'href="#id_days_0"' in html
    assert 'href="#id_name"' in html
    assert 'href="#"' not in html
    assert 'id="id_days_0"' in str(form["days"])
