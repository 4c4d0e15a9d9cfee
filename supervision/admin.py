from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from supervision.models import SupervisionSession


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(SimpleHistoryAdmin):
    list_display = ("supervisor", "starts_at", "status")
    list_filter = ("status",)
    date_hierarchy = "starts_at"
    filter_horizontal = ("practitioners",)
