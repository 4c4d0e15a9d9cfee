from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from common.spreadsheets import CSVWriter
from dashboards.management.commands._options import organisation_option
from dashboards.selectors import CASE_CONTEXTS, Dashboard, Filters, dashboard
from dashboards.selectors.funnel import FunnelRow
from dashboards.services import figures_catch_up
from training.dates import as_of_option
from training.models import Phase, RoleGroup, Team


def report(data: Dashboard) -> dict[str, Any]:
    """The dashboard's figures as plain data (the JSON format of the report)."""
    rollout, practice, follow_up = data.rollout, data.practice, data.follow_up

    def funnel(row: FunnelRow) -> dict[str, int]:
        return {
            "in_scope": row.in_scope,
            "trained": row.trained,
            "embedded": row.embedded,
            "fidelity": row.fidelity,
        }

    return {
        "as_of": rollout.filters.as_of.isoformat(),
        "definitions": {
            "embedded_recent_meetings": rollout.definitions.embedded_recent_meetings,
            "embedded_supervision_weeks": rollout.definitions.embedded_supervision_weeks,
            "fidelity_months": rollout.definitions.fidelity_months,
            "fidelity_percent": rollout.definitions.fidelity_percent,
            "installation_embedded_percent": rollout.definitions.installation_embedded_percent,
            "full_fidelity_percent": rollout.definitions.full_fidelity_percent,
        },
        "scope": {
            "role_group": rollout.filters.role_group or "all",
            "label": rollout.scope_label,
            "trained_by_date": rollout.scope.trained_by_date,
            "not_in_scope": {reason.key: reason.count for reason in rollout.scope.reasons},
        },
        # The people trained by the date but out of scope: with `trained`, the roll-out's count.
        "total": {**funnel(rollout.total), "trained_not_in_scope": rollout.scope.not_in_scope},
        "stage": rollout.stage,
        "critical_mass": rollout.has_critical_mass,
        "critical_mass_first_reached": rollout.critical_mass_reached_on.isoformat()
        if rollout.critical_mass_reached_on
        else None,
        "timeline": [
            {"month_end": row.month_end.isoformat(), **funnel(row)} for row in rollout.timeline
        ],
        "teams": [
            {
                "name": row.label,
                "service_area": row.service_area,
                "stage": row.stage,
                "trend": row.trend,
                **funnel(row),
            }
            for row in rollout.teams
        ],
        "organisations": [{"name": row.label, **funnel(row)} for row in rollout.organisations],
        "case_contexts": [
            {
                "context": row.key,
                "ratings": row.ratings,
                "competent_or_above": row.competent_or_above,
                "share": round(row.share, 4),
                "mean_gap": round(row.mean_gap, 3),
            }
            for row in practice.case_contexts
        ],
        # The same rules as the supervisor's and circles' pages: see dashboards.selectors.flags.
        "flags": {
            "overdue": [{"name": row.name, "team": row.team} for row in follow_up.flags.overdue],
            "in_no_circle": [
                {"name": row.name, "team": row.team} for row in follow_up.flags.in_no_circle
            ],
            # Reviews are the practitioner's and their supervisor's: counts by team, no names.
            "self_higher_by_team": dict(follow_up.flags.self_higher_by_team),
        },
        "gap": [
            {
                "month": f"{row.month:%Y-%m}",
                "pairs": row.pairs,
                "mean_gap": round(row.mean_gap, 3),
                "self_higher_share": round(row.self_higher_share, 4),
            }
            for row in practice.gap_trend
        ],
    }


def _pk(model: type[Phase] | type[Team], name: str | None) -> int | None:
    if not name:
        return None
    pk = model.objects.filter(name=name).values_list("pk", flat=True).first()
    if pk is None:
        raise CommandError(f"No {model._meta.verbose_name} is named {name!r}.")
    return pk


class Command(BaseCommand):
    help = "Print the fidelity dashboard's figures (the same selectors as the page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=str, help="Judge as of this date (YYYY-MM-DD).")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--organisation", type=str, help="Only the people this organisation employs (its name)."
        )
        parser.add_argument("--phase", help="A phase cohort, by name.")
        parser.add_argument("--team", help="A team, by name.")
        parser.add_argument("--service-area", default="", help="A service area, by name.")
        parser.add_argument(
            "--role-group",
            choices=["all", *RoleGroup.values],
            default=RoleGroup.PRACTITIONER,
            help="Whom the figures count: practitioners unless another group or all is chosen.",
        )
        parser.add_argument(
            "--case-context", choices=list(CASE_CONTEXTS), help="Ratings of these cases only."
        )

    def handle(
        self,
        *args: Any,
        as_of: str | None,
        format: str,
        phase: str | None,
        team: str | None,
        service_area: str,
        role_group: str,
        case_context: str | None,
        organisation: str | None = None,
        **options: Any,
    ) -> None:
        figures_catch_up()
        filters = Filters(
            as_of=as_of_option(as_of) if as_of else timezone.localdate(),
            phase=_pk(Phase, phase),
            team=_pk(Team, team),
            service_area=service_area,
            role_group="" if role_group == "all" else role_group,
            case_context=case_context or "",
            organisation=organisation_option(organisation),
        )
        data = dashboard(filters)
        figures = report(data)
        if format == "json":
            self.stdout.write(json.dumps(figures, indent=2))
            return
        rows = [
            [
                "team",
                row["name"],
                row["stage"],
                row["in_scope"],
                row["trained"],
                row["embedded"],
                row["fidelity"],
            ]
            for row in figures["teams"]
        ] + [
            [
                "organisation",
                row["name"],
                "",
                row["in_scope"],
                row["trained"],
                row["embedded"],
                row["fidelity"],
            ]
            for row in figures["organisations"]
        ]
        total = figures["total"]
        if format == "csv":
            writer = CSVWriter(self.stdout, lineterminator="\n")
            writer.writerow(
                ["section", "name", "stage", "in_scope", "trained", "embedded", "fidelity"]
            )
            writer.writerow(
                [
                    "total",
                    "everyone in scope",
                    figures["stage"],
                    *(total[name] for name in ("in_scope", "trained", "embedded", "fidelity")),
                ]
            )
            writer.writerows(rows)
            return
        self.stdout.write(
            f"As of {filters.as_of:%d/%m/%Y}, {data.rollout.scope_label.lower()}: "
            f"{total['in_scope']} in scope, "
            f"{total['trained']} trained, {total['embedded']} embedded, "
            f"{total['fidelity']} practising with fidelity. Stage: {figures['stage']}. "
            f"Critical mass of practice: "
            f"{'reached' if figures['critical_mass'] else 'not reached'}."
        )
        if data.rollout.scope.not_in_scope:
            reasons = ", ".join(reason.text for reason in data.rollout.scope.reasons)
            self.stdout.write(
                f"{data.rollout.scope.trained_by_date} trained by this date; "
                f"{data.rollout.scope.not_in_scope} of them not in scope: {reasons}."
            )
        for _, name, stage, *counts in rows:
            self.stdout.write(f"  {name:<40} {stage:<24} " + " ".join(f"{c:>4}" for c in counts))
        flagged = figures["flags"]
        self.stdout.write(
            f"Overdue 2:1s: {len(flagged['overdue'])}. Trained but in no circle: "
            f"{len(flagged['in_no_circle'])}. Rated themselves higher: "
            f"{sum(flagged['self_higher_by_team'].values())}."
        )
