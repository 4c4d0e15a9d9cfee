from django.contrib import admin

from calendars.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Invitations waiting to be sent: each stays here, with why it failed, until the daily job
    sends it. Read-only: the outbox is written by the services and emptied by sending."""

    list_display = ("uid", "method", "sequence", "person", "created_at", "attempts", "last_error")
    list_filter = ("method",)
    readonly_fields = [field.name for field in Notice._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
