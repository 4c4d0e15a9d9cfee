from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from supervision.models import SupervisionSession, SupervisionSettings


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(SimpleHistoryAdmin):
    list_display = ("supervisor", "starts_at", "status")
    list_filter = ("status",)
    date_hierarchy = "starts_at"
    filter_horizontal = ("practitioners",)


@admin.register(SupervisionSettings)
class SupervisionSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
