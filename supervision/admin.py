from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from supervision.models import SupervisionSession


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
