"""The record of a 2:1: cases discussed, what it worked on, notes and agreed actions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from competencies.frameworks import current_version, version_new_draft
from competencies.models import CaseType, Competency, RiskLevel, Stage
from supervision.forms import CaseDiscussedForm, ReviewStartForm
from supervision.models import (
    AgreedAction,
    CaseDiscussed,
    SessionFocus,
    SessionNote,
    SessionStatus,
    SupervisionSession,
)
from supervision.selectors import open_actions, session_record
from supervision.services import (
    action_agree,
    action_close,
    case_discussed_add,
    session_focus_add,
    session_note_add,
)
from tests.factories import make_person, make_session, make_team
from training.models import RoleGroup

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate()
NEXT_WEEK = TODAY + datetime.timedelta(days=7)


def held(supervisor, practitioners, days_ago: int = 1):
    return make_session(
        supervisor=supervisor,
        practitioners=practitioners,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        status=SessionStatus.HELD,
        reason="" if len(practitioners) == 2 else "Only one supervisee",
    )


def loaded(session: SupervisionSession) -> SupervisionSession:
    """The 2:1 as the pages load it: its practitioners fetched with it."""
    return SupervisionSession.objects.prefetch_related("practitioners").get(pk=session.pk)


@pytest.fixture
def peer(cast):
    """The second practitioner of the cast's supervisor's shared 2:1s."""
    return make_person(
        team=cast.practitioner.team, line_manager=cast.supervisor, roles=(Role.PRACTITIONER,)
    )


@pytest.fixture
def shared(cast, peer):
    """A 2:1 held yesterday with both practitioners."""
    return loaded(held(cast.supervisor, [cast.practitioner, peer]))


def a_competency(stage: str = Stage.RISK) -> Competency:
    competency = (
        Competency.objects.filter(area__version=current_version(), area__stage=stage)
        .select_related("area__version")
        .first()
    )
    assert competency is not None
    return competency


def agree(session, owner, practitioner=None, due_on=NEXT_WEEK, text="Try the resilience map"):
    return action_agree(
        session=session, owner=owner, practitioner=practitioner, description=text, due_on=due_on
    )


# Cases discussed: the same rules as a review's case -----------------------------------------


def test_a_case_discussed_is_kept_as_a_reference_a_type_and_a_risk_level(cast, shared):
    case = case_discussed_add(
        session=shared,
        practitioner=cast.practitioner,
        case_reference=" CR-1042 ",
        case_type=CaseType.CHILD_PROTECTION,
        risk_level=RiskLevel.HIGH,
    )

    stored = CaseDiscussed.objects.get(pk=case.pk)
    assert (stored.case_reference, stored.case_type, stored.risk_level) == ("CR-1042", "cp", "high")
    assert stored.practitioner == cast.practitioner


@pytest.mark.parametrize("reference", ["Jamie Smith", "Smith, Jamie", "04/03/2015 Smith", "Jamie"])
def test_a_case_discussed_that_could_be_a_name_is_refused_like_a_reviews_case(
    cast, shared, reference
):
    with pytest.raises(ValidationError) as refused:
        case_discussed_add(
            session=shared,
            practitioner=cast.practitioner,
            case_reference=reference,
            case_type=CaseType.CHILD_IN_NEED,
            risk_level=RiskLevel.LOW,
        )

    assert "case_reference" in refused.value.message_dict
    assert not CaseDiscussed.objects.exists()


def test_the_organisations_own_case_reference_format_rules_reviews_and_2_to_1s_alike(
    cast, shared, settings
):
    settings.CASE_REFERENCE_PATTERN = r"LA\d{6}"
    settings.CASE_REFERENCE_MESSAGE = "Use the LA number, such as LA123456."
    case = {"case_type": "cin", "risk_level": "low"}

    def errors(reference: str) -> tuple[list[str], list[str]]:
        review = ReviewStartForm(
            {"case_reference": reference, **case}, sessions=SupervisionSession.objects.none()
        )
        record = CaseDiscussedForm(
            {"case_reference": reference, "whose": cast.practitioner.pk, **case}, session=shared
        )
        return (
            [str(error) for error in review.errors.get("case_reference", [])],
            [str(error) for error in record.errors.get("case_reference", [])],
        )

    assert errors("CR-1042") == (["Use the LA number, such as LA123456."],) * 2
    assert errors("LA123456") == ([], [])


def test_a_case_discussed_offers_the_case_types_and_risk_levels_of_reviews(shared):
    form = CaseDiscussedForm(session=shared)

    assert [value for value, _ in form.fields["case_type"].choices if value] == CaseType.values
    assert [value for value, _ in form.fields["risk_level"].choices if value] == RiskLevel.values


def test_a_case_belongs_to_one_practitioner_of_the_2_to_1(cast, shared):
    form = CaseDiscussedForm(session=shared)
    assert "shared" not in dict(form.fields["whose"].choices)

    with pytest.raises(ValidationError, match="not a practitioner of this 2:1"):
        case_discussed_add(
            session=shared,
            practitioner=cast.outsider,
            case_reference="CR-1042",
            case_type="cin",
            risk_level="low",
        )
    assert not CaseDiscussed.objects.exists()


def test_the_same_case_is_recorded_once_a_2_to_1(cast, shared):
    values = {"case_reference": "CR-1042", "case_type": "cin", "risk_level": "low"}
    case_discussed_add(session=shared, practitioner=cast.practitioner, **values)

    with pytest.raises(ValidationError, match="already in the record"):
        case_discussed_add(session=shared, practitioner=cast.practitioner, **values)
    assert CaseDiscussed.objects.count() == 1


# When a record is written --------------------------------------------------------------------


def test_a_record_is_written_only_once_the_2_to_1_has_started_and_never_for_a_cancelled_one(
    cast,
):
    coming = loaded(make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner]))
    cancelled = loaded(held(cast.supervisor, [cast.practitioner]))
    SupervisionSession.objects.filter(pk=cancelled.pk).update(status=SessionStatus.CANCELLED)
    cancelled.refresh_from_db()

    with pytest.raises(ValidationError, match="once it has started"):
        session_note_add(session=coming, practitioner=None, text="Talked about risk")
    with pytest.raises(ValidationError, match="cancelled"):
        session_note_add(session=cancelled, practitioner=None, text="Talked about risk")
    assert not SessionNote.objects.exists()


# What a 2:1 worked on ------------------------------------------------------------------------


def test_a_competency_worked_on_is_kept_with_its_stage(cast, shared):
    competency = a_competency(Stage.ANALYSIS)

    focus = session_focus_add(
        session=shared, practitioner=None, stage=Stage.ENGAGEMENT, competency=competency
    )
    whole_stage = session_focus_add(
        session=shared, practitioner=cast.practitioner, stage=Stage.RISK
    )

    assert (focus.stage, focus.competency) == (Stage.ANALYSIS, competency)
    assert (whole_stage.stage, whole_stage.competency) == (Stage.RISK, None)


def test_a_competency_of_a_draft_framework_version_or_twice_the_same_is_refused(cast, shared):
    draft = version_new_draft(version=current_version())
    draft_competency = Competency.objects.filter(area__version=draft).first()
    session_focus_add(session=shared, practitioner=None, stage=Stage.RISK)

    with pytest.raises(ValidationError, match="published"):
        session_focus_add(session=shared, practitioner=None, stage="", competency=draft_competency)
    with pytest.raises(ValidationError, match="already in the record"):
        session_focus_add(session=shared, practitioner=None, stage=Stage.RISK)
    assert SessionFocus.objects.count() == 1


# Actions -------------------------------------------------------------------------------------


def test_an_action_is_owned_by_someone_in_the_2_to_1_and_due_after_it(cast, peer, shared):
    action = agree(shared, owner=cast.supervisor, practitioner=peer)
    assert (action.owner, action.practitioner, action.is_open) == (cast.supervisor, peer, True)

    with pytest.raises(ValidationError, match="owned by the supervisor or a practitioner"):
        agree(shared, owner=cast.outsider)
    with pytest.raises(ValidationError, match="never the other practitioner's"):
        agree(shared, owner=cast.practitioner, practitioner=peer)
    with pytest.raises(ValidationError, match="due on or after"):
        agree(shared, owner=cast.practitioner, due_on=TODAY - datetime.timedelta(days=30))
    assert AgreedAction.objects.count() == 1


def test_the_next_2_to_1_with_the_same_people_opens_with_the_open_actions(cast, peer):
    first = loaded(held(cast.supervisor, [cast.practitioner, peer], days_ago=40))
    kept_open = agree(first, owner=cast.practitioner)
    closed = agree(first, owner=cast.supervisor, practitioner=peer)
    action_close(action=closed, session=first, note="Done in the same week")
    other_supervisor = make_person(role_group=RoleGroup.MANAGER, roles=(Role.SUPERVISOR,))
    elsewhere = loaded(held(other_supervisor, [cast.practitioner], days_ago=30))
    agree(elsewhere, owner=other_supervisor, practitioner=cast.practitioner)
    nobody_shared = loaded(held(cast.supervisor, [peer], days_ago=20))
    peers_own = agree(nobody_shared, owner=peer)
    later = loaded(held(cast.supervisor, [cast.practitioner], days_ago=1))
    at_later = agree(later, owner=cast.practitioner)
    next_one = loaded(
        make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner, peer])
    )

    assert set(open_actions(next_one)) == {kept_open, peers_own, at_later}
    # Not its own actions, nor those of a 2:1 its practitioner was not in.
    assert set(open_actions(later)) == {kept_open}


def test_an_action_is_closed_with_a_note_at_a_later_2_to_1_and_stays_in_its_record(cast, peer):
    first = loaded(held(cast.supervisor, [cast.practitioner, peer], days_ago=40))
    action = agree(first, owner=cast.practitioner)
    second = loaded(held(cast.supervisor, [cast.practitioner, peer], days_ago=5))

    with pytest.raises(ValidationError, match="closed with a note"):
        action_close(action=action, session=second, note="  ")
    assert AgreedAction.objects.get(pk=action.pk).is_open

    action_close(action=action, session=second, note="Used it with two families")

    stored = AgreedAction.objects.get(pk=action.pk)
    assert (stored.closed_in, stored.closing_note) == (second, "Used it with two families")
    assert list(open_actions(second)) == [stored]  # shown closed in the 2:1 that closed it
    third = loaded(make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner]))
    assert list(open_actions(third)) == []
    with pytest.raises(ValidationError, match="already closed"):
        action_close(action=action, session=second, note="Again")


def test_an_action_is_not_closed_at_an_earlier_2_to_1_or_another_supervisors(cast):
    earlier = loaded(held(cast.supervisor, [cast.practitioner], days_ago=40))
    action = agree(loaded(held(cast.supervisor, [cast.practitioner], days_ago=5)), cast.supervisor)
    other = make_person(role_group=RoleGroup.MANAGER, roles=(Role.SUPERVISOR,))
    theirs = loaded(held(other, [cast.practitioner], days_ago=1))

    for session in (earlier, theirs):
        with pytest.raises(ValidationError, match="later 2:1 with the same supervisor"):
            action_close(action=action, session=session, note="Done")
    assert AgreedAction.objects.get(pk=action.pk).is_open


# Who sees what -------------------------------------------------------------------------------


def fill(session, cast, peer) -> None:
    """One item of each kind for each practitioner, and shared ones."""
    for person, reference in ((cast.practitioner, "CR-1001"), (peer, "CR-2002")):
        case_discussed_add(
            session=session,
            practitioner=person,
            case_reference=reference,
            case_type="cp",
            risk_level="high",
        )
        session_note_add(session=session, practitioner=person, text=f"Note for {reference}")
        session_focus_add(session=session, practitioner=person, stage=Stage.RISK)
        agree(session, owner=person, practitioner=person, text=f"Action for {reference}")
    session_note_add(session=session, practitioner=None, text="Shared note")
    session_focus_add(session=session, practitioner=None, stage=Stage.ANALYSIS)
    agree(session, owner=cast.supervisor, text="Shared action")


def test_each_practitioner_of_a_shared_2_to_1_sees_only_their_items_and_the_shared_ones(
    cast, peer, shared
):
    fill(shared, cast, peer)

    mine = session_record(shared, cast.practitioner)
    everything = session_record(shared, cast.supervisor)

    assert [case.case_reference for case in mine.cases] == ["CR-1001"]
    assert [note.text for note in mine.notes] == ["Note for CR-1001", "Shared note"]
    assert {item.practitioner for item in mine.focus} == {cast.practitioner, None}
    assert sorted(action.description for action in mine.actions) == [
        "Action for CR-1001",
        "Shared action",
    ]
    assert len(everything.cases) == 2 and len(everything.notes) == 3
    assert len(everything.focus) == 3 and len(everything.actions) == 3


def test_a_shared_action_carried_into_a_2_to_1_with_a_new_partner_stays_with_its_pair(
    cast, peer, shared
):
    shared_action = agree(shared, owner=cast.supervisor, text="Shared action")
    newcomer = make_person(line_manager=cast.supervisor, roles=(Role.PRACTITIONER,))
    next_one = loaded(
        make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner, newcomer])
    )

    assert session_record(next_one, cast.supervisor).carried == [shared_action]
    assert session_record(next_one, cast.practitioner).carried == [shared_action]
    assert session_record(next_one, newcomer).carried == []


# Pages ---------------------------------------------------------------------------------------


def record_url(session) -> str:
    return reverse("session_record", args=[session.pk])


CASE = {"case_reference": "CR-1042", "case_type": "cp", "risk_level": "high"}


def test_the_supervisor_adds_a_case_through_the_page(cast, shared, as_user):
    response = as_user(cast.supervisor).post(
        reverse("session_case_add", args=[shared.pk]), {**CASE, "whose": cast.practitioner.pk}
    )

    assert response.status_code == 302
    assert response.url == record_url(shared) + "#cases"
    case = CaseDiscussed.objects.get()
    assert (case.session, case.practitioner, case.case_reference) == (
        shared,
        cast.practitioner,
        "CR-1042",
    )


def test_an_htmx_case_comes_back_as_the_cases_section_alone(cast, shared, as_user):
    response = as_user(cast.supervisor).post(
        reverse("session_case_add", args=[shared.pk]),
        {**CASE, "whose": cast.practitioner.pk},
        **HTMX,
    )

    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<section id="cases"') and "<html" not in html
    assert "CR-1042" in html and "Case added to the record." in html
    assert CaseDiscussed.objects.filter(case_reference="CR-1042").exists()


def test_a_refused_case_comes_back_with_the_message_and_saves_nothing(cast, shared, as_user):
    client = as_user(cast.supervisor)
    url = reverse("session_case_add", args=[shared.pk])
    data = {**CASE, "case_reference": "Jamie Smith", "whose": cast.practitioner.pk}

    page = client.post(url, data)
    section = client.post(url, data, **HTMX)

    assert page.status_code == 200 and "<html" in page.content.decode()
    assert "case_reference" in page.context["case_form"].errors
    assert section.status_code == 200
    assert section.content.decode().strip().startswith('<section id="cases"')
    assert "Use only your organisation" in section.content.decode()
    assert not CaseDiscussed.objects.exists()


def test_nothing_is_added_to_the_record_of_a_2_to_1_still_to_come(cast, as_user):
    coming = make_session(supervisor=cast.supervisor, practitioners=[cast.practitioner])
    client = as_user(cast.supervisor)

    page = client.get(record_url(coming)).content.decode()
    response = client.post(
        reverse("session_note_add", args=[coming.pk]),
        {"whose": cast.practitioner.pk, "text": "Early"},
    )

    assert "written once it has started" in page and "Add the note" not in page
    assert response.status_code == 200
    assert "written once it has started" in response.content.decode()
    assert not SessionNote.objects.exists()


def test_the_supervisor_records_what_the_2_to_1_worked_on_and_a_shared_note(cast, shared, as_user):
    client = as_user(cast.supervisor)
    competency = a_competency(Stage.RISK)

    focus = client.post(
        reverse("session_focus_add", args=[shared.pk]),
        {"worked_on": f"competency:{competency.pk}", "whose": "shared"},
        **HTMX,
    )
    stage = client.post(
        reverse("session_focus_add", args=[shared.pk]),
        {"worked_on": "stage:planning", "whose": cast.practitioner.pk},
    )
    note = client.post(
        reverse("session_note_add", args=[shared.pk]),
        {"whose": "shared", "text": "Risk talked through"},
        **HTMX,
    )

    assert focus.content.decode().strip().startswith('<section id="focus"')
    assert stage.url == record_url(shared) + "#focus"
    assert note.content.decode().strip().startswith('<section id="notes"')
    assert list(SessionFocus.objects.values_list("stage", "competency", "practitioner")) == [
        (Stage.RISK, competency.pk, None),
        (Stage.PLANNING, None, cast.practitioner.pk),
    ]
    assert SessionNote.objects.get().practitioner is None


def test_the_supervisor_agrees_and_closes_actions_through_the_page(cast, peer, as_user):
    first = held(cast.supervisor, [cast.practitioner, peer], days_ago=30)
    client = as_user(cast.supervisor)
    response = client.post(
        reverse("session_action_add", args=[first.pk]),
        {
            "description": "Use the resilience map",
            "owner": cast.practitioner.pk,
            "whose": cast.practitioner.pk,
            "due_on": NEXT_WEEK.isoformat(),
        },
    )
    action = AgreedAction.objects.get()
    assert response.url == record_url(first) + "#actions"
    second = held(cast.supervisor, [cast.practitioner, peer], days_ago=1)

    opened = client.get(record_url(second))
    closed = client.post(
        reverse("session_action_close", args=[second.pk]),
        {"action": action.pk, "note": "Used with two families"},
        **HTMX,
    )

    assert "Use the resilience map" in opened.content.decode()
    assert opened.context["record"].carried == [action]
    html = closed.content.decode().strip()
    assert html.startswith('<section id="actions"') and "Action closed." in html
    action.refresh_from_db()
    assert (action.closed_in_id, action.closing_note) == (second.pk, "Used with two families")


def test_closing_an_action_needs_a_note_and_an_action_open_in_the_2_to_1(cast, as_user):
    first = held(cast.supervisor, [cast.practitioner], days_ago=30)
    action = agree(loaded(first), owner=cast.supervisor)
    other = make_person(role_group=RoleGroup.MANAGER, roles=(Role.SUPERVISOR,))
    not_carried = agree(loaded(held(other, [cast.practitioner], days_ago=20)), owner=other)
    second = held(cast.supervisor, [cast.practitioner], days_ago=1)
    client = as_user(cast.supervisor)
    url = reverse("session_action_close", args=[second.pk])

    no_note = client.post(url, {"action": action.pk, "note": ""})
    not_here = client.post(url, {"action": not_carried.pk, "note": "Done"}, **HTMX)

    assert no_note.status_code == 200 and "This field is required" in no_note.content.decode()
    assert "That action is not open in this 2:1." in not_here.content.decode()
    assert AgreedAction.objects.filter(closed_at__isnull=False).count() == 0


def test_a_practitioner_reads_their_part_of_the_record_and_cannot_write_in_it(
    cast, peer, shared, as_user
):
    fill(shared, cast, peer)
    client = as_user(cast.practitioner)

    html = client.get(record_url(shared)).content.decode()
    refused = client.post(
        reverse("session_note_add", args=[shared.pk]), {"whose": "shared", "text": "Mine"}
    )

    assert "CR-1001" in html and "Shared note" in html and "Shared action" in html
    assert "CR-2002" not in html and "Action for CR-2002" not in html
    assert "<form" not in html.split("<main")[1].split("</main>")[0]
    assert refused.status_code == 403
    assert SessionNote.objects.count() == 3


@pytest.mark.parametrize("who", ["outsider", "practice_leader", "programme_lead"])
def test_people_outside_the_2_to_1_cannot_open_its_record(cast, shared, as_user, who):
    assert as_user(getattr(cast, who)).get(record_url(shared)).status_code == 404


def test_another_supervisor_can_neither_read_nor_write_the_record(cast, shared, as_user):
    other = make_person(team=make_team(), role_group=RoleGroup.MANAGER, roles=(Role.SUPERVISOR,))
    client = as_user(other)

    assert client.get(record_url(shared)).status_code == 404
    response = client.post(
        reverse("session_case_add", args=[shared.pk]), {**CASE, "whose": cast.practitioner.pk}
    )
    assert response.status_code == 404
    assert not CaseDiscussed.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "session_case_add",
        "session_focus_add",
        "session_note_add",
        "session_action_add",
        "session_action_close",
    ],
)
def test_the_record_writes_refuse_get(cast, shared, as_user, name):
    assert as_user(cast.supervisor).get(reverse(name, args=[shared.pk])).status_code == 405


def test_the_record_page_refuses_post(cast, shared, as_user):
    assert as_user(cast.supervisor).post(record_url(shared), {}).status_code == 405


@pytest.mark.parametrize("size", [1, 6])
def test_the_record_page_runs_a_constant_number_of_queries(
    cast, peer, as_user, size, django_assert_num_queries
):
    earlier = [
        loaded(held(cast.supervisor, [cast.practitioner, peer], days_ago=40 + n))
        for n in range(size)
    ]
    for session in earlier:
        fill(session, cast, peer)
    session = loaded(held(cast.supervisor, [cast.practitioner, peer]))
    for n in range(size):
        case_discussed_add(
            session=session,
            practitioner=peer,
            case_reference=f"CR-9{n:03}",
            case_type="cin",
            risk_level="low",
        )
        session_note_add(session=session, practitioner=None, text=f"Note {n}")
        agree(session, owner=cast.supervisor, text=f"Action {n}")

    client = as_user(cast.supervisor)
    # session, user, roles, person, the 2:1, its practitioners, cases, worked on, notes,
    # actions, open actions, the framework version, its competencies
    with django_assert_num_queries(13):
        response = client.get(record_url(session))
    assert len(response.context["record"].carried) == 3 * size
    client = as_user(cast.practitioner)
    # the same, without the forms' framework
    with django_assert_num_queries(11):
        response = client.get(record_url(session))
    assert len(response.context["record"].carried) == 2 * size
