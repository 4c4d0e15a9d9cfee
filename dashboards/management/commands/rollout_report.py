from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from caseload.selectors import rollout_with_cases
from common.spreadsheets import CSVWriter
from dashboards.management.commands._options import organisation_option
from training.dates import as_of_option
from training.selectors import RolloutSummary, rollout_summary

# Cases worked with the model beside the caseload they come from (caseload.selectors).
CASES = ["cases_with_model", "caseload"]


class Command(BaseCommand):
    help = "Print the training roll-out figures (the same figures as the Roll-out page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=str, help="Count training on or before this date.")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--organisation", type=str, help="Only the people this organisation employs (its name)."
        )

    def handle(
        self,
        *args: Any,
        as_of: str | None,
        format: str,
        organisation: str | None = None,
        **options: Any,
    ) -> None:
        summary = rollout_with_cases(
            rollout_summary(
                as_of=as_of_option(as_of) if as_of else timezone.localdate(),
                organisation=organisation_option(organisation),
            )
        )
        if format == "json":
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
        elif format == "csv":
            self._write_csv(summary)
        else:
            self._write_table(summary)

    def _rows(self, summary: RolloutSummary) -> list[tuple[str, list[str], list[list[object]]]]:
        groups = [group.key for group in summary.role_groups]
        return [
            (
                "phases",
                ["phase", "trained", "cumulative", *groups, *CASES],
                [
                    [
                        p.name,
                        p.trained,
                        p.cumulative,
                        *(p.by_role_group[g] for g in groups),
                        p.cases_with_model,
                        p.caseload,
                    ]
                    for p in summary.phases
                ],
            ),
            (
                "teams",
                ["team", "active_staff", "trained_active", "share_trained", *CASES],
                [
                    [
                        t.name,
                        t.active_staff,
                        t.trained_active,
                        round(t.share_trained, 4),
                        t.cases_with_model,
                        t.caseload,
                    ]
                    for t in summary.teams
                ],
            ),
            (
                "role_groups",
                ["role_group", "active_staff", "trained_active", *CASES],
                [
                    [g.key, g.active_staff, g.trained_active, g.cases_with_model, g.caseload]
                    for g in summary.role_groups
                ],
            ),
            (
                "organisations",
                ["organisation", "kind", "active_staff", "trained_active", "share_trained"],
                [
                    [o.label, o.kind, o.active_staff, o.trained_active, round(o.share_trained, 4)]
                    for o in summary.organisations
                ],
            ),
        ]

    def _write_csv(self, summary: RolloutSummary) -> None:
        writer = CSVWriter(self.stdout, lineterminator="\n")
        for index, (section, header, rows) in enumerate(self._rows(summary)):
            if index:
                writer.writerow([])
            writer.writerow(["section", *header])
            writer.writerows([section, *row] for row in rows)

    def _write_table(self, summary: RolloutSummary) -> None:
        self.stdout.write(
            f"Roll-out as of {summary.as_of:%d/%m/%Y}: {summary.trained_total} trained "
            f"(target {summary.target}); {summary.cases_with_model} cases worked with the model "
            f"of a caseload of {summary.caseload}"
        )
        for _, header, rows in self._rows(summary):
            self.stdout.write("")
            widths = [
                max(len(str(value)) for value in column)
                for column in zip(*[header, *rows], strict=True)
            ]
            lines: list[list[str] | list[object]] = [header, *rows]
            for row in lines:
                self.stdout.write(
                    "  ".join(
                        str(value).ljust(width) if index == 0 else str(value).rjust(width)
                        for index, (value, width) in enumerate(zip(row, widths, strict=True))
                    )
                )
