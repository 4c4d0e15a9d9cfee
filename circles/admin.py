"""Circles in the admin site, through the same services as the circle pages.

A circle saved here goes through `circle_save`, so its meetings follow a changed rule. Members and
meetings are shown, not changed: adding a member, moving or cancelling a meeting must send
invitations, which their pages do.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from circles.models import CircleMeeting, CircleMembership, LearningCircle
from circles.services import circle_save


class MembershipInline(admin.TabularInline):
    model = CircleMembership
    fields = ("person", "joined_on")
    readonly_fields = ("person", "joined_on")
    extra = 0
    can_delete = False
    verbose_name_plural = "members (added and removed on the circle's page, which invites them)"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LearningCircle)
class LearningCircleAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "rule_text", "starts_on", "ends_on")
    filter_horizontal = ("facilitators",)
    inlines = [MembershipInline]
    search_fields = ("name",)
    readonly_fields = ("page",)

    @admin.display(description="on the site")
    def page(self, circle: LearningCircle) -> str:
        if circle.pk is None:
            return "-"
        return format_html(
            '<a href="{}">The circle\'s page</a>: members, and moving or cancelling a meeting.',
            reverse("circle_detail", kwargs={"pk": circle.pk}),
        )

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(
        self, request: HttpRequest, obj: LearningCircle, form: ModelForm, change: bool
    ) -> None:
        circle_save(circle=obj, facilitators=list(form.cleaned_data["facilitators"]))

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Deleting a circle would take its meetings out of calendars without a cancellation.
        return False


@admin.register(CircleMeeting)
class CircleMeetingAdmin(SimpleHistoryAdmin):
    list_display = ("circle", "starts_at", "status", "sequence")
    list_filter = ("status", "circle")
    date_hierarchy = "starts_at"
    readonly_fields = ("page",)

    @admin.display(description="on the site")
    def page(self, meeting: CircleMeeting) -> str:
        return format_html(
            '<a href="{}">Move or cancel this meeting</a> on its page, which tells the members.',
            reverse("meeting_change", kwargs={"pk": meeting.pk}),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
