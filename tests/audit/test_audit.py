from __future__ import annotations

import pytest
from django.urls import reverse

from circles.models import MeetingAttendance
from tests.factories import make_circle
from training.models import CourseAttendance, Person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_roster_change_keeps_who_when_and_what(cast, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    as_user(cast.administrator).post(
        reverse("roster_import"),
        {
            "file": SimpleUploadedFile(
                "r.csv",
                f"email,full_name,team,role_group,status\n{cast.practitioner.email},Renamed,T,practitioner,left\n".encode(),
            )
        },
    )

    latest = Person.history.filter(id=cast.practitioner.pk).order_by("-history_date").first()
    assert (latest.full_name, latest.status, latest.history_type) == ("Renamed", "left", "~")
    assert latest.history_user == cast.administrator.user


def test_attendance_saved_through_htmx_is_in_the_trail_with_its_author(cast, as_user):
    from django.utils import timezone

    circle = make_circle(
        leaders=[cast.practice_leader],
        members=[cast.practitioner],
        starts_on=timezone.localdate() - timezone.timedelta(days=100),
    )
    meeting = circle.meetings.filter(starts_at__lt=timezone.now()).last()

    as_user(cast.practice_leader).post(
        reverse("meeting_attendance_mark", args=[meeting.pk]),
        {
            "person": cast.practitioner.pk,
            f"status-{cast.practitioner.pk}": "absent",
        },
        **HTMX,
    )
    as_user(cast.practice_leader).post(
        reverse("meeting_attendance_mark", args=[meeting.pk]),
        {
            "person": cast.practitioner.pk,
            f"status-{cast.practitioner.pk}": "present",
        },
        **HTMX,
    )

    trail = MeetingAttendance.history.filter(person=cast.practitioner).order_by("history_date")
    assert [(row.status, row.history_type) for row in trail] == [("absent", "+"), ("present", "~")]
    assert {row.history_user for row in trail} == {cast.practice_leader.user}


def test_cohort_register_changes_are_recorded(cast, as_user):
    from tests.factories import attend, make_cohort

    cohort = make_cohort()
    attend(cast.practitioner, cohort, attended=False)

    as_user(cast.practice_leader).post(
        reverse("cohort_register_save_all", args=[cohort.pk]),
        {"attended": [f"{cast.practitioner.pk}:1"]},
    )

    changed = CourseAttendance.history.filter(person=cast.practitioner, history_type="~").get()
    assert (changed.attended, changed.history_user) == (True, cast.practice_leader.user)


def test_administrators_read_a_persons_trail(cast, as_user):
    cast.practitioner.full_name = "New name"
    cast.practitioner.save()

    response = as_user(cast.administrator).get(reverse("person_audit", args=[cast.practitioner.pk]))

    html = response.content.decode()
    assert "Roster entry" in html and "New name" in html
    changes = [entry.change for entry in response.context["entries"]]
    assert (changes[0], changes[-1]) == ("Changed", "Created")
    assert "New name" in response.context["entries"][0].record


def test_the_trail_cannot_be_changed_or_reverted_through_the_product(settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True
    assert not any("history" in str(pattern.pattern) for pattern in _product_patterns())


def _product_patterns():
    from django.urls import get_resolver

    return [p for p in get_resolver().url_patterns if "admin" not in str(p.pattern)]


def test_a_framework_import_and_its_publication_are_in_the_trail_with_their_author(cast, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competencies.models import Area, Competency, FrameworkVersion

    client = as_user(cast.administrator)
    starter = FrameworkVersion.objects.get()
    csv_text = client.get(
        reverse("framework_version", args=[starter.pk]), {"format": "csv"}
    ).content

    client.post(
        reverse("framework_import"),
        {"file": SimpleUploadedFile("f.csv", csv_text), "name": "Our own framework"},
    )
    draft = FrameworkVersion.objects.get(framework__name="Our own framework")
    client.post(reverse("framework_publish", args=[draft.pk]))

    admin = cast.administrator.user
    competencies = Competency.history.filter(area__version=draft)
    assert competencies.count() == 19
    assert set(competencies.values_list("history_type", "history_user")) == {("+", admin.pk)}
    assert set(Area.history.filter(version=draft).values_list("history_type", "history_user")) == {
        ("+", admin.pk)
    }
    assert list(
        draft.history.order_by("history_id").values_list("history_type", "status", "history_user")
    ) == [("+", "draft", admin.pk), ("~", "published", admin.pk)]


def test_a_change_by_a_purged_person_shows_as_a_removed_account_in_the_trail(cast, as_user):
    import datetime
    import io

    from django.core.management import call_command

    from accounts.roles import Role
    from tests.factories import attend, make_cohort, make_person
    from training.models import PersonStatus

    trainer = make_person(roles=(Role.PRACTICE_LEADER,))
    cohort = make_cohort()
    attend(cast.practitioner, cohort, attended=False)
    as_user(trainer).post(
        reverse("cohort_register_save_all", args=[cohort.pk]),
        {"attended": [f"{cast.practitioner.pk}:1"]},
    )
    trainer.status, trainer.left_on = PersonStatus.LEFT, datetime.date(2000, 1, 1)
    trainer.save()
    call_command("purge_leavers", stdout=io.StringIO())

    response = as_user(cast.administrator).get(reverse("person_audit", args=[cast.practitioner.pk]))

    by = {entry.by for entry in response.context["entries"] if entry.what == "Course attendance"}
    assert by == {"the system", f"a removed account (#{trainer.user_id})"}
    assert f"a removed account (#{trainer.user_id})" in response.content.decode()


def test_the_trail_shows_the_2_1s_a_person_is_in_and_the_circles_they_lead(cast, as_user):
    from tests.factories import make_person, make_session

    peer = make_person(team=cast.practitioner.team)
    session = make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner, peer])
    session.practitioners.remove(cast.practitioner)
    circle = make_circle(leaders=[cast.practice_leader])
    admin = as_user(cast.administrator)

    practitioner = admin.get(reverse("person_audit", args=[cast.practitioner.pk])).context
    leader = admin.get(reverse("person_audit", args=[cast.practice_leader.pk])).context

    in_2_1s = [entry.record for entry in practitioner["entries"] if entry.what == "2:1 they are in"]
    assert f"2:1 {session.pk}: Planned, practitioners #{peer.pk}" in in_2_1s  # taken off it
    assert any(f"#{cast.practitioner.pk}" in record for record in in_2_1s)
    leads = [entry.record for entry in leader["entries"] if entry.what == "Circle they lead"]
    assert (
        f"circle {circle.pk} ({circle.name}): practice leaders #{cast.practice_leader.pk}" in leads
    )


@pytest.mark.parametrize("sessions", [1, 8])
def test_the_trail_runs_a_constant_number_of_queries(cast, as_user, sessions):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_session

    for _ in range(sessions):
        make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner])
        make_circle(leaders=[cast.practitioner])
    admin = as_user(cast.administrator)
    url = reverse("person_audit", args=[cast.practitioner.pk])
    admin.get(url)

    with CaptureQueriesContext(connection) as queries:
        assert admin.get(url).status_code == 200

    assert len(queries) == 20


def test_a_2_1_record_written_through_the_pages_is_in_each_practitioners_trail(cast, as_user):
    import datetime

    from django.utils import timezone

    from supervision.models import AgreedAction, SessionStatus
    from tests.factories import make_person, make_session

    peer = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    session = make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner, peer],
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=SessionStatus.HELD,
    )
    client = as_user(cast.supervisor)
    client.post(
        reverse("session_case_add", args=[session.pk]),
        {"whose": peer.pk, "case_reference": "CR-7781", "case_type": "cin", "risk_level": "low"},
    )
    client.post(reverse("session_note_add", args=[session.pk]), {"whose": "shared", "text": "Risk"})
    client.post(
        reverse("session_action_add", args=[session.pk]),
        {
            "description": "Try the resilience map",
            "owner": cast.practitioner.pk,
            "whose": cast.practitioner.pk,
            "due_on": timezone.localdate().isoformat(),
        },
    )
    action = AgreedAction.objects.get()
    client.post(
        reverse("session_action_close", args=[session.pk]),
        {"action": action.pk, "note": "Done"},
    )
    admin = as_user(cast.administrator)

    mine = admin.get(reverse("person_audit", args=[cast.practitioner.pk])).context["entries"]
    theirs = admin.get(reverse("person_audit", args=[peer.pk])).context["entries"]

    record = {"2:1 case discussed", "2:1 worked on", "2:1 note", "2:1 action"}
    assert [(e.what, e.change, e.by) for e in mine if e.what in record] == [
        ("2:1 action", "Changed", cast.supervisor.email),
        ("2:1 action", "Created", cast.supervisor.email),
        ("2:1 note", "Created", cast.supervisor.email),
    ]
    assert next(e.record for e in mine if e.what == "2:1 action").endswith(", closed")
    assert {e.what for e in theirs if e.what in record} == {"2:1 case discussed", "2:1 note"}
    assert any("case CR-7781" in e.record for e in theirs)


def test_a_development_goal_agreed_through_the_page_is_in_the_practitioners_trail(cast, as_user):
    import datetime

    from django.utils import timezone

    from competencies.models import Competency, Rater
    from competencies.services import review_sign_off, review_start, review_submit
    from tests.factories import rate_all

    review = review_start(practitioner=cast.practitioner)
    rate_all(review, Rater.SELF)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR)
    review_sign_off(review=review, supervisor=cast.supervisor)
    competency = Competency.objects.filter(area__version=review.version_id).first()
    as_user(cast.supervisor).post(
        reverse("review_goals", args=[review.pk]),
        {
            "competency": competency.pk,
            "description": "Weigh each hazard with the family",
            "review_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
            "agreed": "on",
        },
    )

    entries = (
        as_user(cast.administrator)
        .get(reverse("person_audit", args=[cast.practitioner.pk]))
        .context["entries"]
    )

    goals = [entry for entry in entries if entry.what == "Development goal"]
    assert [(entry.change, entry.by) for entry in goals] == [("Created", cast.supervisor.email)]
    assert goals[0].record.startswith(f"review {review.pk}, competency {competency.pk}")
