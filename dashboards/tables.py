"""The dashboard's tables: each is the truth behind a chart, and each exports."""

from __future__ import annotations

import datetime
from typing import Any

import django_tables2 as tables

from common.columns import MonthColumn, ShareColumn
from common.spreadsheets import Month as MonthCell
from training.tables import AccessibleTable


class Percent(ShareColumn):
    """A share from 0 to 1, shown as a percentage; a percentage in Excel, the fraction in CSV."""


class Month(MonthColumn):
    """A month shown as "Dec 2016"; a month in Excel, 2016-12 in CSV."""


class FunnelTable(AccessibleTable):
    label = tables.Column(verbose_name="")
    in_scope = tables.Column(verbose_name="In scope")
    trained = tables.Column()
    embedded = tables.Column()
    fidelity = tables.Column(verbose_name="With fidelity")
    trained_share = Percent(verbose_name="Share trained", orderable=False)
    embedded_share = Percent(verbose_name="Share embedded", orderable=False)
    fidelity_share = Percent(verbose_name="Share with fidelity", orderable=False)

    class Meta(AccessibleTable.Meta):
        orderable = False

    def __init__(self, *args: object, caption: str, first_column: str, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.caption = caption
        self.columns["label"].column.verbose_name = first_column

    def value_label(self, record: Any) -> object:
        """A month of the timeline (its row keyed by the month's last day) is a month in a
        download, so that a spreadsheet sorts the months as months."""
        if isinstance(record.key, datetime.date):
            return MonthCell.of(record.key)
        return record.label


class TeamStageTable(AccessibleTable):
    caption = "Teams: implementation stage, shares and trend"

    label = tables.Column(verbose_name="Team")
    service_area = tables.Column(verbose_name="Service area")
    stage = tables.Column(verbose_name="Stage", order_by=("stage_order",))
    in_scope = tables.Column(verbose_name="In scope")
    trained_share = Percent(verbose_name="Trained")
    embedded_share = Percent(verbose_name="Embedded")
    fidelity_share = Percent(verbose_name="With fidelity")
    trend = tables.Column(verbose_name="Fidelity trend, 3 months")

    class Meta(AccessibleTable.Meta):
        pass

    def render_trend(self, value: str) -> str:
        arrows = {"up": "↑ up", "down": "↓ down", "steady": "→ steady"}
        return arrows.get(value, value)


class StageTrendTable(AccessibleTable):
    """One row a month; a column for each stage's share of ratings at Competent or above."""

    caption = "Supervisor ratings at Competent or above, by BASE stage and month"

    month = Month()
    engagement = Percent(verbose_name="Engagement", default="—")
    resilience = Percent(verbose_name="Resilience assessment", default="—")
    risk = Percent(verbose_name="Risk assessment", default="—")
    analysis = Percent(verbose_name="Analysis", default="—")
    planning = Percent(verbose_name="Planning", default="—")
    restorative = Percent(verbose_name="Restorative Practice", default="—")
    ratings = tables.Column(verbose_name="Ratings that month")

    class Meta(AccessibleTable.Meta):
        orderable = False


class CompetencyTable(AccessibleTable):
    caption = "Supervisor ratings by competency"

    stage_label = tables.Column(verbose_name="Stage")
    title = tables.Column(verbose_name="Competency")
    ratings = tables.Column(verbose_name="Ratings")
    share = Percent(verbose_name="Competent or above")
    basic_share = Percent(verbose_name="Basic")

    class Meta(AccessibleTable.Meta):
        pass


class GapTable(AccessibleTable):
    caption = "Self versus supervisor, by month"

    month = Month()
    pairs = tables.Column(verbose_name="Rated by both")
    mean_gap = tables.Column(verbose_name="Mean gap in levels (self minus supervisor)")
    self_higher_share = Percent(verbose_name="Self rated higher")

    class Meta(AccessibleTable.Meta):
        orderable = False

    def render_mean_gap(self, value: float) -> str:
        return f"{value:+.2f}"

    def value_mean_gap(self, value: float) -> float:
        return round(value, 3)


class CaseContextTable(AccessibleTable):
    caption = "Fidelity by case context"

    label = tables.Column(verbose_name="Case context")
    ratings = tables.Column(verbose_name="Ratings")
    share = Percent(verbose_name="Competent or above")
    mean_gap = tables.Column(verbose_name="Mean gap (self minus supervisor)")
    self_higher_share = Percent(verbose_name="Self rated higher")

    class Meta(AccessibleTable.Meta):
        orderable = False

    def render_mean_gap(self, value: float) -> str:
        return f"{value:+.2f}"

    def value_mean_gap(self, value: float) -> float:
        return round(value, 3)


class CohortTable(AccessibleTable):
    caption = "Phase cohorts: ratings at Competent or above by months since training"

    phase = tables.Column(verbose_name="Phase cohort")
    since = tables.Column(verbose_name="Since training")
    ratings = tables.Column(verbose_name="Ratings")
    share = Percent(verbose_name="Competent or above")

    class Meta(AccessibleTable.Meta):
        orderable = False


class YesNo(tables.Column):
    def render(self, value: bool) -> str:
        return "Yes" if value else "No"


class ManagedPeopleTable(AccessibleTable):
    """The team view's people: those the viewer line-manages, as the figures see them."""

    caption = "People you manage in this team"

    name = tables.Column(verbose_name="Name")
    role_group = tables.Column(verbose_name="Role group")
    trained = YesNo(verbose_name="Trained")
    embedded = YesNo(verbose_name="Embedded")
    faithful = YesNo(verbose_name="With fidelity")
    overdue = YesNo(verbose_name="Overdue for a 2:1")
    in_no_circle = YesNo(verbose_name="Trained, in no circle")
    self_higher = tables.Column(verbose_name="Rated self higher on")

    class Meta(AccessibleTable.Meta):
        orderable = False

    def render_self_higher(self, value: int) -> str:
        return f"{value} competencies" if value else "—"
