"""Cases worked with the model month by month, beside practising with fidelity.

The figure and its rule belong to caseload.selectors; this only puts it beside the dashboard's
timeline, for the people the dashboard is narrowed to.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseload.selectors import cases_with_model_by_month
from dashboards.selectors.filters import Filters
from dashboards.selectors.funnel import FunnelRow


@dataclass(frozen=True)
class CasesMonth:
    label: str
    fidelity: int
    cases_with_model: int
    caseload: int


def cases_by_month(filters: Filters, timeline: list[FunnelRow]) -> list[CasesMonth]:
    """For each month of the timeline, the people practising with fidelity at its end and the
    cases worked with the model as of then, of the caseload they come from (one query)."""
    cases = cases_with_model_by_month(
        ends=[row.month_end for row in timeline], people=filters.people(prefix="person__")
    )
    return [
        CasesMonth(
            label=row.label,
            fidelity=row.fidelity,
            cases_with_model=cases[row.month_end].cases_with_model,
            caseload=cases[row.month_end].caseload,
        )
        for row in timeline
    ]
