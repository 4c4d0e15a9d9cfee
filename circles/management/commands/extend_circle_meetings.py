from typing import Any

from django.core.management.base import BaseCommand

from circles.services import circles_extend


class Command(BaseCommand):
    help = "Make sure every circle has rows for its meetings over the next 12 months."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{circles_extend()} meetings added to the schedule.")
