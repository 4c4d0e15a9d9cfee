from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dashboards.services import figures_refresh


class Command(BaseCommand):
    help = (
        "Count everyone's first attended course days, every review's verdict and everyone's "
        "dashboard figures again from the records (the daily job; running it twice changes "
        "nothing)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        refresh = figures_refresh()
        self.stdout.write(f"Figures refreshed: {refresh.spans} spans in {refresh.seconds:.1f} s.")
