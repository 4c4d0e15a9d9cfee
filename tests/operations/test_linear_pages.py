"""Every page that grows with the organisation does work in proportion to it, never more.

Each page is opened on two generated organisations, one four times the other, and the work its
queries do is measured in a way the load on the machine cannot blur: on SQLite the virtual
machine instructions the queries execute (counted through a progress handler), on PostgreSQL
the planner's estimated cost of each query (EXPLAIN, after ANALYZE). A plan that turns
quadratic (a subquery rescanned for every row, as the dashboard's once was) costs about
sixteen times as much at four times the size; a linear one about four times.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from operations.scale import seed_scale
from tests.factories import analyse_after_bulk_load

pytestmark = pytest.mark.django_db

SMALL, LARGE = 60, 240
UNTIL = datetime.date.today()
# Four times the people may cost at most this many times the work; linear plans come out at
# about four (the work that does not grow makes small pages a little cheaper than that).
MOST = 7.0

PAGES = {
    "/fidelity/": Role.PROGRAMME_LEAD,
    "/fidelity/practice/": Role.PROGRAMME_LEAD,
    "/fidelity/follow-up/": Role.PROGRAMME_LEAD,
    "/rollout/": Role.PROGRAMME_LEAD,
    "/roster/": Role.PROGRAMME_LEAD,
    "/circles/": Role.PROGRAMME_LEAD,
    "/circles/unplaced/": Role.PROGRAMME_LEAD,
    "/cohorts/": Role.PROGRAMME_LEAD,
    "/supervision/": Role.SUPERVISOR,
    "/reviews/": Role.SUPERVISOR,
    "/progress/": Role.PRACTITIONER,
}


def sqlite_work(request: Callable[[], object]) -> int:
    """Virtual machine instructions, in hundreds, that SQLite executes for `request`."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    raw = connection.connection
    raw.set_progress_handler(count, 100)
    try:
        request()
    finally:
        raw.set_progress_handler(None, 100)
    return steps[0]


def postgresql_work(request: Callable[[], object]) -> float:
    """The planner's estimated total cost of the SELECTs `request` runs."""
    with CaptureQueriesContext(connection) as queries:
        request()
    total = 0.0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                total += plan[0]["Plan"]["Total Cost"]
    return total


def work_of_each_page(people: int) -> dict[str, float]:
    seed_scale(people=people, months=12, seed=5, until=UNTIL)
    analyse_after_bulk_load()
    measure = postgresql_work if connection.vendor == "postgresql" else sqlite_work
    result = {}
    for url, role in PAGES.items():
        client = Client()
        user = User.objects.filter(groups__name=role.label).order_by("pk").first()
        assert user is not None, f"nobody holds the role {role.label}"
        client.force_login(user)
        assert client.get(url).status_code == 200  # warm: sessions, caches, figures
        result[url] = measure(functools.partial(client.get, url))
    return result


def test_every_page_does_work_in_proportion_to_the_organisation():
    with transaction.atomic():
        small = work_of_each_page(SMALL)
        transaction.set_rollback(True)
    large = work_of_each_page(LARGE)

    ratios = {url: large[url] / max(small[url], 1) for url in PAGES}
    assert all(ratio <= MOST for ratio in ratios.values()), ratios


def test_counting_everyones_figures_again_does_work_in_proportion_to_the_organisation():
    from dashboards.services import figures_refresh

    measure = postgresql_work if connection.vendor == "postgresql" else sqlite_work
    with transaction.atomic():
        seed_scale(people=SMALL, months=12, seed=5, until=UNTIL)
        small = measure(figures_refresh)
        transaction.set_rollback(True)
    seed_scale(people=LARGE, months=12, seed=5, until=UNTIL)
    large = measure(figures_refresh)

    assert large / max(small, 1) <= MOST, (small, large)
