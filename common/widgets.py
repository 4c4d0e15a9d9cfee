"""Widgets drawn in Python where Django's templates are too slow for their size."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _attributes(attrs: dict[str, Any]) -> str:
    """As Django's `django/forms/widgets/attrs.html` writes them: True as a bare name, False
    left out, anything else as name="value"."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A select of one choice, with the markup of Django's own template, drawn in Python.

    The dashboard's filter lists every team: at a national organisation's 1,800 teams, drawing
    the options through the template engine took a few hundred milliseconds of each view.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        # Django's Select.get_context builds a dictionary an option (optgroups, create_option);
        # the same choices and the same rule for the selected one, read straight from them.
        context = forms.Widget.get_context(self, name, value, attrs)["widget"]
        wanted = set(context["value"])
        chosen = False

        def option(option_value: Any, label: Any) -> str:
            nonlocal chosen
            text = "" if option_value is None else str(option_value)
            selected = not chosen and text in wanted
            chosen = chosen or selected
            return (
                f'\n  <option value="{conditional_escape(text)}"{" selected" if selected else ""}>'
                f"{conditional_escape(label)}</option>"
            )

        name_html = conditional_escape(context["name"])
        parts = [f'<select name="{name_html}"{_attributes(context["attrs"])}>']
        for group_name, group_choices in self.choices:
            if isinstance(group_choices, (list, tuple)):
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
                parts.extend(option(value_, label) for value_, label in group_choices)
                parts.append("\n  </optgroup>")
            else:
                parts.append(option(group_name, group_choices))
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
