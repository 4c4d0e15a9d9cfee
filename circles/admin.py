from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from circles.models import CircleMeeting, CircleMembership, LearningCircle


class MembershipInline(admin.TabularInline):
    model = CircleMembership
    autocomplete_fields = ["person"]
    extra = 0


@admin.register(LearningCircle)
class LearningCircleAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "rule_text", "starts_on", "ends_on")
    filter_horizontal = ("facilitators",)
    inlines = [MembershipInline]
    search_fields = ("name",)


@admin.register(CircleMeeting)
class CircleMeetingAdmin(SimpleHistoryAdmin):
    list_display = ("circle", "starts_at", "status", "sequence")
    list_filter = ("status", "circle")
    date_hierarchy = "starts_at"
