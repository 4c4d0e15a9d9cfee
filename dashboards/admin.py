from django.contrib import admin
from django.http import HttpRequest

from dashboards.models import Definitions


@admin.register(Definitions)
class DefinitionsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
