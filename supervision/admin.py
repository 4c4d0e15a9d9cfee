from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from supervision.models import (
    AgreedAction,
    CaseDiscussed,
    SessionFocus,
    SessionNote,
    SupervisionSession,
    SupervisionSettings,
)


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(SimpleHistoryAdmin):
    """Shown, never changed, here: a 2:1 is planned, moved and cancelled by its supervisor on
    its page, which sends the practitioners the calendar invitation."""

    list_display = ("supervisor", "starts_at", "status")
    list_filter = ("status",)
    date_hierarchy = "starts_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SupervisionSettings)
class SupervisionSettingsAdmin(admin.ModelAdmin):
    """One row, changed here by an administrator; never added or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RecordItemAdmin(SimpleHistoryAdmin):
    """The record of a 2:1 is written by its supervisor through the services; here it is read,
    with its history, and a mistaken item can be deleted."""

    list_select_related = True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CaseDiscussed)
class CaseDiscussedAdmin(RecordItemAdmin):
    list_display = ("case_reference", "case_type", "risk_level", "practitioner", "session")
    list_filter = ("case_type", "risk_level")


@admin.register(SessionFocus)
class SessionFocusAdmin(RecordItemAdmin):
    list_display = ("stage", "competency", "practitioner", "session")
    list_filter = ("stage",)


@admin.register(SessionNote)
class SessionNoteAdmin(RecordItemAdmin):
    list_display = ("session", "practitioner")


@admin.register(AgreedAction)
class AgreedActionAdmin(RecordItemAdmin):
    list_display = ("description", "owner", "practitioner", "due_on", "closed_at", "session")
    list_filter = ("due_on", "closed_at")
