from training.imports import ImportResult, training_import
from training.management.commands._csv_import import CSVImportCommand


class Command(CSVImportCommand):
    help = "Record training course attendance from a CSV file (all or nothing)."
    noun = "attendance records"

    def run_import(self, *, text: str, dry_run: bool) -> ImportResult:
        return training_import(text=text, dry_run=dry_run)
