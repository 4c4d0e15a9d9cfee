"""Tables present what the selectors return; they never query."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import django_tables2 as tables
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django_tables2 import utils as tables_utils

from common.columns import DateColumn, ShareColumn
from training.models import Person
from training.selectors import training_state

if TYPE_CHECKING:
    from training.selectors import PersonWithTraining

TABLE_ATTRS = {"class": "table table-sm table-striped align-middle"}

_signature = tables_utils.signature


@functools.lru_cache(maxsize=1024)
def _function_signature(function: Callable[..., object]) -> tuple[tuple[str, ...], str | None]:
    return _signature(function)


def _remembered_signature(fn: Callable[..., object]) -> tuple[tuple[str, ...], str | None]:
    """django-tables2 inspects the signature of a column's render method for every cell it
    draws, which was much of the time of a page of tables. A function's signature does not
    change, so it is inspected once (a bound method's without its first argument, as
    inspect.signature gives it)."""
    function = getattr(fn, "__func__", None)
    if function is None:
        return _function_signature(fn)
    names, keywords = _function_signature(function)
    return names[1:], keywords


tables_utils.signature = _remembered_signature


class AccessibleTable(tables.Table):
    """A table named by a (visually hidden) caption, in a scroll box that keyboards can reach.

    In a narrow window (or zoomed in) a wide table scrolls sideways inside its own box, not the
    page. The box is a focusable, named region (`training/table.html`), so it can be scrolled with
    the arrow keys and screen readers announce which table it holds.
    """

    caption = ""

    class Meta:
        attrs = TABLE_ATTRS
        template_name = "training/table.html"

    @property
    def caption_id(self) -> str:
        return f"{self.prefix}{type(self).__name__.lower()}-caption"

    def before_render(self, request: HttpRequest) -> None:
        """`aria-sort` on the header of the column the table is sorted by, for screen readers.
        Set once here: as a callable in the table's attributes it was worked out again for every
        cell of every row, which was most of the time of drawing a table of a few hundred rows."""
        for bound in self.columns:
            if bound.is_ordered:
                direction = "descending" if bound.order_by_alias.is_descending else "ascending"
                attrs = dict(bound.column.attrs)
                attrs["th"] = {**attrs.get("th", {}), "aria-sort": direction}
                bound.column.attrs = attrs


class PhaseTable(AccessibleTable):
    caption = "Training by phase"

    name = tables.Column(verbose_name="Phase")
    start_date = DateColumn(verbose_name="Starts")
    end_date = DateColumn(verbose_name="Ends")
    trained = tables.Column(verbose_name="Trained in phase")
    cumulative = tables.Column(verbose_name="Cumulative")
    senior_manager = tables.Column(
        verbose_name="Senior managers", accessor="by_role_group__senior_manager"
    )
    manager = tables.Column(verbose_name="Managers", accessor="by_role_group__manager")
    practitioner = tables.Column(
        verbose_name="Practitioners", accessor="by_role_group__practitioner"
    )
    partner = tables.Column(verbose_name="Partners", accessor="by_role_group__partner")
    admin = tables.Column(verbose_name="Administrative staff", accessor="by_role_group__admin")
    cases_with_model = tables.Column(verbose_name="Cases worked with the model")
    caseload = tables.Column(verbose_name="Caseload")

    class Meta(AccessibleTable.Meta):
        orderable = False


class TeamTable(AccessibleTable):
    caption = "Training by team (active staff)"

    name = tables.Column(verbose_name="Team")
    service_area = tables.Column(verbose_name="Service area")
    active_staff = tables.Column(verbose_name="Active staff")
    trained_active = tables.Column(verbose_name="Trained (active)")
    part_trained_active = tables.Column(verbose_name="Part-trained (active)")
    share_trained = ShareColumn(verbose_name="Share trained")
    cases_with_model = tables.Column(verbose_name="Cases worked with the model")
    caseload = tables.Column(verbose_name="Caseload")

    class Meta(AccessibleTable.Meta):
        pass


class RoleGroupTable(AccessibleTable):
    caption = "Training by role group (active staff)"

    label = tables.Column(verbose_name="Role group")
    active_staff = tables.Column(verbose_name="Active staff")
    trained_active = tables.Column(verbose_name="Trained (active)")
    share_trained = ShareColumn(verbose_name="Share trained")
    cases_with_model = tables.Column(verbose_name="Cases worked with the model")
    caseload = tables.Column(verbose_name="Caseload")

    class Meta(AccessibleTable.Meta):
        orderable = False


class OrganisationTable(AccessibleTable):
    caption = "Training by organisation (active staff)"

    label = tables.Column(verbose_name="Organisation")
    kind = tables.Column(verbose_name="Kind")
    active_staff = tables.Column(verbose_name="Active staff")
    trained_active = tables.Column(verbose_name="Trained (active)")
    share_trained = ShareColumn(verbose_name="Share trained")

    class Meta(AccessibleTable.Meta):
        orderable = False


class RosterTable(AccessibleTable):
    caption = "Workforce roster"

    full_name = tables.Column(verbose_name="Name")
    email = tables.Column(verbose_name="Email")
    team = tables.Column(verbose_name="Team", accessor="team__name", order_by="team__name")
    role_group = tables.Column(verbose_name="Role group")
    job_title = tables.Column(verbose_name="Job title")
    line_manager = tables.Column(
        verbose_name="Line manager",
        accessor="line_manager__full_name",
        order_by="line_manager__full_name",
    )
    status = tables.Column(verbose_name="Status")
    training = tables.Column(
        verbose_name="Training", empty_values=(), order_by=("trained_on", "restorative_on")
    )
    trained_on = DateColumn(verbose_name="Trained on")

    class Meta(AccessibleTable.Meta):
        model = Person
        fields = ["full_name", "email", "team", "role_group", "job_title", "line_manager", "status"]
        sequence = [*fields, "training", "trained_on"]

    def render_training(self, record: PersonWithTraining) -> str:
        return training_state_text(record)

    def value_training(self, record: PersonWithTraining) -> str:
        return training_state_text(record)


class AuditTrailColumn(tables.Column):
    """A link to a person's audit trail, named for screen readers by whose trail it is."""

    def __init__(self) -> None:
        super().__init__(
            verbose_name="Audit trail", empty_values=(), orderable=False, exclude_from_export=True
        )

    def render(self, record: Person) -> SafeString:
        return format_html(
            '<a href="{}">Audit trail<span class="visually-hidden"> of {}</span></a>',
            reverse("person_audit", args=[record.pk]),
            record.full_name,
        )


def training_state_text(person: PersonWithTraining) -> str:
    """How far a person annotated by `people_with_training` has got with the course (the day
    they finished it is a column of its own, so that a spreadsheet sorts and filters by it)."""
    return training_state(person).label
