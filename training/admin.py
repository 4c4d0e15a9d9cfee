from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from training.models import Cohort, CourseAttendance, Person, Phase, ProgrammeSettings, Team


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "service_area")
    search_fields = ("name", "service_area")


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "email", "team", "role_group", "status")
    list_filter = ("role_group", "status", "team")
    search_fields = ("full_name", "email")
    autocomplete_fields = ("team", "line_manager", "user")


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


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
