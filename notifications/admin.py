from django.contrib import admin

from notifications.models import Email, MonthlySummary


class ReadOnly(admin.ModelAdmin):
    """Written by the services and emptied by sending: shown, never edited here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Email)
class EmailAdmin(ReadOnly):
    """Plain emails waiting to be sent: each stays here, with why it failed, until the daily job
    sends it (calendar invitations wait beside them, under Calendars)."""

    list_display = ("subject", "kind", "person", "created_at", "attempts", "last_error")
    list_filter = ("kind",)
    readonly_fields = [field.name for field in Email._meta.fields]


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(ReadOnly):
    list_display = ("month", "sent_at", "recipients")
    readonly_fields = [field.name for field in MonthlySummary._meta.fields]
