from __future__ import annotations

from collections.abc import Callable

from caseload.imports import cases_import
from training.imports import ImportResult
from training.management.commands._csv_import import CSVImportCommand


class Command(CSVImportCommand):
    help = (
        "Record monthly caseloads and cases worked with the model from a CSV file or Excel "
        "workbook with the columns email, month, caseload, cases_with_model (all or nothing)."
    )

    def importer(self) -> tuple[Callable[..., ImportResult], str]:
        return cases_import, "monthly figures"
