from training.imports import ImportResult, roster_import
from training.management.commands._csv_import import CSVImportCommand


class Command(CSVImportCommand):
    help = "Add or update people on the workforce roster from a CSV file (all or nothing)."
    noun = "people"

    def run_import(self, *, text: str, dry_run: bool) -> ImportResult:
        return roster_import(text=text, dry_run=dry_run)
