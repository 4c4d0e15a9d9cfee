from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from accounts.decorators import permission_required
from accounts.http import AuthenticatedHttpRequest
from accounts.roles import Permission
from caseload.selectors import months_counted, rollout_with_cases
from common.charts import lines as charts
from common.exports import EXPORT_FORMATS, attachment, export_response
from common.projection import Projection
from competencies.models import BASE_STAGES, Stage
from competencies.selectors import SELF_HIGHER_FLAG
from dashboards import selectors
from dashboards.circle_work import SELDOM_SHARE, WEAK_BASIC_SHARE, circle_work
from dashboards.evaluation import evaluation_export
from dashboards.forms import DashboardFilterForm, TeamFilterForm
from dashboards.selectors.cases import cases_by_month
from dashboards.selectors.projection import team_projections
from dashboards.selectors.ratings import StageShare
from dashboards.selectors.routing import routing_counts
from dashboards.selectors.teams import get_team_for_user, team_view
from dashboards.services import figures_catch_up
from dashboards.tables import (
    CaseContextTable,
    CohortTable,
    CompetencyTable,
    FunnelTable,
    GapTable,
    ManagedPeopleTable,
    StageTrendTable,
    TeamStageTable,
)
from training.charts import cumulative_chart
from training.forms import RolloutFilterForm
from training.selectors import rollout_summary
from training.tables import (
    AccessibleTable,
    OrganisationTable,
    PhaseTable,
    RoleGroupTable,
    TeamTable,
)

TEAMS_PER_PAGE = 25


def stage_rows(stage_trends: list[StageShare]) -> list[dict[str, object]]:
    """The stage shares pivoted to one row a month, a column a stage."""
    months: dict[object, dict[str, object]] = {}
    ratings: dict[object, int] = {}
    for row in stage_trends:
        month = months.setdefault(row.month, {"month": row.month, "ratings": 0})
        month[row.stage] = row.share
        ratings[row.month] = ratings.get(row.month, 0) + row.ratings
    for key, month in months.items():
        month["ratings"] = ratings[key]
    return list(months.values())


def _rollout_tables(data: selectors.RolloutFigures) -> dict[str, AccessibleTable]:
    return {
        "timeline": FunnelTable(
            data.timeline,
            # Not the section's heading: the table's scroll box is a region named by its caption.
            caption="In scope, trained, embedded and with fidelity, by month",
            first_column="Month",
            prefix="timeline-",
        ),
        "teams": TeamStageTable(data.teams, prefix="teams-"),
        "service_areas": FunnelTable(
            data.service_areas,
            caption="By service area",
            first_column="Service area",
            prefix="areas-",
        ),
        "role_groups": FunnelTable(
            data.role_groups, caption="By role group", first_column="Role group", prefix="roles-"
        ),
        "organisations": FunnelTable(
            data.organisations,
            caption="By organisation (the council and partner agencies)",
            first_column="Organisation",
            prefix="organisations-",
        ),
        "phases": FunnelTable(
            data.phases, caption="By phase cohort", first_column="Phase", prefix="phases-"
        ),
    }


def _practice_tables(data: selectors.PracticeFigures) -> dict[str, AccessibleTable]:
    return {
        "stages": StageTrendTable(stage_rows(data.stage_trends)),
        "competencies": CompetencyTable(data.competency_shares, prefix="competencies-"),
        "gap": GapTable(data.gap_trend),
        "case_contexts": CaseContextTable(data.case_contexts),
        "cohorts": CohortTable(data.cohorts),
    }


@dataclass(frozen=True)
class ProjectionCells:
    """A projection as its three cells read: now, the pace, and when (or whether) it reaches
    the threshold; written here once rather than through the template's filters cell by cell,
    which took a tenth of the Roll-out page's time."""

    now: str
    pace: str
    outcome: str
    """reached, expected or not-at-this-pace (for the cell's data attribute)"""
    when: str

    @classmethod
    def of(cls, projection: Projection) -> ProjectionCells:
        if projection.reached_on is not None:
            outcome = "reached"
            when = f"reached (by {date_format(projection.reached_on, 'F Y')})"
        elif projection.expected_on is not None:
            outcome = "expected"
            when = f"by the end of {date_format(projection.expected_on, 'F Y')}"
        else:
            outcome = "not-at-this-pace"
            when = "too little history to tell" if projection.pace is None else "not at this pace"
        return cls(
            now="–" if projection.latest is None else f"{floatformat(projection.latest, 0)}%",
            pace="too little history"
            if projection.pace is None
            else f"{floatformat(projection.pace, 1)} points a month",
            outcome=outcome,
            when=when,
        )


@dataclass(frozen=True)
class ProjectionLine:
    label: str
    in_scope: int
    measures: tuple[ProjectionCells, ProjectionCells]


def _projections_on_page(
    data: selectors.RolloutFigures, teams: AccessibleTable
) -> list[ProjectionLine]:
    """Everyone in scope, then the teams on the page of the Teams table being shown, in its
    order: a national organisation's 1,800 teams' projections were most of the page's time."""
    shown = [row.record for row in teams.page.object_list] if teams.page else []
    rows = [
        data.projection,
        *team_projections(data.filters, data.projection, data.timeline, shown),
    ]
    return [
        ProjectionLine(
            label=row.label,
            in_scope=row.in_scope,
            measures=(ProjectionCells.of(row.training), ProjectionCells.of(row.practice)),
        )
        for row in rows
    ]


def _rollout_charts(data: selectors.RolloutFigures) -> dict[str, object]:
    months = [row.label for row in data.timeline]
    critical = data.definitions.full_fidelity_percent
    in_scope = data.timeline[-1].in_scope if data.timeline else 0
    funnel = charts.line_chart(
        title="Roll-out month by month",
        description=(
            f"Of {data.total.in_scope} in scope on {data.filters.as_of:%d %B %Y}: "
            f"{data.total.trained} trained, {data.total.embedded} embedded, "
            f"{data.total.fidelity} practising with fidelity. Figures by month are in the table."
        ),
        x_labels=months,
        series=[
            ("In scope", [row.in_scope for row in data.timeline]),
            ("Trained", [row.trained for row in data.timeline]),
            ("Embedded", [row.embedded for row in data.timeline]),
            ("With fidelity", [row.fidelity for row in data.timeline]),
        ],
        threshold=in_scope * critical / 100 if in_scope else None,
        threshold_label=f"Critical mass of practice ({critical}% with fidelity)",
    )
    return {"funnel": funnel}


def _practice_charts(data: selectors.PracticeFigures) -> dict[str, object]:
    stage_months = sorted({row.month for row in data.stage_trends})
    by_stage = {(row.month, row.stage): row.share for row in data.stage_trends}
    stage_names = dict(Stage.choices)
    stages = charts.line_chart(
        title="Rated Competent or above, by BASE stage",
        description="The share of supervisor ratings at Competent or Advanced for each stage, "
        "month by month; the figures are in the table.",
        x_labels=[f"{month:%b %Y}" for month in stage_months],
        series=[
            (stage_names[stage], [by_stage.get((month, stage)) for month in stage_months])
            for stage in [*BASE_STAGES, Stage.RESTORATIVE]
        ],
        percent=True,
    )
    gap = charts.line_chart(
        title="Self rated higher than supervisor",
        description="The share of competencies where the practitioner's own rating is above "
        "their supervisor's, month by month; the mean gap is in the table.",
        x_labels=[f"{row.month:%b %Y}" for row in data.gap_trend],
        series=[("Self higher", [row.self_higher_share for row in data.gap_trend])],
        percent=True,
    )
    contexts = charts.bar_chart(
        title="Rated Competent or above, by case context",
        description="Supervisor ratings at Competent or Advanced by case context; the "
        "figures are in the table.",
        rows=[(row.label, row.share) for row in data.case_contexts if row.ratings],
    )
    return {"stages": stages, "gap": gap, "contexts": contexts}


@dataclass(frozen=True)
class Section:
    """One of the dashboard's three pages: its URL's name, its tab's label and its tables (a
    table's download asked of another section is sent there)."""

    name: str
    label: str
    tables: tuple[str, ...]


SECTIONS = (
    Section(
        "fidelity",
        "Roll-out",
        ("timeline", "teams", "service_areas", "role_groups", "organisations", "phases"),
    ),
    Section(
        "fidelity_practice",
        "Practice",
        ("stages", "competencies", "gap", "case_contexts", "cohorts"),
    ),
    Section("fidelity_follow_up", "Follow-up", ()),
)


def _section_context(
    request: AuthenticatedHttpRequest, section: str, filters: selectors.Filters
) -> tuple[dict[str, AccessibleTable], dict[str, object]]:
    """One section's tables and the rest of what its page shows: only its own figures are
    counted."""
    if section == "fidelity":
        rollout = selectors.rollout_figures(filters)
        tables = _rollout_tables(rollout)
        # A region has hundreds of teams: a page of them at a time (the download has them all).
        RequestConfig(request, paginate={"per_page": TEAMS_PER_PAGE}).configure(tables["teams"])
        return tables, {
            "data": rollout,
            "projections": _projections_on_page(rollout, tables["teams"]),
            "charts": _rollout_charts(rollout),
            "cases_by_month": cases_by_month(filters, rollout.timeline),
        }
    if section == "fidelity_practice":
        practice = selectors.practice_figures(filters)
        tables = _practice_tables(practice)
        RequestConfig(request, paginate=False).configure(tables["competencies"])
        return tables, {
            "data": practice,
            "charts": _practice_charts(practice),
            "circle_work": circle_work(filters),
            "weak_share": WEAK_BASIC_SHARE,
            "seldom_share": SELDOM_SHARE,
        }
    return {}, {
        "data": selectors.follow_up_figures(filters),
        # Today's lists, outside the filtered figures: the htmx swap does not need them.
        "routing": None if request.htmx else routing_counts(),
        "self_higher_flag": SELF_HIGHER_FLAG,
    }


def _accepted_query(request: AuthenticatedHttpRequest, form: DashboardFilterForm) -> str:
    """The download's query with only the filters the form accepts: a refused value would be
    refused by the other section too, and a long one could make the address too long to
    redirect to."""
    form.is_valid()
    accepted = QueryDict(mutable=True)
    for key in (*form.fields, "table", "_export"):
        if key in request.GET and key not in form.errors:
            accepted[key] = request.GET[key]
    return accepted.urlencode()


def render_dashboard(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None)
    wanted = request.GET.get("table", "")
    elsewhere = next(
        (other for other in SECTIONS if wanted in other.tables and other.name != section), None
    )
    if elsewhere and request.GET.get("_export") in EXPORT_FORMATS:
        # A download link from before the dashboard had sections, or typed by hand.
        return redirect(f"{reverse(elsewhere.name)}?{_accepted_query(request, form)}")
    figures_catch_up()
    filters = form.filters()
    tables, context = _section_context(request, section, filters)
    if wanted in tables:
        response = export_response(request, tables[wanted], f"fidelity-{wanted}-{filters.as_of}")
        if response:
            return response
    query = request.GET.copy()
    for key in ("table", "_export"):
        query.pop(key, None)
    template = f"dashboards/{section}.html"
    if request.htmx:
        template += "#figures"
    return render(
        request,
        template,
        {
            **context,
            "tables": tables,
            "form": form,
            "query": query.urlencode(),
            "sections": SECTIONS,
            "section": section,
        },
    )


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_DASHBOARD)
def fidelity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboard's Roll-out section: trained, embedded and practising with fidelity."""
    return render_dashboard(request, "fidelity")


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_DASHBOARD)
def fidelity_practice(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboard's Practice section: the supervisors' ratings and the self-rating gap."""
    return render_dashboard(request, "fidelity_practice")


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_DASHBOARD)
def fidelity_follow_up(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboard's Follow-up section: the people to look at."""
    return render_dashboard(request, "fidelity_follow_up")


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_DASHBOARD)
def evaluation_download(request: HttpRequest) -> HttpResponse:
    content, filename = evaluation_export()
    return attachment(content, filename=filename, content_type="application/zip")


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_MANAGED_TEAMS)
def team_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One team's figures for the person who manages it; the people they line-manage by name."""
    managed = get_team_for_user(request.user, pk)
    form = TeamFilterForm(request.GET or None)
    figures_catch_up()
    data = team_view(form.filters(managed.team), managed=managed)
    template = "dashboards/team.html"
    if request.htmx:
        template += "#figures"
    return render(
        request,
        template,
        {
            "form": form,
            "data": data,
            "timeline": FunnelTable(
                data.timeline,
                caption="The team month by month",
                first_column="Month",
                prefix="timeline-",
            ),
            "gap": GapTable(data.gap_trend),
            "people": ManagedPeopleTable(data.people),
            "self_higher_flag": SELF_HIGHER_FLAG,
        },
    )


@require_http_methods(["GET"])
@permission_required(Permission.VIEW_ROLLOUT)
def rollout(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The training roll-out with the cases worked with the model beside it: it composes the
    roster's training figures and the caseload, so it sits above both."""
    form = RolloutFilterForm(request.GET or None)
    summary = rollout_with_cases(
        rollout_summary(as_of=form.as_of_date(), organisation=form.organisation_id())
    )
    tables = {
        "phases": PhaseTable(summary.phases),
        "teams": TeamTable(summary.teams, prefix="teams-"),
        "role_groups": RoleGroupTable(summary.role_groups),
        "organisations": OrganisationTable(summary.organisations),
    }
    # A region has hundreds of teams: a page of them at a time (the download has them all).
    RequestConfig(request, paginate={"per_page": 25}).configure(tables["teams"])
    wanted = request.GET.get("table", "teams")
    if wanted in tables:
        response = export_response(request, tables[wanted], f"rollout-{wanted}-{summary.as_of}")
        if response:
            return response
    context = {
        "form": form,
        "summary": summary,
        "tables": tables,
        "chart": cumulative_chart(summary),
        "behind": summary.teams_furthest_behind(),
        "cases_from": months_counted(summary.as_of)[0],
        "query": _query_without_export(request),
    }
    template = "dashboards/rollout.html"
    if request.htmx:
        template += "#figures"
    return render(request, template, context)


def _query_without_export(request: HttpRequest) -> str:
    """The page's query string for its download links, which add their own table and format."""
    query = request.GET.copy()
    for key in ("table", "_export"):
        query.pop(key, None)
    return query.urlencode()
