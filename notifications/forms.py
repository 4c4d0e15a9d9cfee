from __future__ import annotations

from typing import Any

from django import forms

from notifications.selectors import Preference


class EmailPreferencesForm(forms.Form):
    """One box for each email the person may turn off; essential ones are not in the form."""

    def __init__(self, *args: Any, preferences: list[Preference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for preference in preferences:
            if preference.essential:
                continue
            self.fields[preference.kind] = forms.BooleanField(
                label=preference.label,
                required=False,
                initial=preference.on,
                help_text=preference.explained,
            )

    def turned_on(self) -> dict[str, bool]:
        return dict(self.cleaned_data)
