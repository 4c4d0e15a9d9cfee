from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from caseload.models import MonthlyCaseload


@admin.register(MonthlyCaseload)
class MonthlyCaseloadAdmin(SimpleHistoryAdmin):
    """Shown, never changed, here: figures are recorded by the practitioner, confirmed in a 2:1
    or imported, each of which records who wrote them."""

    list_display = ("person", "month", "caseload", "cases_with_model", "source")
    list_filter = ("source",)
    date_hierarchy = "month"
    search_fields = ("person__full_name", "person__email")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
