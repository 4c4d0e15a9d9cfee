from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from operations.bench import bench, figure_timings, markdown_table


class Command(BaseCommand):
    help = (
        "Time every main page and export: median and 95th percentile over 20 requests after a "
        "warm-up, with the query count (see docs/performance.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", help="Also write the results to this file.")
        parser.add_argument("--repeat", type=int, default=20, help="Timed requests a page.")
        parser.add_argument("--warm-up", type=int, default=2, help="Untimed requests first.")
        parser.add_argument(
            "--budget",
            type=float,
            default=60.0,
            help="Stop timing a page after this many seconds (at least one request is timed).",
        )
        parser.add_argument("--only", default="", help="Only the pages whose name has this.")
        parser.add_argument("--skip", default="", help="Not the pages whose name has this.")

    def handle(
        self,
        *args: Any,
        json: str | None,
        repeat: int,
        warm_up: int,
        budget: float,
        only: str,
        skip: str,
        **options: Any,
    ) -> None:
        self.stdout.write(
            f"{'page':<30} {'median ms':>9} {'p95 ms':>9} {'CPU ms':>7} {'q':>4} {'n':>3}"
        )
        result = bench(
            repeat=repeat,
            warm_up=warm_up,
            budget_seconds=budget,
            only=only,
            skip=skip,
            extra=figure_timings if not only or "figures" in only else None,
            report=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(markdown_table(result))
        if json:
            Path(json).write_text(_dumps(result.as_dict()))


def _dumps(data: dict[str, object]) -> str:
    return json_module.dumps(data, indent=2) + "\n"
