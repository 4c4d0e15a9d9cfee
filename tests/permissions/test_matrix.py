"""The permission matrix: every URL the project defines, requested by every role.

One table, `MATRIX`, says what each role gets from each page. The test walks the URL resolver
itself rather than a list kept by hand, so a page added without an entry in the table fails the
test by name, and so does an entry whose page has gone. The objects behind the pages belong to
the cast's practitioner; the outsider, a practitioner in another team, stands for anyone guessing
their IDs and must get the same 404 as for an ID that does not exist.
"""

from __future__ import annotations

import datetime
import fnmatch
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, override_settings
from django.urls import (
    URLPattern,
    URLResolver,
    get_resolver,
    include,
    path,
    re_path,
    resolve,
    reverse,
)
from django.utils import timezone
from django.utils.regex_helper import normalize

from accounts.models import User
from accounts.roles import Role
from calendars.models import CalendarFeed
from calendars.services import feed_for
from caseload.models import MonthlyCaseload
from circles.models import (
    CircleMeeting,
    CircleMembership,
    LearningCircle,
    MeetingApology,
    MeetingAttendance,
)
from circles.services import meeting_cancel
from competencies.frameworks import current_version
from competencies.models import (
    Competency,
    DevelopmentGoal,
    FrameworkVersion,
    Rater,
    Rating,
    Review,
)
from competencies.services import review_sign_off, review_start, review_submit
from supervision.models import (
    AgreedAction,
    CaseDiscussed,
    SessionFocus,
    SessionNote,
    SupervisionSession,
)
from tests.conftest import Cast
from tests.factories import (
    attend,
    make_circle,
    make_cohort,
    make_course,
    make_person,
    make_place,
    make_session,
    make_team,
    rate_all,
)
from training.models import (
    Cohort,
    CourseAttendance,
    CoursePlace,
    ImportRun,
    Person,
    PlaceStatus,
    RoleGroup,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "practitioner",
    "supervisor",
    "practice_leader",
    "programme_lead",
    "administrator",
    "outsider",
    "team_manager",
)
HTMX = {"HTTP_HX_REQUEST": "true"}


# The expected answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A redirect to a URL named in `to`, carrying the requested path as `next` if `with_next`."""

    to: tuple[str, ...]
    with_next: bool = False


def redirect_to(*names: str, with_next: bool = False) -> Redirect:
    return Redirect(names, with_next)


SIGN_IN = redirect_to("account_login", with_next=True)
ADMIN_SIGN_IN = redirect_to("admin:login", with_next=True)
# Django gives the admin site's own views its sign-in page (they carry a login_url) and leaves
# the model pages to LoginRequiredMiddleware, which sends them to the product's: either will do.
ANY_SIGN_IN = redirect_to("account_login", "admin:login", with_next=True)
HOME = redirect_to("home")
REAUTHENTICATE = redirect_to("account_reauthenticate", with_next=True)

Outcome = int | Redirect


def expect(signed_in: Outcome, *, anonymous: Outcome = SIGN_IN, **roles: Outcome) -> dict:
    """One row of the table: `signed_in` for every signed-in role unless named in `roles`."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"no such role: {unknown}"
    return {"anonymous": anonymous} | {role: roles.get(role, signed_in) for role in ROLES[1:]}


def granted_to(*roles: str, refused: Outcome = 403) -> dict:
    """200 for the roles named, `refused` for every other signed-in role."""
    return expect(refused, **dict.fromkeys(roles, 200))


PUBLIC = expect(200, anonymous=200)
SIGNED_IN = expect(200)
# The practitioner's circle is led by the practice leader; programme leads and administrators
# see every circle, and only its leaders and administrators run it. Anyone who does not see the
# circle gets a 404; its member and the programme lead see it, so they are refused with a 403.
CIRCLE_SEEN = granted_to(
    "practitioner", "practice_leader", "programme_lead", "administrator", refused=404
)
CIRCLE_RUN = expect(
    404, practice_leader=200, administrator=200, practitioner=403, programme_lead=403
)
# A 2:1 and a review are seen by the practitioner and their supervisor only.
THEIRS = granted_to("practitioner", "supervisor", refused=404)
POST_ONLY = expect(405)

MATRIX: dict[str, dict[str, Outcome]] = {
    # Keys are URL names ("namespace:name"), or globs over the route for a whole group.
    "home": SIGNED_IN,
    "accessibility": PUBLIC,
    "health": PUBLIC,
    # training/
    "rollout": granted_to("programme_lead", "administrator"),
    "roster": granted_to("programme_lead", "administrator"),
    "roster_import": granted_to("administrator"),
    "cohort_list": granted_to("practice_leader", "programme_lead", "administrator"),
    "training_import": granted_to("administrator"),
    "cohort_detail": granted_to("practice_leader", "programme_lead", "administrator"),
    # Those who run training create and edit courses; practice leaders also take registers.
    "cohort_create": granted_to("practice_leader", "programme_lead", "administrator"),
    "cohort_edit": granted_to("practice_leader", "programme_lead", "administrator"),
    "cohort_register_save_all": POST_ONLY,
    "cohort_register_mark": POST_ONLY,
    "cohort_register_person_add": POST_ONLY,
    # Supervisors nominate their own staff; programme leads and administrators anyone.
    "to_be_trained": granted_to("supervisor", "programme_lead", "administrator"),
    # A place is acted on by its person, their line manager and those who confirm places: the
    # practitioner's place, whose line manager is the supervisor. Anyone else gets a 404.
    "place_move": granted_to(
        "practitioner", "supervisor", "programme_lead", "administrator", refused=404
    ),
    "place_confirm": POST_ONLY,
    "place_accept": POST_ONLY,
    "place_withdraw": POST_ONLY,
    "place_move_approve": POST_ONLY,
    "place_move_refuse": POST_ONLY,
    # Any administrator may follow any import: they share the roster.
    "import_run": granted_to("administrator"),
    # circles/
    "circle_list": SIGNED_IN,
    "circle_create": granted_to("practice_leader", "administrator"),
    "circles_unplaced": granted_to("practice_leader", "programme_lead", "administrator"),
    "circle_detail": CIRCLE_SEEN,
    "circle_edit": CIRCLE_RUN,
    "circle_members_add": CIRCLE_RUN,
    "circle_member_add": POST_ONLY,
    "circle_member_remove": POST_ONLY,
    "circle_calendar": CIRCLE_SEEN,
    "meeting_detail": CIRCLE_SEEN,
    "meeting_attendance_mark": POST_ONLY,
    "meeting_record_save": POST_ONLY,
    "meeting_agenda": POST_ONLY,
    "meeting_apologies_send": POST_ONLY,
    "meeting_apologies_withdraw": POST_ONLY,
    "meeting_change": CIRCLE_RUN,
    "meeting_cancel": CIRCLE_RUN,
    "meeting_reinstate": POST_ONLY,
    "my_calendar": SIGNED_IN,
    # A calendar app has no session: the feed's long random token is its only credential.
    "calendar_feed": PUBLIC,
    # supervision/
    "supervision": SIGNED_IN,
    "session_create": granted_to("supervisor"),
    "session_took_place": granted_to("supervisor"),
    "session_detail": THEIRS,
    "session_status": POST_ONLY,
    # Refused by role (403) before the session is looked up, so an ID reveals nothing.
    "session_edit": granted_to("supervisor"),
    # The record of a 2:1: each practitioner reads their part, its supervisor writes it.
    "session_record": THEIRS,
    "session_case_add": POST_ONLY,
    "session_focus_add": POST_ONLY,
    "session_note_add": POST_ONLY,
    "session_action_add": POST_ONLY,
    "session_action_close": POST_ONLY,
    # Cases worked with the model: each practitioner records their own; the supervisor of a 2:1
    # confirms its practitioners' (a supervisor of other 2:1s gets a 404).
    "my_cases": granted_to("practitioner", "practice_leader", "outsider"),
    "session_cases": granted_to("supervisor"),
    # competencies/
    "review_list": SIGNED_IN,
    "review_start": granted_to("practitioner", "practice_leader", "outsider"),
    "review_detail": THEIRS,
    "review_rate": POST_ONLY,
    "review_ratings_save": POST_ONLY,
    "review_submit": POST_ONLY,
    "review_sign_off": POST_ONLY,
    # Only the supervisor corrects or returns it; the practitioner sees it, so gets a 403.
    "review_correct": expect(404, supervisor=200, practitioner=403),
    "review_return": expect(404, supervisor=200, practitioner=403),
    # Refused by role (403) first; among practitioners, only the review's own finds it.
    "review_discard": expect(403, practitioner=200, practice_leader=404, outsider=404),
    "review_goals": THEIRS,
    "my_progress": SIGNED_IN,
    "framework_list": SIGNED_IN,
    "framework_import": granted_to("administrator"),
    "framework_version": SIGNED_IN,
    "framework_publish": POST_ONLY,
    "framework_new_draft": POST_ONLY,
    # notifications/: each person's own choice of emails.
    "email_preferences": SIGNED_IN,
    # dashboards/
    "fidelity": granted_to("programme_lead", "administrator"),
    "fidelity_practice": granted_to("programme_lead", "administrator"),
    "fidelity_follow_up": granted_to("programme_lead", "administrator"),
    "evaluation_export": granted_to("programme_lead", "administrator"),
    # The team manager line-manages the supervisor, so manages the practitioner's team.
    "team_detail": granted_to("team_manager"),
    # audit/
    "person_audit": granted_to("administrator"),
    # allauth: sign-in by email and password only, no sign-up, no codes.
    "account_login": expect(HOME, anonymous=200),
    "account_logout": expect(200, anonymous=HOME),
    "account_inactive": PUBLIC,
    "account_signup": expect(HOME, anonymous=200),
    "account_reauthenticate": SIGNED_IN,
    # Codes are off: their pages send a signed-in person back a step.
    "account_request_reauthentication_code": expect(redirect_to("account_reauthenticate")),
    "account_confirm_reauthentication_code": expect(
        redirect_to("account_request_reauthentication_code")
    ),
    # Replaced by a page that says the sign-in email is the roster's (accounts.views).
    "account_email": SIGNED_IN,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": SIGNED_IN,
    # Every account has a password, so "set" becomes "change".
    "account_set_password": expect(redirect_to("account_change_password")),
    "account_reset_password": PUBLIC,
    "account_confirm_login_code": expect(HOME, anonymous=redirect_to("account_login")),
    "account_confirm_email": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_done": PUBLIC,
    # allauth.usersessions: each person's own sessions, and signing the others out.
    "usersessions_list": SIGNED_IN,
    # allauth.mfa: two-factor sign-in with an authenticator app and recovery codes.
    # Nobody in the cast has an authenticator yet, and a test sign-in is not a recent password.
    "mfa_index": SIGNED_IN,
    "mfa_authenticate": expect(HOME, anonymous=redirect_to("account_login")),
    "mfa_reauthenticate": expect(redirect_to("account_reauthenticate")),
    "mfa_activate_totp": expect(REAUTHENTICATE),
    "mfa_deactivate_totp": expect(404),
    "mfa_view_recovery_codes": expect(404),
    "mfa_generate_recovery_codes": expect(REAUTHENTICATE),
    "mfa_download_recovery_codes": expect(404),
    # allauth.socialaccount: sign-in through the organisation's identity provider, for people on
    # the roster only; with no provider configured (as here) its sign-in pages find none.
    "socialaccount_login_cancelled": PUBLIC,
    "socialaccount_login_error": expect(401),
    "socialaccount_signup": expect(
        redirect_to("account_login"), anonymous=redirect_to("account_login")
    ),
    "socialaccount_connections": SIGNED_IN,
    "openid_connect_login": expect(404, anonymous=404),
    "openid_connect_callback": expect(404, anonymous=404),
    # allauth's older addresses for the same pages, kept by allauth as redirects.
    "accounts/social/*": expect(301),
    # The admin site is for staff accounts, and no role of the product makes an account staff:
    # anyone signed in is sent to the admin's own sign-in, anyone else to the product's.
    # The admin's sign-in form is the product's (allauth's secure_admin_login), so that it asks
    # for the second factor and limits failed attempts; it refuses a signed-in account that is
    # not staff.
    "admin:login": expect(403, anonymous=SIGN_IN),
    "admin:logout": expect(redirect_to("admin:index"), anonymous=ADMIN_SIGN_IN),
    "admin/*": expect(ADMIN_SIGN_IN, anonymous=ANY_SIGN_IN),
}


# Walking the URL resolver -----------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str | None
    route: str
    # The regex of each level, from the outermost include down to the pattern itself.
    regexes: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.route})" if self.name else self.route


def _join(prefix: str, route: str) -> str:
    # As Django joins them for ResolverMatch.route: a nested regex loses its leading "^".
    return prefix + route.removeprefix("^") if prefix else route


def url_patterns(
    resolver: URLResolver | None = None,
    prefix: str = "",
    namespace: str = "",
    regexes: tuple[str, ...] = (),
) -> Iterator[Url]:
    """Every URL pattern under `resolver` (the project's, by default), includes followed."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = _join(prefix, str(pattern.pattern))
        levels = (*regexes, pattern.pattern.regex.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, route, inner, levels)
        else:
            assert isinstance(pattern, URLPattern)
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield Url(name=name, route=route, regexes=levels)


def entry_for(url: Url, matrix: dict[str, dict[str, Outcome]] = MATRIX) -> str | None:
    """The key of the table's entry for a URL: its name first, else a glob over its route."""
    if url.name in matrix:
        return url.name
    return next((key for key in matrix if "*" in key and fnmatch.fnmatchcase(url.route, key)), None)


def missing_entries(urls: list[Url], matrix: dict[str, dict[str, Outcome]] = MATRIX) -> list[str]:
    return [url.label for url in urls if entry_for(url, matrix) is None]


def unused_entries(urls: list[Url], matrix: dict[str, dict[str, Outcome]] = MATRIX) -> list[str]:
    used = {entry_for(url, matrix) for url in urls}
    return sorted(set(matrix) - used)


def assert_every_url_has_an_entry(urls: list[Url]) -> None:
    missing = missing_entries(urls)
    if missing:
        pytest.fail(
            "URLs without an entry in the permission matrix (add one to MATRIX in "
            f"tests/permissions/test_matrix.py): {', '.join(missing)}"
        )


# The objects behind the pages -------------------------------------------------------------------


@dataclass
class World:
    cast: Cast
    circle: LearningCircle
    meeting: CircleMeeting
    session: SupervisionSession
    review: Review
    version: FrameworkVersion
    cohort: Cohort
    place: CoursePlace
    other_course: Cohort
    feed: CalendarFeed
    import_run: ImportRun
    team_manager: Person

    def person(self, role: str) -> Person:
        return self.team_manager if role == "team_manager" else getattr(self.cast, role)

    def pk_for(self, url_name: str) -> int:
        """The object a URL's `pk` names, chosen by the start of the URL's name."""
        objects = {
            "circle": self.circle,
            "meeting": self.meeting,
            "session": self.session,
            "review": self.review,
            "framework": self.version,
            "cohort": self.cohort,
            "place": self.place,
            "import": self.import_run,
            "person": self.cast.practitioner,
            "team": self.cast.practitioner.team,
        }
        kind = url_name.split("_")[0]
        assert kind in objects, f"no object for the pk of {url_name}: add one to World.pk_for"
        return objects[kind].pk

    def arguments(self, url: Url) -> dict[str, Callable[[], str]]:
        """A value for each argument a route may have, worked out only if it has it."""
        return {
            "pk": lambda: str(self.pk_for(url.name or "")),
            "token": lambda: self.feed.token,
            "object_id": lambda: str(self.circle.pk),
            "id": lambda: str(self.cast.practitioner.user_id),
            "content_type_id": lambda: str(ContentType.objects.get_for_model(LearningCircle).pk),
            "app_label": lambda: "circles",
            "url": lambda: "no-such-page/",
            "key": lambda: "not-a-real-key",
            "uidb36": lambda: "1",
            "provider_id": lambda: "organisation",
        }


def concrete_path(url: Url, world: World) -> str:
    """The URL with each argument filled in, checked to resolve to the same pattern."""
    arguments = world.arguments(url)
    filled = "/"
    for regex in url.regexes:
        # Django's own reading of a pattern for reverse(): a format string and its arguments.
        ((template, names),) = normalize(regex)[:1]
        for name in names:
            # Unnamed groups come as "_0", "_1"...: any ID will do for the pages that have them.
            known = name in arguments or name.startswith("_")
            assert known, f"no value for <{name}> in {url.label}: add one to World.arguments"
        filled += template % {
            name: arguments[name]() if name in arguments else "1" for name in names
        }
    assert resolve(filled).route == url.route, f"{filled} does not resolve to {url.label}"
    return filled


@pytest.fixture
def world(cast: Cast) -> World:
    circle = make_circle(
        leaders=[cast.practice_leader],
        members=[cast.practitioner],
        name="Cheltenham circle",
        starts_on=timezone.localdate() - datetime.timedelta(days=40),
    )
    session = make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        reason="The only supervisee in the team this month.",
    )
    cohort = make_cohort()
    attend(cast.practitioner, cohort, attended=False)  # on the register, not yet marked
    team_manager = make_person(
        team=cast.supervisor.team, role_group=RoleGroup.MANAGER, roles=(Role.TEAM_MANAGER,)
    )
    Person.objects.filter(pk=cast.supervisor.pk).update(line_manager=team_manager)
    version = current_version()
    assert version is not None
    return World(
        cast=cast,
        circle=circle,
        meeting=circle.meetings.filter(starts_at__gt=timezone.now()).first(),
        session=session,
        review=review_start(practitioner=cast.practitioner, session=session),
        version=version,
        cohort=cohort,
        place=make_place(cast.practitioner, make_course(name="Course to come")),
        other_course=make_course(name="Another course to come"),
        feed=feed_for(cast.practitioner),
        import_run=ImportRun.objects.create(
            kind=ImportRun.Kind.ROSTER, file_name="people.csv", requested_by=cast.administrator.user
        ),
        team_manager=team_manager,
    )


# Requesting and checking ------------------------------------------------------------------------


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        user = world.person(role).user
        assert user is not None
        client.force_login(user)
    return client


def describe(response: HttpResponseBase) -> str:
    text = str(response.status_code)
    if response.status_code in (301, 302, 303, 307, 308):
        text += f" to {response['Location']}"
    if exc_info := getattr(response, "exc_info", None):
        text += f" raising {exc_info[1]!r}"
    return text


def problem(response: HttpResponseBase, expected: Outcome, requested: str) -> str | None:
    """Why a response is not the expected one, or None if it is."""
    if isinstance(expected, Redirect):
        # An htmx request is sent to sign in with HX-Redirect, so that htmx loads a whole page.
        client_redirect = response.status_code == 200 and response.has_header("HX-Redirect")
        location = urlsplit(response.get("HX-Redirect" if client_redirect else "Location", ""))
        wanted = [reverse(name) for name in expected.to]
        if (
            (response.status_code == 302 or client_redirect)
            and location.path in wanted
            and (not expected.with_next or parse_qs(location.query).get("next") == [requested])
        ):
            return None
        query = f"?next={requested}" if expected.with_next else ""
        want = " or ".join(f"{target}{query}" for target in wanted)
        return f"expected a redirect to {want}, got {describe(response)}"
    if response.status_code == expected:
        return None
    return f"expected {expected}, got {describe(response)}"


def get_and_undo(client: Client, requested: str, **headers: Any) -> HttpResponseBase:
    """GET a page, then roll back whatever it wrote, so that the next page sees the same world.

    (allauth's email page, for one, adds an EmailAddress row, which changes what its two-factor
    pages answer next.)
    """
    with transaction.atomic():
        response = client.get(requested, **headers)
        transaction.set_rollback(True)
    return response


def sweep(world: World, role: str, urls: list[Url], headers: dict[str, str]) -> list[str]:
    """GET every URL as the role; one line for each answer the table does not expect."""
    client = client_for(world, role)
    problems = []
    for url in urls:
        requested = concrete_path(url, world)
        entry = entry_for(url)
        assert entry is not None, f"{url.label} has no entry in the matrix"
        expected = MATRIX[entry][role]
        found = problem(get_and_undo(client, requested, **headers), expected, requested)
        if found:
            problems.append(f"{url.label} GET {requested} as {role}: {found}")
    return problems


# The matrix -------------------------------------------------------------------------------------


def test_every_url_has_an_entry_in_the_table():
    assert_every_url_has_an_entry(list(url_patterns()))


def test_every_entry_in_the_table_names_a_url_that_exists():
    assert unused_entries(list(url_patterns())) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_table_says(world, role):
    urls = list(url_patterns())
    assert_every_url_has_an_entry(urls)

    problems = sweep(world, role, urls, headers={})

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_htmx_requests_get_the_same_answers_as_their_pages(world, role):
    """Our own pages only: the admin site and allauth do not branch on htmx."""
    urls = [url for url in url_patterns() if not url.route.startswith(("admin/", "accounts/"))]

    problems = sweep(world, role, urls, headers=HTMX)

    assert not problems, "\n".join(problems)


def test_the_outsider_is_refused_every_object_of_the_practitioner_with_a_404():
    """Whatever else changes in the table, these stay 404: an ID must reveal nothing."""
    objects = [
        "circle_detail",
        "circle_edit",
        "circle_members_add",
        "circle_calendar",
        "meeting_detail",
        "meeting_change",
        "meeting_cancel",
        "session_detail",
        "session_record",
        "review_detail",
        "review_correct",
        "review_return",
        "review_goals",
        "place_move",
    ]

    assert {name: MATRIX[name]["outsider"] for name in objects} == dict.fromkeys(objects, 404)


# The page that shows each kind of object: whoever it answers with a 200 sees the object.
SHOWN_ON = {
    "circle": "circle_detail",
    "meeting": "meeting_detail",
    "session": "session_detail",
    "review": "review_detail",
}


def sees(url_name: str, role: str) -> bool:
    """Whether the role sees the object a URL names (the world's, the practitioner's)."""
    page = SHOWN_ON.get(url_name.split("_")[0])
    return page is not None and MATRIX[page][role] == 200


def test_a_404_is_only_for_an_object_one_may_not_see():
    """The rule of docs/architecture.md: someone who sees an object is never told that it does
    not exist; an action on it that is not theirs is refused with a 403, on every method."""
    answers = [
        (f"GET {name}", role, outcome)
        for name, row in MATRIX.items()
        for role, outcome in row.items()
    ] + [
        (f"POST {write.url_name} ({label})", role, outcome)
        for label, write in WRITES.items()
        for role, outcome in write.refused.items()
    ]
    told_missing = [
        f"{request} as {role}"
        for request, role, outcome in answers
        if outcome == 404 and sees(request.split()[1], role)
    ]

    assert not told_missing, "404 for an object the role sees:\n" + "\n".join(told_missing)


def test_a_guessed_id_is_answered_as_an_id_that_does_not_exist(world):
    """For every URL with an ID, each refused role gets the same answer for both."""
    urls = [url for url in url_patterns() if "<int:pk>" in url.route]
    problems = []
    for role in ROLES[1:]:
        client = client_for(world, role)
        for url in urls:
            real = concrete_path(url, world)
            missing = reverse(url.name, kwargs={"pk": 10**6})
            expected = MATRIX[entry_for(url)][role]
            answers = (
                get_and_undo(client, real).status_code,
                get_and_undo(client, missing).status_code,
            )
            wanted = (expected, 404) if expected == 200 else (expected, expected)
            # A role that sees the object is refused the action with a 403 once it is found,
            # and told that a missing ID does not exist: that reveals nothing it cannot see.
            if expected == 403 and sees(url.name, role):
                wanted = (403, answers[1] if answers[1] in (403, 404) else 404)
            if answers != wanted:
                problems.append(f"{url.name} as {role}: {answers}, expected {wanted}")

    assert not problems, "\n".join(problems)


def test_the_admin_site_opens_for_a_staff_administrator_who_is_not_a_superuser(world):
    """So that the admin rule above is a refusal, not a broken admin site: the Administrator
    role's own permissions open it (tests/accounts/test_admin_site.py goes further)."""
    person = world.cast.administrator
    User.objects.filter(pk=person.user_id).update(is_staff=True)
    client = client_for(world, "administrator")

    assert not User.objects.get(pk=person.user_id).is_superuser
    assert client.get(reverse("admin:index")).status_code == 200
    for model in ["person", "phase", "programmesettings", "cohort"]:
        assert client.get(reverse(f"admin:training_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:dashboards_definitions_changelist")).status_code == 200


# A test of the test: a page added without an entry is named ------------------------------------


def forgotten_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("A page nobody put in the table.")


def urlconf_with(*patterns: URLPattern) -> types.ModuleType:
    urlconf = types.ModuleType("urlconf_with_a_forgotten_page")
    setattr(urlconf, "urlpatterns", [path("", include("config.urls")), *patterns])  # noqa: B010
    return urlconf


def test_a_url_added_without_an_entry_fails_the_matrix_by_name():
    urlconf = urlconf_with(
        path("forgotten/", forgotten_page, name="forgotten_page"),
        re_path(r"^unnamed/(?P<slug>[a-z]+)/$", forgotten_page),
    )
    already_missing = missing_entries(list(url_patterns()))

    with override_settings(ROOT_URLCONF=urlconf):
        urls = list(url_patterns())
        newly_missing = [label for label in missing_entries(urls) if label not in already_missing]
        assert newly_missing == ["forgotten_page (forgotten/)", "^unnamed/(?P<slug>[a-z]+)/$"]
        with pytest.raises(pytest.fail.Exception, match=r"forgotten_page \(forgotten/\)"):
            assert_every_url_has_an_entry(urls)


def test_an_entry_covers_a_new_url_by_name_or_by_its_group():
    matrix = {"forgotten_page": SIGNED_IN, "admin/*": SIGNED_IN}
    urls = [
        Url(name="forgotten_page", route="forgotten/", regexes=()),
        Url(name="admin:new_page", route="admin/new/", regexes=()),
        Url(name="elsewhere", route="elsewhere/", regexes=()),
    ]

    assert missing_entries(urls, matrix) == ["elsewhere (elsewhere/)"]


# Writes and htmx swaps enforce the rules of their pages -----------------------------------------


def database_state() -> list[list[dict]]:
    """Every row a refused request could have written, to compare before and after."""
    models = [
        LearningCircle,
        CircleMembership,
        CircleMeeting,
        MeetingAttendance,
        MeetingApology,
        CalendarFeed,
        SupervisionSession,
        CaseDiscussed,
        SessionFocus,
        SessionNote,
        AgreedAction,
        Review,
        Rating,
        DevelopmentGoal,
        MonthlyCaseload,
        FrameworkVersion,
        Cohort,
        CourseAttendance,
        CoursePlace,
    ]
    return [list(model._default_manager.order_by("pk").values()) for model in models]


def rated_by_self(world: World) -> None:
    rate_all(world.review, Rater.SELF)


def submitted(world: World) -> None:
    rated_by_self(world)
    review_submit(review=world.review)
    rate_all(world.review, Rater.SUPERVISOR)


def signed_off(world: World) -> None:
    submitted(world)
    review_sign_off(review=world.review, supervisor=world.cast.supervisor)


def meeting_under_way(world: World) -> None:
    """Attendance is recorded only once a meeting has started."""
    now = timezone.now()
    CircleMeeting.objects.filter(pk=world.meeting.pk).update(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=1)
    )


def mark_present(world: World) -> dict[str, object]:
    person = world.cast.practitioner.pk
    return {"person": person, f"status-{person}": "present"}


def first_competency(world: World) -> Competency:
    competency = Competency.objects.filter(area__version=world.review.version_id).first()
    assert competency is not None
    return competency


def rate_first_competency(world: World) -> dict[str, object]:
    competency = first_competency(world).pk
    return {"competency": competency, f"level-{competency}": "2", f"based_on-{competency}": "0"}


def toggle_day_one(world: World) -> dict[str, object]:
    mark = f"{world.cast.practitioner.pk}:1"
    return {"toggle": mark, "attended": mark}


def cohort_form(world: World) -> dict[str, object]:
    return {
        "phase": world.cohort.phase_id,
        "name": "Cohort renamed",
        "day1_date": "2016-03-01",
        "day2_date": "2016-03-08",
        "venue": "Shire Hall",
        "trainer": "",
    }


def place_as(status: str) -> Callable[[World], None]:
    def prepare(world: World) -> None:
        CoursePlace.objects.filter(pk=world.place.pk).update(
            status=status, waiting_since=timezone.now(), offered_at=timezone.now()
        )

    return prepare


def move_asked(world: World) -> None:
    CoursePlace.objects.filter(pk=world.place.pk).update(
        move_to=world.other_course, move_reason="On leave that week"
    )


def circle_form(world: World) -> dict[str, object]:
    circle = world.circle
    return {
        "name": "Cheltenham circle, renamed",
        "kind": circle.kind,
        "facilitators": [leader.pk for leader in circle.facilitators.all()],
        "ordinal": circle.ordinal,
        "weekday": circle.weekday,
        "start_time": circle.start_time.strftime("%H:%M"),
        "end_time": circle.end_time.strftime("%H:%M"),
        "starts_on": circle.starts_on.isoformat(),
        "ends_on": "",
        "on_bank_holiday": circle.on_bank_holiday,
        "venue": "Shire Hall, room 2",
        "online_link": "",
    }


def session_form(world: World) -> dict[str, object]:
    starts_at = timezone.localtime(world.session.starts_at)
    return {
        "practitioners": [world.cast.practitioner.pk],
        "date": starts_at.date().isoformat(),
        "start_time": starts_at.strftime("%H:%M"),
        "end_time": (starts_at + datetime.timedelta(hours=1)).strftime("%H:%M"),
        "place": "Room 5",
        "reason": "The only supervisee in the team this month.",
    }


def session_started(world: World) -> None:
    """The world's 2:1 began an hour ago: its record may be written."""
    now = timezone.now()
    SupervisionSession.objects.filter(pk=world.session.pk).update(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now
    )


def with_an_open_action(world: World) -> None:
    session_started(world)
    AgreedAction.objects.create(
        session=world.session,
        owner=world.cast.practitioner,
        practitioner=world.cast.practitioner,
        description="Try the resilience map with one family",
        due_on=timezone.localdate(),
    )


@dataclass(frozen=True)
class Write:
    """A POST: what each role that may not make it gets, and one role that may."""

    url_name: str
    data: Callable[[World], dict[str, object]]
    refused: dict[str, Outcome]
    # A role whose same request succeeds and writes: the refusals are not bad requests.
    allowed: str
    htmx: bool = False
    prepare: Callable[[World], object] | None = None


def refused(outcome: Outcome, *roles: str) -> dict[str, Outcome]:
    return {"anonymous": SIGN_IN} | dict.fromkeys(roles, outcome)


WRITES = {
    "mark attendance (htmx)": Write(
        "meeting_attendance_mark",
        mark_present,
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="practice_leader",
        htmx=True,
        prepare=meeting_under_way,
    ),
    "set a meeting's agenda (htmx)": Write(
        "meeting_agenda",
        lambda world: {"agenda": "Engagement\nA stuck case"},
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="practice_leader",
        htmx=True,
    ),
    "send apologies for a meeting (htmx)": Write(
        "meeting_apologies_send",
        lambda world: {},
        refused(404, "supervisor", "outsider")
        | refused(403, "practice_leader", "programme_lead", "administrator"),
        allowed="practitioner",
        htmx=True,
    ),
    "withdraw apologies for a meeting": Write(
        "meeting_apologies_withdraw",
        lambda world: {},
        refused(404, "supervisor", "outsider")
        | refused(403, "practice_leader", "programme_lead", "administrator"),
        allowed="practitioner",
        prepare=lambda world: MeetingApology.objects.create(
            meeting=world.meeting, person=world.cast.practitioner
        ),
    ),
    "cancel a meeting": Write(
        "meeting_cancel",
        lambda world: {"reason": "The room is needed for training."},
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="practice_leader",
    ),
    "reinstate a meeting": Write(
        "meeting_reinstate",
        lambda world: {},
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="practice_leader",
        prepare=lambda world: meeting_cancel(meeting=world.meeting, reason="Snow."),
    ),
    "add a circle member": Write(
        "circle_member_add",
        lambda world: {"email": world.cast.outsider.email},
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="administrator",
    ),
    "remove a circle member": Write(
        "circle_member_remove",
        lambda world: {"person": world.cast.practitioner.pk},
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="practice_leader",
    ),
    "save a meeting's register and record": Write(
        "meeting_record_save",
        lambda world: {
            f"status-{world.cast.practitioner.pk}": "present",
            "cases_brought": "2",
            "notes": "Worked on risk",
        },
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="practice_leader",
        prepare=meeting_under_way,
    ),
    "add several circle members": Write(
        "circle_members_add",
        lambda world: {"people": [world.cast.outsider.pk, world.cast.supervisor.pk]},
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="practice_leader",
    ),
    "edit a circle": Write(
        "circle_edit",
        circle_form,
        refused(404, "supervisor", "outsider") | refused(403, "practitioner", "programme_lead"),
        allowed="practice_leader",
    ),
    "cancel a 2:1": Write(
        "session_status",
        lambda world: {"status": "cancelled"},
        refused(404, "practice_leader", "programme_lead", "administrator", "outsider")
        | refused(403, "practitioner"),
        allowed="supervisor",
    ),
    "change a 2:1": Write(
        "session_edit",
        session_form,
        refused(
            403, "practitioner", "practice_leader", "programme_lead", "administrator", "outsider"
        ),
        allowed="supervisor",
    ),
    "add a case to a 2:1's record (htmx)": Write(
        "session_case_add",
        lambda world: {
            "whose": world.cast.practitioner.pk,
            "case_reference": "CR-1042",
            "case_type": "cp",
            "risk_level": "high",
        },
        refused(
            403, "practitioner", "practice_leader", "programme_lead", "administrator", "outsider"
        ),
        allowed="supervisor",
        htmx=True,
        prepare=session_started,
    ),
    "record what a 2:1 worked on": Write(
        "session_focus_add",
        lambda world: {"worked_on": "stage:risk", "whose": world.cast.practitioner.pk},
        refused(
            403, "practitioner", "practice_leader", "programme_lead", "administrator", "outsider"
        ),
        allowed="supervisor",
        prepare=session_started,
    ),
    "add a note to a 2:1's record": Write(
        "session_note_add",
        lambda world: {"whose": world.cast.practitioner.pk, "text": "Talked through risk"},
        refused(
            403, "practitioner", "practice_leader", "programme_lead", "administrator", "outsider"
        ),
        allowed="supervisor",
        prepare=session_started,
    ),
    "agree an action at a 2:1": Write(
        "session_action_add",
        lambda world: {
            "description": "Try the resilience map",
            "owner": world.cast.practitioner.pk,
            "whose": world.cast.practitioner.pk,
            "due_on": timezone.localdate().isoformat(),
        },
        refused(
            403, "practitioner", "practice_leader", "programme_lead", "administrator", "outsider"
        ),
        allowed="supervisor",
        prepare=session_started,
    ),
    "close an action (htmx)": Write(
        "session_action_close",
        lambda world: {"action": AgreedAction.objects.get().pk, "note": "Done with two families"},
        refused(
            403, "practitioner", "practice_leader", "programme_lead", "administrator", "outsider"
        ),
        allowed="supervisor",
        htmx=True,
        prepare=with_an_open_action,
    ),
    "rate a competency (htmx)": Write(
        "review_rate",
        rate_first_competency,
        # The supervisor may see the draft but not rate it yet: that is the stage, a 409.
        refused(404, "practice_leader", "programme_lead", "administrator", "outsider")
        | {"supervisor": 409},
        allowed="practitioner",
        htmx=True,
    ),
    "save a review's whole rating grid": Write(
        "review_ratings_save",
        rate_first_competency,
        refused(404, "practice_leader", "programme_lead", "administrator", "outsider"),
        allowed="practitioner",
    ),
    "submit a review": Write(
        "review_submit",
        lambda world: {},
        refused(404, "practice_leader", "programme_lead", "administrator", "outsider")
        | refused(403, "supervisor"),
        allowed="practitioner",
        prepare=rated_by_self,
    ),
    "discard a draft review": Write(
        "review_discard",
        lambda world: {},
        refused(403, "supervisor", "programme_lead", "administrator")
        | refused(404, "practice_leader", "outsider"),
        allowed="practitioner",
    ),
    "sign a review off": Write(
        "review_sign_off",
        lambda world: {"agreed": "on"},
        refused(404, "practice_leader", "programme_lead", "administrator", "outsider")
        | refused(403, "practitioner"),
        allowed="supervisor",
        prepare=submitted,
    ),
    "correct a review": Write(
        "review_correct",
        lambda world: {"reason": "The engagement rating was entered against the wrong line."},
        refused(404, "practice_leader", "programme_lead", "administrator", "outsider")
        | refused(403, "practitioner"),
        allowed="supervisor",
        prepare=signed_off,
    ),
    "agree a development goal (htmx)": Write(
        "review_goals",
        lambda world: {
            "competency": first_competency(world).pk,
            "description": "Weigh each hazard with the family",
            "review_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
            "agreed": "on",
        },
        refused(404, "practice_leader", "programme_lead", "administrator", "outsider"),
        allowed="practitioner",
        htmx=True,
        prepare=signed_off,
    ),
    "mark course attendance (htmx)": Write(
        "cohort_register_mark",
        toggle_day_one,
        refused(403, "practitioner", "supervisor", "programme_lead", "outsider"),
        allowed="practice_leader",
        htmx=True,
    ),
    "save a course's whole register": Write(
        "cohort_register_save_all",
        lambda world: {"attended": [f"{world.cast.practitioner.pk}:1"]},
        refused(403, "practitioner", "supervisor", "programme_lead", "outsider"),
        allowed="practice_leader",
    ),
    "put someone on a course's register": Write(
        "cohort_register_person_add",
        lambda world: {"email": world.cast.supervisor.email},
        refused(403, "practitioner", "supervisor", "programme_lead", "outsider"),
        allowed="administrator",
    ),
    "edit a cohort": Write(
        "cohort_edit",
        cohort_form,
        refused(403, "practitioner", "supervisor", "outsider"),
        allowed="practice_leader",
    ),
    "confirm a place (htmx)": Write(
        "place_confirm",
        lambda world: {},
        refused(403, "practitioner", "supervisor", "practice_leader", "outsider"),
        allowed="programme_lead",
        htmx=True,
        prepare=place_as(PlaceStatus.NOMINATED),
    ),
    "accept an offered place": Write(
        "place_accept",
        lambda world: {},
        refused(404, "practice_leader", "outsider"),
        allowed="practitioner",
        prepare=place_as(PlaceStatus.OFFERED),
    ),
    "withdraw a place": Write(
        "place_withdraw",
        lambda world: {"reason": "Off sick that week"},
        refused(404, "practice_leader", "outsider"),
        allowed="supervisor",
    ),
    "ask to move a place": Write(
        "place_move",
        lambda world: {"cohort": world.other_course.pk, "reason": "On leave that week"},
        refused(404, "practice_leader", "outsider"),
        allowed="practitioner",
    ),
    "move a place": Write(
        "place_move_approve",
        lambda world: {},
        refused(403, "practitioner", "supervisor", "practice_leader", "outsider"),
        allowed="administrator",
        prepare=move_asked,
    ),
    "keep a place where it is": Write(
        "place_move_refuse",
        lambda world: {},
        refused(403, "practitioner", "supervisor", "practice_leader", "outsider"),
        allowed="programme_lead",
        prepare=move_asked,
    ),
    "confirm a practitioner's cases in a 2:1 (htmx)": Write(
        "session_cases",
        lambda world: {
            "practitioner": world.cast.practitioner.pk,
            "caseload": 14,
            "cases_with_model": 3,
        },
        refused(
            403, "practitioner", "practice_leader", "programme_lead", "administrator", "outsider"
        ),
        allowed="supervisor",
        htmx=True,
        prepare=session_started,
    ),
    "start a new framework draft": Write(
        "framework_new_draft",
        lambda world: {},
        refused(403, "practitioner", "supervisor", "practice_leader", "programme_lead", "outsider"),
        allowed="administrator",
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_refused_write_answers_as_its_page_and_changes_nothing(world, write):
    if write.prepare:
        write.prepare(world)
    requested = reverse(write.url_name, kwargs={"pk": world.pk_for(write.url_name)})
    headers = HTMX if write.htmx else {}
    before = database_state()
    problems = []

    for role, expected in write.refused.items():
        response = client_for(world, role).post(requested, write.data(world), **headers)
        found = problem(response, expected, requested)
        if found:
            problems.append(f"POST {requested} as {role}: {found}")
        if database_state() != before:
            problems.append(f"POST {requested} as {role} changed the database")
            before = database_state()

    assert not problems, "\n".join(problems)
    response = client_for(world, write.allowed).post(requested, write.data(world), **headers)
    assert response.status_code == (200 if write.htmx else 302), describe(response)
    assert database_state() != before, f"{write.allowed}'s POST to {requested} changed nothing"


def test_a_supervisor_cannot_open_or_change_another_supervisors_2_1(world):
    other = make_person(team=make_team(), role_group=RoleGroup.MANAGER, roles=(Role.SUPERVISOR,))
    client = Client()
    client.force_login(other.user)
    requested = reverse("session_edit", kwargs={"pk": world.session.pk})
    before = database_state()

    assert client.get(requested).status_code == 404
    assert client.post(requested, session_form(world)).status_code == 404
    assert database_state() == before
