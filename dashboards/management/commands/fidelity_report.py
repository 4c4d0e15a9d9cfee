from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from common.spreadsheets import CSVWriter
from dashboards.selectors import Dashboard, Filters, dashboard
from dashboards.services import figures_catch_up
from training.dates import as_of_option


def report(data: Dashboard) -> dict[str, object]:
    """The dashboard's figures as plain data (the JSON format of the report)."""

    def funnel(row: object) -> dict[str, object]:
        return {
            "in_scope": row.in_scope,
            "trained": row.trained,
            "embedded": row.embedded,
            "fidelity": row.fidelity,
        }

    return {
        "as_of": data.filters.as_of.isoformat(),
        "definitions": {
            "embedded_recent_meetings": data.definitions.embedded_recent_meetings,
            "embedded_supervision_weeks": data.definitions.embedded_supervision_weeks,
            "fidelity_months": data.definitions.fidelity_months,
            "fidelity_percent": data.definitions.fidelity_percent,
            "installation_embedded_percent": data.definitions.installation_embedded_percent,
            "full_fidelity_percent": data.definitions.full_fidelity_percent,
        },
        "total": funnel(data.total),
        "stage": data.stage,
        "critical_mass": data.has_critical_mass,
        "critical_mass_first_reached": data.critical_mass_reached_on.isoformat()
        if data.critical_mass_reached_on
        else None,
        "timeline": [{"month_end": row.key.isoformat(), **funnel(row)} for row in data.timeline],
        "teams": [
            {
                "name": row.label,
                "service_area": row.service_area,
                "stage": row.stage,
                "trend": row.trend,
                **funnel(row),
            }
            for row in data.teams
        ],
        "case_contexts": [
            {
                "context": row.key,
                "ratings": row.ratings,
                "competent_or_above": row.competent_or_above,
                "share": round(row.share, 4),
                "mean_gap": round(row.mean_gap, 3),
            }
            for row in data.case_contexts
        ],
        # The same rules as the supervisor's and circles' pages: see dashboards.selectors.flags.
        "flags": {
            "overdue": [{"name": row.name, "team": row.team} for row in data.flags.overdue],
            "in_no_circle": [
                {"name": row.name, "team": row.team} for row in data.flags.in_no_circle
            ],
            # Reviews are the practitioner's and their supervisor's: counts by team, no names.
            "self_higher_by_team": dict(data.flags.self_higher_by_team),
        },
        "gap": [
            {
                "month": f"{row.month:%Y-%m}",
                "pairs": row.pairs,
                "mean_gap": round(row.mean_gap, 3),
                "self_higher_share": round(row.self_higher_share, 4),
            }
            for row in data.gap_trend
        ],
    }


class Command(BaseCommand):
    help = "Print the fidelity dashboard's figures (the same selectors as the page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=str, help="Judge as of this date (YYYY-MM-DD).")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args: Any, as_of: str | None, format: str, **options: Any) -> None:
        figures_catch_up()
        data = dashboard(Filters(as_of=as_of_option(as_of) if as_of else timezone.localdate()))
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
        ]
        total = figures["total"]
        if format == "csv":
            writer = CSVWriter(self.stdout, lineterminator="\n")
            writer.writerow(
                ["section", "name", "stage", "in_scope", "trained", "embedded", "fidelity"]
            )
            writer.writerow(["total", "everyone in scope", figures["stage"], *total.values()])
            writer.writerows(rows)
            return
        self.stdout.write(
            f"As of {data.filters.as_of:%d/%m/%Y}: {total['in_scope']} in scope, "
            f"{total['trained']} trained, {total['embedded']} embedded, "
            f"{total['fidelity']} practising with fidelity. Stage: {figures['stage']}. "
            f"Critical mass: {'reached' if figures['critical_mass'] else 'not reached'}."
        )
        for _, name, stage, *counts in rows:
            self.stdout.write(f"  {name:<40} {stage:<24} " + " ".join(f"{c:>4}" for c in counts))
        flagged = figures["flags"]
        self.stdout.write(
            f"Overdue 2:1s: {len(flagged['overdue'])}. Trained but in no circle: "
            f"{len(flagged['in_no_circle'])}. Rated themselves higher: "
            f"{sum(flagged['self_higher_by_team'].values())}."
        )
