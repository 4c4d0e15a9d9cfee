"""How every form field of the product is drawn: one template and Bootstrap's classes.

`{{ form.field.as_field_group }}` renders `templates/forms/field.html` (label, errors, widget and
help text, with the widget described by its help text and its errors); the bound field below puts
Bootstrap's class on each widget, so that a field drawn on its own (`{{ form.field }}`, in a
filter bar, say) looks the same. Both are set once, in the `FORM_RENDERER` setting.
"""

from __future__ import annotations

from typing import Any

from django.forms import BoundField, Widget
from django.forms.renderers import TemplatesSetting


def bootstrap_class(widget: Widget) -> str:
    input_type = getattr(widget, "input_type", None)
    if input_type in ("checkbox", "radio"):
        return "form-check-input"
    if input_type == "select":
        return "form-select"
    return "form-control"


class StyledBoundField(BoundField):
    def build_widget_attrs(self, attrs: dict[str, Any], widget: Widget | None = None) -> dict:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        classes = str(attrs.get("class") or widget.attrs.get("class") or "").split()
        if (wanted := bootstrap_class(widget)) not in classes:
            classes.append(wanted)
        # First, where a widget's own class would stand, so that the markup reads as before.
        return {"class": " ".join(classes), **attrs}


class FormRenderer(TemplatesSetting):
    """Finds form templates among the project's own, so that `forms/field.html` is ours."""

    field_template_name = "forms/field.html"
    bound_field_class = StyledBoundField
