from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from common.forms import form_field
from common.widgets import QuickSelect
from dashboards.selectors import CASE_CONTEXTS, Filters
from training.fields import DateInSpanField
from training.models import Organisation, Phase, RoleGroup, Team


class DashboardFilterForm(forms.Form):
    as_of = DateInSpanField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phase = forms.ModelChoiceField(
        Phase.objects.all(),
        required=False,
        empty_label="All phases",
        label="Phase cohort",
        widget=QuickSelect,
    )
    team = forms.ModelChoiceField(
        Team.objects.all(), required=False, empty_label="All teams", widget=QuickSelect
    )
    service_area = forms.ChoiceField(required=False, label="Service area", widget=QuickSelect)
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(),
        required=False,
        empty_label="All organisations",
        widget=QuickSelect,
    )
    role_group = forms.ChoiceField(
        required=False,
        label="Role group",
        choices=[("all", "All role groups"), *RoleGroup.choices],
        initial=RoleGroup.PRACTITIONER,
        help_text="Practitioners unless you choose another: the model is judged on those who "
        "hold cases.",
    )
    case_context = forms.ChoiceField(
        required=False,
        label="Case context",
        choices=[("", "All cases"), *((key, label) for key, (label, _) in CASE_CONTEXTS.items())],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role_group"].widget.attrs["aria-describedby"] = (
            f"{self['role_group'].auto_id}-help"
        )
        areas = Team.objects.exclude(service_area="").order_by("service_area")
        form_field(self, "service_area", forms.ChoiceField).choices = [
            ("", "All service areas"),
            *((area, area) for area in areas.values_list("service_area", flat=True).distinct()),
        ]

    def filters(self) -> Filters:
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # a field that fails is left out of cleaned_data: only it is ignored
            data = self.cleaned_data
        role_group = data.get("role_group") or RoleGroup.PRACTITIONER
        return Filters(
            as_of=data.get("as_of") or timezone.localdate(),
            phase=data["phase"].pk if data.get("phase") else None,
            team=data["team"].pk if data.get("team") else None,
            service_area=data.get("service_area") or "",
            organisation=data["organisation"].pk if data.get("organisation") else None,
            role_group="" if role_group == "all" else role_group,
            case_context=data.get("case_context") or "",
        )


class TeamFilterForm(forms.Form):
    """The dashboard's filters that still mean something inside one team."""

    as_of = DashboardFilterForm.base_fields["as_of"]
    role_group = DashboardFilterForm.base_fields["role_group"]
    case_context = DashboardFilterForm.base_fields["case_context"]

    def filters(self, team: Team) -> Filters:
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # as on the dashboard: only a field that fails is ignored
            data = self.cleaned_data
        role_group = data.get("role_group") or RoleGroup.PRACTITIONER
        return Filters(
            as_of=data.get("as_of") or timezone.localdate(),
            team=team.pk,
            role_group="" if role_group == "all" else role_group,
            case_context=data.get("case_context") or "",
        )
