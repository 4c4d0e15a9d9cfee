from training.management.commands._csv_import import CSVImportCommand
from training.models import ImportRun


class Command(CSVImportCommand):
    help = "Record training course attendance from a CSV file or Excel workbook (all or nothing)."
    kind = ImportRun.Kind.TRAINING
