"""The figures behind the manager dashboard, `fidelity_report` and the exports.

- `filters`: what the dashboard is narrowed to;
- `definitions`: who is trained, embedded and practising with fidelity on a day;
- `funnel`: how many of the people in scope are, in total, by month, team, service area, role
  group and phase, and the implementation stage that puts them at;
- `ratings`: supervisor ratings by stage, competency, month, case context and cohort, and the
  gap between self and supervisor ratings;
- `flags`: the people practice leaders and supervisors should look at;
- `assembly`: the dashboard's three sections (Roll-out, Practice, Follow-up) from those parts;
- `teams`: one team's figures for the person who manages it (the team view).

Everything is counted in the database; the number of queries depends on how many months are
shown, never on how many people or ratings there are.
"""

from dashboards.selectors.assembly import (
    Dashboard,
    FollowUpFigures,
    PracticeFigures,
    RolloutFigures,
    dashboard,
    follow_up_figures,
    headline,
    practice_figures,
    rollout_figures,
    team_rows,
)
from dashboards.selectors.filters import CASE_CONTEXTS, Filters
from dashboards.selectors.flags import Flags
from dashboards.selectors.funnel import FunnelRow, ImplementationStage, TeamRow, stage_of

__all__ = [
    "CASE_CONTEXTS",
    "Dashboard",
    "FollowUpFigures",
    "Filters",
    "Flags",
    "FunnelRow",
    "ImplementationStage",
    "PracticeFigures",
    "RolloutFigures",
    "TeamRow",
    "dashboard",
    "follow_up_figures",
    "headline",
    "practice_figures",
    "rollout_figures",
    "stage_of",
    "team_rows",
]
