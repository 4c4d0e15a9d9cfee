from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from competencies.models import Area, Competency, DevelopmentGoal, Framework, FrameworkVersion


class PublishedIsReadOnly(BaseModelAdmin):
    """A published framework version, its areas and competencies cannot change."""

    def _version_of(self, obj: object) -> FrameworkVersion | None:
        if isinstance(obj, FrameworkVersion):
            return obj
        if isinstance(obj, Area):
            return obj.version
        if isinstance(obj, Competency):
            return obj.area.version
        return None

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        version = self._version_of(obj)
        if version is not None and version.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        version = self._version_of(obj)
        if version is not None and version.is_published:
            return False
        return super().has_delete_permission(request, obj)


class AreaInline(PublishedIsReadOnly, admin.TabularInline):
    model = Area
    extra = 0
    show_change_link = True


class CompetencyInline(PublishedIsReadOnly, admin.StackedInline):
    model = Competency
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ("name",)


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(PublishedIsReadOnly, SimpleHistoryAdmin):
    list_display = ("framework", "number", "status", "published_at")
    readonly_fields = ("status", "published_at")
    inlines = [AreaInline]


@admin.register(Area)
class AreaAdmin(PublishedIsReadOnly, SimpleHistoryAdmin):
    list_display = ("title", "version", "stage")
    inlines = [CompetencyInline]


@admin.register(DevelopmentGoal)
class DevelopmentGoalAdmin(SimpleHistoryAdmin):
    """Goals are agreed on the review's goals page; here they are read, with their history."""

    list_display = ("competency", "review", "review_on", "created_at")
    list_select_related = ("competency", "review")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
