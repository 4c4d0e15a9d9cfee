"""Each step of the review workflow emails the people it concerns: once, after the change has
committed, in plain text with a link that opens the review for them."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from competencies.models import Rater, Review, ReviewStatus
from competencies.services import (
    review_correct,
    review_return,
    review_sign_off,
    review_submit,
)
from notifications.models import Email, EmailKind, EmailOptOut
from tests.factories import rate_all

pytestmark = pytest.mark.django_db

REASON = "Look again at the planning competencies."


@pytest.fixture(autouse=True)
def rated_by_self(review: Review) -> None:
    """Every test here starts from the shared draft review, rated in full by the practitioner."""
    rate_all(review, Rater.SELF)


@pytest.fixture
def submitted(review) -> Review:
    review = review_submit(review=review)
    Email.objects.all().delete()  # the submission's own email is not what these tests look at
    rate_all(review, Rater.SUPERVISOR)
    return review


@pytest.fixture
def mail_server_down(monkeypatch):
    def refused(self, messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    return monkeypatch


def sent(person) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [person.email]]


def link_in(message: mail.EmailMessage) -> str:
    """The path of the one link to the site in an email."""
    (link,) = re.findall(rf"{re.escape(settings.SITE_URL)}(/reviews/\d+/)", str(message.body))
    return link


def test_submitting_emails_the_supervisor_once_after_commit_with_a_link_that_opens_it(
    cast, as_user, review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        as_user(cast.practitioner).post(reverse("review_submit", args=[review.pk]))
        # Queued with the change, sent only once it has committed.
        assert mail.outbox == [] and Email.objects.count() == 1
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED

    for callback in callbacks:
        callback()
    as_user(cast.practitioner).post(reverse("review_submit", args=[review.pk]))  # refused

    (message,) = mail.outbox
    assert message.to == [cast.supervisor.email]
    assert message.subject == f"A review is waiting for you: {cast.practitioner.full_name}"
    assert f"{cast.practitioner.full_name} has submitted their competency review" in message.body
    assert message.content_subtype == "plain" and message.attachments == []
    assert not getattr(message, "alternatives", [])
    assert link_in(message) == reverse("review_detail", args=[review.pk])
    assert as_user(cast.supervisor).get(link_in(message)).status_code == 200
    assert not Email.objects.exists()


def test_sending_back_emails_the_practitioner_alone_with_the_reason(
    cast, as_user, submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_user(cast.supervisor).post(
            reverse("review_return", args=[submitted.pk]), {"reason": REASON}
        )

    (message,) = mail.outbox
    assert message.to == [cast.practitioner.email]
    assert message.subject == f"Your review was sent back by {cast.supervisor.full_name}"
    assert REASON in message.body
    assert as_user(cast.practitioner).get(link_in(message)).status_code == 200


def test_signing_off_emails_both_once(cast, as_user, submitted, django_capture_on_commit_callbacks):
    client = as_user(cast.supervisor)
    url = reverse("review_sign_off", args=[submitted.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"agreed": "on"})
        client.post(url, {"agreed": "on"})  # a second click: refused, nothing more sent

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [cast.practitioner.email, cast.supervisor.email]
    )
    assert {message.subject for message in mail.outbox} == {
        f"Review signed off: {cast.practitioner.full_name}"
    }
    (to_practitioner,) = sent(cast.practitioner)
    assert "has signed off your competency review" in to_practitioner.body
    (to_supervisor,) = sent(cast.supervisor)
    assert f"{cast.practitioner.full_name}'s competency review" in to_supervisor.body
    for message, person in ((to_practitioner, cast.practitioner), (to_supervisor, cast.supervisor)):
        assert as_user(person).get(link_in(message)).status_code == 200


def test_a_correction_emails_both_with_the_reason_and_a_link_to_the_new_revision(
    cast, as_user, submitted, django_capture_on_commit_callbacks
):
    review_sign_off(review=submitted, supervisor=cast.supervisor)
    Email.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        as_user(cast.supervisor).post(
            reverse("review_correct", args=[submitted.pk]), {"reason": "The wrong case type."}
        )

    correction = Review.objects.get(replaces=submitted)
    assert len(mail.outbox) == 2
    for person in (cast.practitioner, cast.supervisor):
        (message,) = sent(person)
        assert message.subject == f"Review corrected: {cast.practitioner.full_name}"
        assert "The wrong case type." in message.body
        assert link_in(message) == reverse("review_detail", args=[correction.pk])
        assert as_user(person).get(link_in(message)).status_code == 200


def test_a_step_that_rolls_back_sends_nothing(cast, submitted, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        review_sign_off(review=submitted, supervisor=cast.supervisor)
        assert Email.objects.count() == 2
        raise RuntimeError("something after the sign-off fails")

    assert callbacks == [] and mail.outbox == []
    assert not Email.objects.exists()
    assert Review.objects.get(pk=submitted.pk).status == ReviewStatus.SUBMITTED


def test_an_email_turned_off_is_not_sent_to_that_person(
    cast, submitted, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(person=cast.practitioner, kind=EmailKind.REVIEW_SIGNED_OFF)

    with django_capture_on_commit_callbacks(execute=True):
        review_sign_off(review=submitted, supervisor=cast.supervisor)

    assert [message.to for message in mail.outbox] == [[cast.supervisor.email]]


def test_an_essential_email_is_sent_even_if_a_row_says_it_was_turned_off(
    cast, review, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(person=cast.supervisor, kind=EmailKind.REVIEW_SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        review_submit(review=review)

    assert [message.to for message in mail.outbox] == [[cast.supervisor.email]]


def test_a_failed_send_keeps_the_email_and_the_daily_job_sends_it(
    cast, submitted, django_capture_on_commit_callbacks, mail_server_down, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        review_return(review=submitted, supervisor=cast.supervisor, reason=REASON)

    # The change stands; the email waits with why it failed.
    assert Review.objects.get(pk=submitted.pk).status == ReviewStatus.DRAFT
    waiting = Email.objects.get()
    assert (waiting.person, waiting.attempts, waiting.last_error) == (
        cast.practitioner,
        1,
        "ConnectionRefusedError",
    )
    assert "the daily job tries again" in caplog.text

    mail_server_down.undo()
    out = io.StringIO()
    call_command("send_reminders", "--days", "0", stdout=out)

    assert "1 other emails sent again (0 still failing)" in out.getvalue()
    (message,) = mail.outbox
    assert message.to == [cast.practitioner.email] and REASON in message.body
    assert not Email.objects.exists()


def test_a_service_called_without_a_page_emails_as_the_page_does(
    cast, review, django_capture_on_commit_callbacks
):
    """The admin, a command or a test: the emails come from the services, not the views."""
    with django_capture_on_commit_callbacks(execute=True):
        review_submit(review=review)
        rate_all(review, Rater.SUPERVISOR)
        review_sign_off(review=review, supervisor=cast.supervisor)
        review_correct(review=review, reason="Typo in a comment.")

    kinds = sorted((message.to[0], message.subject.split(":")[0]) for message in mail.outbox)
    assert kinds == sorted(
        [
            (cast.supervisor.email, "A review is waiting for you"),
            (cast.practitioner.email, "Review signed off"),
            (cast.supervisor.email, "Review signed off"),
            (cast.practitioner.email, "Review corrected"),
            (cast.supervisor.email, "Review corrected"),
        ]
    )
