"""Programme leads get the roll-out's summary on the first working day of each month, once, in
plain text with a link to the dashboard, unless they have turned it off."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from dashboards.summary import first_working_day, monthly_summary_send
from notifications.models import Email, EmailKind, EmailOptOut, MonthlySummary
from tests.factories import attend, make_cohort, make_person, make_team
from training.models import PersonStatus

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (datetime.date(2027, 2, 17), datetime.date(2027, 2, 1)),  # a Monday
        (datetime.date(2027, 1, 20), datetime.date(2027, 1, 4)),  # New Year's Day is a Friday
        (datetime.date(2026, 8, 31), datetime.date(2026, 8, 3)),  # the 1st is a Saturday
        (datetime.date(2027, 5, 1), datetime.date(2027, 5, 4)),  # the early May bank holiday
    ],
)
def test_the_first_working_day_skips_weekends_and_bank_holidays(day, first):
    assert first_working_day(day) == first


def summaries_sent(day: datetime.date, django_capture_on_commit_callbacks) -> MonthlySummary | None:
    with django_capture_on_commit_callbacks(execute=True):
        return monthly_summary_send(today=day)


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2027, 1, 1),  # a bank holiday
        datetime.date(2027, 1, 2),  # a Saturday
        datetime.date(2027, 1, 5),  # the day after the first working day
        datetime.date(2027, 2, 2),
        datetime.date(2026, 12, 15),
    ],
)
def test_no_summary_goes_out_on_any_other_day(cast, day, django_capture_on_commit_callbacks):
    assert summaries_sent(day, django_capture_on_commit_callbacks) is None
    assert mail.outbox == [] and not MonthlySummary.objects.exists()


@pytest.mark.parametrize("day", [datetime.date(2027, 1, 4), datetime.date(2027, 2, 1)])
def test_on_the_first_working_day_each_programme_lead_gets_it_once(
    cast, day, django_capture_on_commit_callbacks
):
    second_lead = make_person(roles=(Role.PROGRAMME_LEAD, Role.PRACTITIONER))
    make_person(roles=(Role.PROGRAMME_LEAD,), status=PersonStatus.LEFT)

    summary = summaries_sent(day, django_capture_on_commit_callbacks)
    again = summaries_sent(day, django_capture_on_commit_callbacks)

    assert again is None
    assert summary == MonthlySummary.objects.get()
    assert (summary.month, summary.recipients) == (day.replace(day=1), 2)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [cast.programme_lead.email, second_lead.email]
    )
    month_before = (day.replace(day=1) - datetime.timedelta(days=1)).strftime("%B %Y")
    assert {message.subject for message in mail.outbox} == {f"The roll-out in {month_before}"}
    assert not Email.objects.exists()


def test_the_summary_gives_the_figures_with_their_change_the_teams_behind_and_a_link(
    cast, as_user, django_capture_on_commit_callbacks
):
    behind = make_team("Stroud District")
    make_person(team=behind)
    make_person(team=behind)
    # Trained in January 2027: 1 of the 5 practitioners in scope at the end of January.
    cohort = make_cohort(day1=datetime.date(2027, 1, 12), day2=datetime.date(2027, 1, 19))
    attend(cast.practitioner, cohort)

    summaries_sent(datetime.date(2027, 2, 1), django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    body = message.body
    assert message.to == [cast.programme_lead.email]
    assert "The roll-out at the end of January 2027" in body
    assert "- Trained: 1 (20%), up 20 points" in body
    assert "- Practising with fidelity: 0 (0%), no change" in body
    assert "Critical mass of practice: 50% practising with fidelity;" in body
    assert "- Stroud District: 0 of 2 (0%)" in body
    assert body.index("Stroud District") < body.index("Cheltenham District")
    dashboard = f"{settings.SITE_URL}{reverse('fidelity')}"
    assert dashboard in body
    assert as_user(cast.programme_lead).get(reverse("fidelity")).status_code == 200


def test_a_programme_lead_who_turned_it_off_does_not_get_it(
    cast, django_capture_on_commit_callbacks
):
    other = make_person(roles=(Role.PROGRAMME_LEAD,))
    EmailOptOut.objects.create(person=cast.programme_lead, kind=EmailKind.MONTHLY_SUMMARY)

    summary = summaries_sent(datetime.date(2027, 2, 1), django_capture_on_commit_callbacks)

    assert summary.recipients == 1
    assert [message.to for message in mail.outbox] == [[other.email]]


def test_the_daily_job_sends_it_on_the_first_working_day_only(
    cast, time_machine, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    time_machine.move_to(datetime.datetime(2027, 1, 1, 6, 15, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert "monthly summary" not in out.getvalue() and mail.outbox == []

    time_machine.move_to(datetime.datetime(2027, 1, 4, 6, 15, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)

    assert out.getvalue().count("The monthly summary went to 1 programme leads.") == 1
    assert [message.to for message in mail.outbox] == [[cast.programme_lead.email]]
