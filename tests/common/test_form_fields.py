"""Every form field is drawn one way: `{{ form.field.as_field_group }}`, through the project's
form renderer (common.form_rendering), with Bootstrap's classes and the widget described by its help
text and its errors."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template


class ExampleForm(forms.Form):
    name = forms.CharField(help_text="As on the roster.")
    team = forms.ChoiceField(choices=[("", "Choose"), ("north", "North")])
    day = forms.ChoiceField(choices=[("1", "Day 1"), ("2", "Day 2")], widget=forms.RadioSelect)
    notes = forms.CharField(widget=forms.Textarea(attrs={"class": "font-monospace"}))
    agreed = forms.BooleanField(label="We agree", help_text="Tick to agree.")


def field_group(form: forms.Form, name: str) -> str:
    return Template(f"{{{{ form.{name}.as_field_group }}}}").render(Context({"form": form}))


def test_a_field_with_errors_is_described_by_its_help_text_and_its_errors():
    form = ExampleForm(data={"name": ""})
    form.is_valid()

    html = field_group(form, "name")

    described_by = re.search(r'aria-describedby="([^"]+)"', html).group(1).split()
    assert described_by == ["id_name_helptext", "id_name_error"]
    for element_id in described_by:
        assert f'id="{element_id}"' in html
    assert 'aria-invalid="true"' in html
    assert '<label class="form-label" for="id_name">Name</label>' in html
    assert "This field is required." in html


def test_a_field_without_errors_is_described_by_its_help_text_only():
    html = field_group(ExampleForm(), "name")

    assert 'aria-describedby="id_name_helptext"' in html
    assert 'id="id_name_error"' not in html
    assert "aria-invalid" not in html


def test_each_widget_gets_bootstraps_class_and_keeps_its_own_first():
    form = ExampleForm()

    assert 'class="form-control"' in str(form["name"])
    assert 'class="form-select"' in str(form["team"])
    assert (
        len(re.findall(r'<input type="radio"[^>]* class="form-check-input"', str(form["day"]))) == 2
    )
    assert 'class="font-monospace form-control"' in str(form["notes"])


def test_a_checkbox_is_drawn_with_its_label_beside_it():
    form = ExampleForm(data={})
    form.is_valid()

    html = field_group(form, "agreed")

    assert 'class="form-check-input is-invalid" type="checkbox" name="agreed"' in html
    assert '<label class="form-check-label" for="id_agreed">We agree</label>' in html
    assert '<div class="form-text" id="id_agreed_helptext">Tick to agree.</div>' in html
