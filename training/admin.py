from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from training.models import (
    Cohort,
    CourseAttendance,
    Organisation,
    Person,
    PersonStatus,
    Phase,
    ProgrammeSettings,
    Team,
)
from training.services import (
    cohort_save,
    organisation_save,
    person_account_sync,
    person_organisation_changed,
)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "embedded_needs_council_21")
    list_filter = ("kind", "embedded_needs_council_21")
    search_fields = ("name",)

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: forms.ModelForm, change: bool
    ) -> None:
        # Through the service: changing the rule for embedded recounts its people's figures.
        organisation_save(organisation=obj)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "service_area")
    search_fields = ("name", "service_area")


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = (
            "email",
            "full_name",
            "team",
            "organisation",
            "role_group",
            "job_title",
            "line_manager",
            "status",
            "left_on",
            "user",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        left = cleaned.get("status") == PersonStatus.LEFT
        if left and not cleaned.get("left_on"):
            self.add_error(
                "left_on",
                "Give the day this person left: their records are deleted some years after it.",
            )
        elif not left and cleaned.get("left_on"):
            self.add_error("left_on", "Only someone who has left has a leaving date: clear it.")
        return cleaned


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    form = PersonForm
    list_display = ("full_name", "email", "team", "organisation", "role_group", "status")
    list_filter = ("role_group", "status", "organisation", "team")
    search_fields = ("full_name", "email")
    autocomplete_fields = ("team", "line_manager", "user")

    def save_model(self, request: HttpRequest, obj: Person, form: PersonForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # As the roster import does: someone who has left can no longer sign in, and someone
        # who is back can again. A person without an account is not given one here.
        if "status" in form.changed_data and obj.user_id:
            person_account_sync(person=obj)
        if change and "organisation" in form.changed_data:
            person_organisation_changed(person=obj)


@admin.register(Phase)
class PhaseAdmin(SimpleHistoryAdmin):
    list_display = ("name", "order", "start_date", "end_date")


class AttendanceInline(admin.TabularInline):
    model = CourseAttendance
    autocomplete_fields = ["person"]
    extra = 0


@admin.register(Cohort)
class CohortAdmin(SimpleHistoryAdmin):
    list_display = ("name", "phase", "day1_date", "day2_date", "venue")
    list_filter = ("phase",)
    inlines = [AttendanceInline]

    def save_model(
        self, request: HttpRequest, obj: Cohort, form: forms.ModelForm, change: bool
    ) -> None:
        # Through the service, as on the site: people confirmed on the course are sent the day
        # as it now is, and more places go to its waiting list.
        cohort_save(cohort=obj)


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
