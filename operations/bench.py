"""Time every main page and export as its users open it, for docs/performance.md.

Each page is requested through Django's test client (the whole stack but the network: URL
routing, middleware, sessions, views, templates), signed in as a person who has that page's role,
after a warm-up, and the median and 95th percentile are reported with the number of queries.
"""

from __future__ import annotations

import datetime
import gc
import logging
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from circles.models import CircleMeeting, LearningCircle
from competencies.models import Review, ReviewStatus
from supervision.models import SupervisionSession
from training.models import Cohort, Person, PersonStatus


@dataclass
class PageTiming:
    name: str
    url: str
    role: str
    requests: int
    median_ms: float
    p95_ms: float
    # This process's CPU time: on SQLite the queries run in it too, so on a machine shared with
    # other work this shows what the page costs when the wall clock waits for the processor.
    cpu_ms: float
    queries: int
    status: int
    note: str = ""


@dataclass
class BenchResult:
    when: str
    database: str
    machine: str
    people: int
    active_people: int
    months: int
    pages: list[PageTiming] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _database_version() -> str:
    """SQLite's full version, or PostgreSQL's major version."""
    version = connection.get_database_version()
    return ".".join(map(str, version)) if connection.vendor == "sqlite" else str(version[0])


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `share` of the values."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def _user_with(role: Role) -> User | None:
    group = Group.objects.filter(name=role.label).first()
    if group is None:
        return None
    return (
        User.objects.filter(groups=group, person__isnull=False, is_active=True)
        .order_by("pk")
        .first()
    )


def _pages() -> list[tuple[str, Role, str]]:
    """(name, role, URL) of every main page and export, with objects that have the most to show."""
    pages: list[tuple[str, Role, str]] = [
        ("dashboard (roll-out)", Role.PROGRAMME_LEAD, "/fidelity/"),
        ("dashboard (practice)", Role.PROGRAMME_LEAD, "/fidelity/practice/"),
        ("dashboard (follow-up)", Role.PROGRAMME_LEAD, "/fidelity/follow-up/"),
        ("dashboard, an htmx filter", Role.PROGRAMME_LEAD, "/fidelity/?role_group=manager"),
        ("dashboard export (teams)", Role.PROGRAMME_LEAD, "/fidelity/?table=teams&_export=csv"),
        (
            "dashboard export (competencies)",
            Role.PROGRAMME_LEAD,
            "/fidelity/practice/?table=competencies&_export=csv",
        ),
        ("home (programme lead)", Role.PROGRAMME_LEAD, "/"),
        ("roll-out", Role.PROGRAMME_LEAD, "/rollout/"),
        ("roll-out export (teams)", Role.PROGRAMME_LEAD, "/rollout/?table=teams&_export=csv"),
        ("roster (first page)", Role.PROGRAMME_LEAD, "/roster/"),
        ("roster export", Role.ADMINISTRATOR, "/roster/?_export=csv"),
        ("cohorts", Role.PROGRAMME_LEAD, "/cohorts/"),
        ("circles (all)", Role.PROGRAMME_LEAD, "/circles/"),
        ("trained but in no circle", Role.PROGRAMME_LEAD, "/circles/unplaced/"),
        ("evaluation export", Role.PROGRAMME_LEAD, "/fidelity/evaluation-export/"),
        ("home (practitioner)", Role.PRACTITIONER, "/"),
        ("reviews (practitioner)", Role.PRACTITIONER, "/reviews/"),
        ("my progress", Role.PRACTITIONER, "/progress/"),
        ("supervision (supervisor)", Role.SUPERVISOR, "/supervision/"),
        ("reviews (supervisor)", Role.SUPERVISOR, "/reviews/"),
        ("circles (practice leader)", Role.PRACTICE_LEADER, "/circles/"),
    ]
    practitioner = _user_with(Role.PRACTITIONER)
    review = (
        Review.objects.filter(practitioner__user=practitioner, status=ReviewStatus.SIGNED_OFF)
        .order_by("-signed_off_at")
        .first()
        if practitioner
        else None
    )
    if review:
        pages.append(("review grid", Role.PRACTITIONER, f"/reviews/{review.pk}/"))
    supervisor = _user_with(Role.SUPERVISOR)
    session = (
        SupervisionSession.objects.filter(supervisor__user=supervisor)
        .order_by("-starts_at")
        .first()
        if supervisor
        else None
    )
    if session:
        pages.append(("2:1 session", Role.SUPERVISOR, f"/supervision/{session.pk}/"))
    leader = _user_with(Role.PRACTICE_LEADER)
    circle = (
        LearningCircle.objects.filter(facilitators__user=leader).order_by("pk").first()
        if leader
        else None
    )
    if circle:
        pages.append(("circle", Role.PRACTICE_LEADER, f"/circles/{circle.pk}/"))
        meeting = (
            CircleMeeting.objects.filter(circle=circle, starts_at__lte=timezone.now())
            .order_by("-starts_at")
            .first()
        )
        if meeting:
            pages.append(("meeting register", Role.PRACTICE_LEADER, f"/meetings/{meeting.pk}/"))
    cohort = Cohort.objects.order_by("-pk").first()
    if cohort:
        pages.append(("cohort register", Role.PRACTICE_LEADER, f"/cohorts/{cohort.pk}/"))
    person = Person.objects.filter(reviews__isnull=False).order_by("pk").first()
    if person:
        pages.append(("audit trail of a person", Role.ADMINISTRATOR, f"/audit/people/{person.pk}/"))
    return pages


def _history_months() -> int:
    first = Cohort.objects.order_by("day1_date").values_list("day1_date", flat=True).first()
    if first is None:
        return 0
    today = timezone.localdate()
    return (today.year - first.year) * 12 + today.month - first.month + 1


def bench(
    *,
    repeat: int = 20,
    warm_up: int = 2,
    budget_seconds: float = 60.0,
    only: str = "",
    skip: str = "",
    extra: Callable[[], dict[str, float]] | None = None,
    report: Callable[[str], None] = print,
) -> BenchResult:
    """Request every page `warm_up` times, then up to `repeat` times within `budget_seconds`."""
    result = BenchResult(
        when=timezone.now().isoformat(timespec="seconds"),
        database=f"{connection.vendor} {_database_version()}",
        machine=f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        people=Person.objects.count(),
        active_people=Person.objects.filter(status=PersonStatus.ACTIVE).count(),
        months=_history_months(),
    )
    hosts = [host for host in _allowed_hosts() if host != "*"] or ["localhost"]
    # As config/wsgi.py does for a served site once it is loaded.
    gc.freeze()
    # Signing in is logged for the security log; a thousand bench sign-ins are not news.
    logging.getLogger("operations.security").setLevel(logging.WARNING)
    # The pages as production serves them, but without collectstatic's manifest to look up
    # and without two-factor sign-in for the bench's own sign-ins.
    with override_settings(
        MFA_REQUIRED_FOR_ROLES=[],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        for name, role, url in _pages():
            if (only and only not in name) or (skip and skip in name):
                continue
            user = _user_with(role)
            if user is None:
                report(f"{name}: nobody holds the role {role.label}; skipped")
                continue
            client = Client(HTTP_HOST=hosts[0])
            client.force_login(user)
            headers = {"HX-Request": "true"} if "htmx" in name else {}
            for _ in range(warm_up):
                client.get(url, headers=headers)
            times: list[float] = []
            cpu: list[float] = []
            spent = 0.0
            while len(times) < repeat and (spent < budget_seconds or len(times) < 1):
                started, processor = time.perf_counter(), time.process_time()
                response = client.get(url, headers=headers)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                elapsed = time.perf_counter() - started
                times.append(elapsed * 1000)
                cpu.append((time.process_time() - processor) * 1000)
                spent += elapsed
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, headers=headers)
            timing = PageTiming(
                name=name,
                url=url,
                role=role.value,
                requests=len(times),
                median_ms=round(statistics.median(times), 1),
                p95_ms=round(_percentile(times, 0.95), 1),
                cpu_ms=round(statistics.median(cpu), 1),
                queries=len(queries),
                status=response.status_code,
                note="" if len(times) >= repeat else f"stopped after {budget_seconds:.0f} s",
            )
            result.pages.append(timing)
            report(
                f"{timing.name:<30} {timing.median_ms:>9.1f} {timing.p95_ms:>9.1f} "
                f"{timing.cpu_ms:>7.1f} {timing.queries:>4} {timing.requests:>3} {timing.status} "
                f"{timing.note}"
            )
    if extra:
        result.figures = extra()
    return result


def figure_timings(*, repeat: int = 5) -> dict[str, float]:
    """The dashboard's funnel for the default filters (12 month-ends, teams now and three
    months before, role groups, employers and phases): read from the stored figures, and
    counted again from the source tables with the same set-based statements a refresh runs
    (nothing is written); and one full `refresh_figures`."""
    from dashboards.models import Definitions
    from dashboards.selectors import Filters
    from dashboards.selectors.assembly import groups_today
    from dashboards.selectors.definitions import status_spans
    from dashboards.selectors.funnel import month_ends, span_counts
    from dashboards.services import figures_refresh

    filters = Filters(as_of=timezone.localdate())
    before = filters.as_of - relativedelta(months=3)

    def read() -> None:
        span_counts(filters, month_ends(filters.as_of, 12))
        span_counts(filters, [before, filters.as_of], group_by="person__team_id")
        groups_today(filters)

    def recount() -> None:
        status_spans(Definitions.load())

    def median_ms(work: Callable[[], None]) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(times), 1)

    started = time.perf_counter()
    figures_refresh()
    refresh_ms = (time.perf_counter() - started) * 1000
    return {
        "dashboard funnel read from the stored figures (ms)": median_ms(read),
        "everyone's figures counted again from the records (ms)": median_ms(recount),
        "refresh_figures (ms)": round(refresh_ms, 1),
    }


def _allowed_hosts() -> list[str]:
    return list(settings.ALLOWED_HOSTS)


def markdown_table(result: BenchResult) -> str:
    lines = [
        f"{result.people} people on the roster ({result.active_people} active), "
        f"{result.months} months, {result.database}, {result.machine}, "
        f"{datetime.datetime.fromisoformat(result.when):%d %B %Y}.",
        "",
        "| page | role | median ms | p95 ms | CPU ms | queries | requests |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {page.name} | {page.role} | {page.median_ms:,.0f} | {page.p95_ms:,.0f} | "
        f"{page.cpu_ms:,.0f} | {page.queries} | {page.requests} |"
        for page in result.pages
    ]
    lines += [f"| {name} | | {value:,.0f} | | | | |" for name, value in result.figures.items()]
    return "\n".join(lines)
