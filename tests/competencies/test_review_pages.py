from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from competencies.models import Competency, Rater, Rating, Review, ReviewStatus
from competencies.services import review_return, review_sign_off, review_start, review_submit
from tests.factories import make_person, make_session, rate_all

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def competency_ids(review) -> list[int]:
    return list(
        Competency.objects.filter(area__version=review.version_id).values_list("pk", flat=True)
    )


def test_a_practitioner_starts_a_review_about_a_case(cast, as_user):
    response = as_user(cast.practitioner).post(
        reverse("review_start"),
        {"case_reference": "CR-1042", "case_type": "cp", "risk_level": "high"},
    )

    review = Review.objects.get()
    assert response.url == reverse("review_detail", args=[review.pk])
    assert (review.case_reference, review.case_type, review.risk_level) == ("CR-1042", "cp", "high")


@pytest.mark.parametrize(
    "reference",
    [
        "Jamie Smith",
        "jamie smith",
        "JAMIE SMITH",
        "Smith, Jamie",
        "Jamie Smith-Jones",
        "Jamie O'Neil",
        "Jamie Smith 04/03/2015",
        "Jamie",
        "J. Smith",
        "Jamie Smith DOB 4.3.15",
        "04/03/2015 Smith",
        "JaydenSmith2015",
        "Jayden.Smith.01-02-2015",
        "J.Smith-12/03/2014",
        "CR-12/03/2014",
    ],
)
def test_a_case_reference_that_could_be_a_name_or_a_birth_date_is_refused(cast, as_user, reference):
    response = as_user(cast.practitioner).post(
        reverse("review_start"), {"case_reference": reference, "case_type": "cin"}
    )

    assert response.status_code == 200
    assert "Use only your organisation&#x27;s case reference, such as CR-1042" in (
        response.content.decode()
    )
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "reference", ["CR-1042", "CR-104522", "2016/00417", "cin_77", "A1", "EH.2041.3"]
)
def test_case_references_in_the_usual_shapes_are_accepted(cast, as_user, reference):
    response = as_user(cast.practitioner).post(
        reverse("review_start"), {"case_reference": reference, "case_type": "cin"}
    )

    assert response.status_code == 302
    assert Review.objects.get().case_reference == reference


def test_an_organisation_sets_its_own_case_reference_format(cast, as_user, settings):
    settings.CASE_REFERENCE_PATTERN = r"LA\d{6}"
    settings.CASE_REFERENCE_MESSAGE = "Use the LA number, such as LA123456."
    client = as_user(cast.practitioner)

    refused = client.post(
        reverse("review_start"), {"case_reference": "CR-1042", "case_type": "cin"}
    )
    accepted = client.post(
        reverse("review_start"), {"case_reference": "LA123456", "case_type": "cin"}
    )

    assert "Use the LA number, such as LA123456." in refused.content.decode()
    assert accepted.status_code == 302


@pytest.mark.parametrize("role", ["supervisor", "programme_lead", "administrator", "outsider"])
def test_nobody_else_but_the_practitioner_and_their_supervisor_opens_a_review(
    cast, as_user, review, role
):
    person = getattr(cast, role)
    expected = 200 if role == "supervisor" else 404

    assert as_user(person).get(reverse("review_detail", args=[review.pk])).status_code == expected


def test_a_practitioner_cannot_open_another_practitioners_review(cast, as_user, review):
    theirs = review_start(practitioner=cast.outsider)

    assert (
        as_user(cast.practitioner).get(reverse("review_detail", args=[theirs.pk])).status_code
        == 404
    )


def test_a_supervisor_sees_only_their_supervisees_reviews(cast, as_user, review):
    stranger = review_start(practitioner=cast.outsider)

    response = as_user(cast.supervisor).get(reverse("review_list"))

    assert list(response.context["page"]) == [review]
    assert (
        as_user(cast.supervisor).get(reverse("review_detail", args=[stranger.pk])).status_code
        == 404
    )


def test_an_htmx_choice_saves_one_rating_and_returns_only_its_status(cast, as_user, review):
    competency = competency_ids(review)[0]

    response = as_user(cast.practitioner).post(
        reverse("review_rate", args=[review.pk]),
        {
            "competency": competency,
            f"level-{competency}": "2",
            f"comment-{competency}": "On track",
            f"based_on-{competency}": "0",
        },
        **HTMX,
    )

    html = response.content.decode().strip()
    assert html.startswith(f'<span id="status-{competency}" role="status"')
    assert f'name="based_on-{competency}" value="1"' in html
    rating = Rating.objects.get(review=review)
    assert (rating.rater, rating.level, rating.comment) == (Rater.SELF, 2, "On track")


def test_an_htmx_choice_also_updates_the_views_differ_mark_beside_the_other_rating(
    cast, as_user, review
):
    rate_all(review, Rater.SELF)  # every competency rated 2 by the practitioner
    review_submit(review=review)
    first, second = competency_ids(review)[:2]
    supervisor = as_user(cast.supervisor)

    def rate(competency: int, level: str) -> str:
        response = supervisor.post(
            reverse("review_rate", args=[review.pk]),
            {"competency": competency, f"level-{competency}": level, f"based_on-{competency}": "0"},
            **HTMX,
        )
        return response.content.decode()

    differ = rate(first, "3")
    agree = rate(second, "2")

    mark = '<span id="differ-{}" hx-swap-oob="true">'
    assert mark.format(first) + '<span class="badge' in differ and "Views differ" in differ
    assert mark.format(second) + "</span>" in agree and "Views differ" not in agree


def test_the_whole_grid_saves_as_a_plain_form_without_javascript(cast, as_user, review):
    ids = competency_ids(review)
    data = {f"level-{cid}": "3" for cid in ids}
    data[f"level-{ids[0]}"] = "not_seen"

    response = as_user(cast.practitioner).post(
        reverse("review_ratings_save", args=[review.pk]), data
    )

    assert response.status_code == 302
    assert review.ratings.count() == len(ids)
    assert review.ratings.get(competency_id=ids[0]).level is None


def test_the_supervisor_cannot_rate_a_draft_and_the_practitioner_cannot_rate_after_submitting(
    cast, as_user, review
):
    competency = competency_ids(review)[0]
    as_user(cast.supervisor).post(
        reverse("review_ratings_save", args=[review.pk]), {f"level-{competency}": "1"}
    )
    assert not Rating.objects.exists()

    rate_all(review, Rater.SELF)
    review_submit(review=review)
    as_user(cast.practitioner).post(
        reverse("review_ratings_save", args=[review.pk]),
        {f"level-{competency}": "1", f"based_on-{competency}": "1"},
    )
    assert not Rating.objects.filter(level=1).exists()


def test_the_flow_through_the_pages(cast, as_user, review):
    rate_all(review, Rater.SELF)
    as_user(cast.practitioner).post(reverse("review_submit", args=[review.pk]))
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED

    rate_all(review, Rater.SUPERVISOR)
    client = as_user(cast.supervisor)
    client.post(reverse("review_sign_off", args=[review.pk]), {})
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED  # not confirmed
    client.post(reverse("review_sign_off", args=[review.pk]), {"agreed": "on"})
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SIGNED_OFF

    response = client.post(reverse("review_correct", args=[review.pk]), {"reason": "Wrong case"})
    correction = Review.objects.get(replaces=review)
    assert response.url == reverse("review_detail", args=[correction.pk])


def test_review_pages_refuse_get_where_only_post_is_meant(cast, as_user, review):
    assert (
        as_user(cast.practitioner).get(reverse("review_submit", args=[review.pk])).status_code
        == 405
    )


def test_my_progress_shows_both_views_over_time_and_where_they_differ(cast, as_user):
    for self_level, supervisor_level in ((3, 1), (3, 3)):
        review = review_start(practitioner=cast.practitioner)
        rate_all(review, Rater.SELF, level=self_level)
        review_submit(review=review)
        rate_all(review, Rater.SUPERVISOR, level=supervisor_level)
        review_sign_off(review=review, supervisor=cast.supervisor)

    areas = as_user(cast.practitioner).get(reverse("my_progress")).context["areas"]

    row = areas[0].rows[0]
    assert [(p.self_level, p.supervisor_level) for p in row.points] == [(3, 1), (3, 3)]
    assert (row.latest.gap, row.points[0].gap) == (0, 2)
    assert len(areas) == 6


@pytest.mark.parametrize("reviews", [1, 6])
def test_grid_and_my_progress_run_a_constant_number_of_queries(
    cast, as_user, reviews, django_assert_num_queries
):
    for _ in range(reviews):
        review = review_start(practitioner=cast.practitioner)
        rate_all(review, Rater.SELF)
        review_submit(review=review)
        rate_all(review, Rater.SUPERVISOR)
        review_sign_off(review=review, supervisor=cast.supervisor)
    client = as_user(cast.practitioner)

    # session, user, roles, person, review, ratings, competencies with areas, history, goals
    with django_assert_num_queries(9):
        client.get(reverse("review_detail", args=[review.pk]))
    # session, user, roles, person, ratings with competencies and reviews, goals
    with django_assert_num_queries(6):
        client.get(reverse("my_progress"))
    # session, user, roles, person, waiting, drafts, the filter's people, count, page
    with django_assert_num_queries(9):
        client.get(reverse("review_list"))


def test_framework_pages_and_exports(cast, as_user):
    client = as_user(cast.practitioner)
    version = Review._meta.get_field("version").related_model.objects.get()

    assert client.get(reverse("framework_list")).status_code == 200
    exported = client.get(reverse("framework_version", args=[version.pk]), {"format": "json"})
    assert exported.json()["areas"][0]["stage"] == "engagement"
    csv_text = client.get(
        reverse("framework_version", args=[version.pk]), {"format": "csv"}
    ).content.decode()
    assert csv_text.splitlines()[0] == "stage,area_title,code,title,basic,competent,advanced"
    assert client.post(reverse("framework_new_draft", args=[version.pk])).status_code == 403


def test_an_administrator_imports_a_framework_as_a_draft_and_publishes_it(cast, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competencies.models import FrameworkVersion

    version = FrameworkVersion.objects.get()
    client = as_user(cast.administrator)
    csv_text = client.get(
        reverse("framework_version", args=[version.pk]), {"format": "csv"}
    ).content

    client.post(
        reverse("framework_import"),
        {"file": SimpleUploadedFile("f.csv", csv_text), "name": "Our own framework"},
    )
    draft = FrameworkVersion.objects.get(framework__name="Our own framework")
    assert (draft.status, draft.number) == ("draft", 1)
    assert Competency.objects.filter(area__version=draft).count() == 19

    client.post(reverse("framework_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_published


def test_a_framework_downloaded_as_csv_neutralises_formulas_and_imports_back_unchanged(
    cast, as_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competencies.models import FrameworkVersion

    version = FrameworkVersion.objects.get()
    first = Competency.objects.filter(area__version=version).first()
    Competency.objects.filter(pk=first.pk).update(title="@SUM(1)", basic="- listens")
    client = as_user(cast.administrator)

    downloaded = client.get(reverse("framework_version", args=[version.pk]), {"format": "csv"})
    client.post(
        reverse("framework_import"),
        {"file": SimpleUploadedFile("f.csv", downloaded.content), "name": "Copy"},
    )

    assert ",'@SUM(1),'- listens," in downloaded.content.decode()
    copy = Competency.objects.get(area__version__framework__name="Copy", code=first.code)
    assert (copy.title, copy.basic) == ("@SUM(1)", "- listens")


def test_a_bad_framework_file_is_refused_with_every_problem_and_nothing_created(cast, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competencies.models import FrameworkVersion

    bad = json.dumps(
        {
            "framework": "Bad",
            "areas": [{"stage": "magic", "title": "X", "competencies": [{"code": "a"}]}],
        }
    ).encode()
    response = as_user(cast.administrator).post(
        reverse("framework_import"), {"file": SimpleUploadedFile("f.json", bad)}
    )

    html = response.content.decode()
    assert "stage &#x27;magic&#x27; is not one of" in html
    assert "competency 1: title is required" in html
    assert FrameworkVersion.objects.count() == 1


GOOD_COMPETENCY = {
    "code": "listens",
    "title": "Listens",
    "basic": "Sometimes",
    "competent": "Usually",
    "advanced": "Always",
}


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        ("abc", "areas must be a list of areas"),
        (["x"], "area 1: it must be an object"),
        ([{"stage": "engagement", "competencies": [GOOD_COMPETENCY]}], "area 1: title is required"),
        (
            [{"stage": "engagement", "title": "E", "competencies": ["x"]}],
            "competency 1: it must be",
        ),
        ([{"stage": ["engagement"], "title": "E", "competencies": [GOOD_COMPETENCY]}], "stage"),
        (
            [
                {
                    "stage": "engagement",
                    "title": "E",
                    "competencies": [{**GOOD_COMPETENCY, "code": "c" * 41}],
                }
            ],
            "code is longer than 40 characters",
        ),
        (
            [{"stage": "engagement", "title": "E" * 201, "competencies": [GOOD_COMPETENCY]}],
            "title is longer than 200 characters",
        ),
        (
            [
                {
                    "stage": "engagement",
                    "title": "E",
                    "competencies": [{**GOOD_COMPETENCY, "code": "a b"}],
                }
            ],
            "code &#x27;a b&#x27; may hold only letters, digits, - and _",
        ),
        (
            [
                {
                    "stage": "engagement",
                    "title": "E",
                    "competencies": [{**GOOD_COMPETENCY, "basic": "a\x00b"}],
                }
            ],
            "basic contains a null character",
        ),
        (
            [
                {
                    "stage": "engagement",
                    "title": "E",
                    "competencies": [{**GOOD_COMPETENCY, "title": 7}],
                }
            ],
            "title is required (as text)",
        ),
    ],
)
def test_a_malformed_framework_file_is_refused_with_a_message_and_nothing_created(
    cast, as_user, areas, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competencies.models import Framework, FrameworkVersion

    data = json.dumps({"framework": "Odd", "areas": areas}).encode()
    response = as_user(cast.administrator).post(
        reverse("framework_import"), {"file": SimpleUploadedFile("f.json", data)}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert FrameworkVersion.objects.count() == 1
    assert not Framework.objects.filter(name="Odd").exists()


def test_a_framework_csv_with_short_rows_is_refused_with_a_message(cast, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "stage,area_title,code,title,basic,competent,advanced\nengagement,E,listens\n"
    response = as_user(cast.administrator).post(
        reverse("framework_import"),
        {"file": SimpleUploadedFile("f.csv", text.encode()), "name": "Short"},
    )

    assert response.status_code == 200
    assert "area 1, competency 1: title is required" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("f.json", b"[" * 100_000 + b"]" * 100_000, "nests lists or objects too deeply"),
        (
            "f.csv",
            b"stage,area_title,code,title,basic,competent,advanced\n" + b"x" * 140_000 + b"\n",
            "cannot be read as CSV: field larger than field limit",
        ),
    ],
)
def test_a_framework_file_the_parsers_give_up_on_is_refused_with_a_message(
    cast, as_user, name, content, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_user(cast.administrator).post(
        reverse("framework_import"), {"file": SimpleUploadedFile(name, content), "name": "X"}
    )

    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_line_manager_who_is_not_the_named_supervisor_reads_the_review_but_cannot_act(
    cast, as_user
):
    from tests.factories import make_person, make_session

    other_supervisor = make_person(team=cast.outsider.team, with_account=True)
    session = make_session(supervisor=other_supervisor, practitioners=[cast.practitioner])
    review = review_start(practitioner=cast.practitioner, session=session)
    rate_all(review, Rater.SELF)
    review_submit(review=review)
    competency = Competency.objects.filter(area__version=review.version).first()
    line_manager = as_user(cast.supervisor)
    url = reverse("review_detail", args=[review.pk])
    rate = reverse("review_rate", args=[review.pk])

    page = line_manager.get(url)
    rating = line_manager.post(
        rate,
        {"competency": competency.pk, f"level-{competency.pk}": "3"},
        **HTMX,
    )
    whole_grid = line_manager.post(
        reverse("review_ratings_save", args=[review.pk]), {f"level-{competency.pk}": "3"}
    )
    sent_back = line_manager.post(
        reverse("review_return", args=[review.pk]), {"reason": "Not mine to send back."}
    )
    signed = line_manager.post(reverse("review_sign_off", args=[review.pk]), {"agreed": "on"})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="radio"' not in html
    assert "is this review's supervisor: they rate it and sign it off" in html
    assert [rating.status_code, whole_grid.status_code] == [403, 403]
    assert [sent_back.status_code, signed.status_code] == [403, 403]
    assert not review.ratings.filter(rater=Rater.SUPERVISOR).exists()
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED

    named = as_user(other_supervisor).post(
        rate,
        {
            "competency": competency.pk,
            f"level-{competency.pk}": "3",
            f"based_on-{competency.pk}": "0",
        },
        **HTMX,
    )
    assert named.status_code == 200
    assert review.ratings.filter(rater=Rater.SUPERVISOR).count() == 1


def test_the_review_list_shows_what_waits_for_the_supervisor_first_then_the_rest_by_date(
    cast, as_user
):
    signed = review_start(practitioner=cast.practitioner)
    rate_all(signed, Rater.SELF)
    review_submit(review=signed)
    rate_all(signed, Rater.SUPERVISOR)
    review_sign_off(review=signed, supervisor=cast.supervisor)
    waiting = review_start(practitioner=cast.practitioner)
    rate_all(waiting, Rater.SELF)
    review_submit(review=waiting)

    response = as_user(cast.supervisor).get(reverse("review_list"))

    assert response.context["waiting"] == [waiting]
    html = response.content.decode()
    assert html.index("Waiting for you") < html.index("All reviews you can read")
    assert list(response.context["page"]) == [waiting, signed]


def test_the_review_list_filters_by_status_and_practitioner_and_pages(cast, as_user):
    other = make_person(team=cast.practitioner.team, line_manager=cast.supervisor)
    mine = [review_start(practitioner=cast.practitioner) for _ in range(3)]
    theirs = review_start(practitioner=other)
    rate_all(theirs, Rater.SELF)
    review_submit(review=theirs)
    client = as_user(cast.supervisor)

    by_status = client.get(reverse("review_list"), {"status": "submitted"})
    by_person = client.get(reverse("review_list"), {"person": cast.practitioner.pk})
    nonsense = client.get(reverse("review_list"), {"status": "nonsense", "person": "x"})

    assert list(by_status.context["page"]) == [theirs]
    assert set(by_person.context["page"]) == set(mine)
    assert by_person.context["page"].paginator.count == 3
    assert nonsense.context["page"].paginator.count == 4


def test_the_review_list_pages_25_at_a_time_and_keeps_the_filters_on_its_links(cast, as_user):
    for _ in range(27):
        review_start(practitioner=cast.practitioner)
    client = as_user(cast.supervisor)

    first = client.get(reverse("review_list"), {"status": "draft"})
    second = client.get(reverse("review_list"), {"status": "draft", "page": 2})

    assert len(first.context["page"]) == 25 and len(second.context["page"]) == 2
    assert "?status=draft&amp;page=2" in first.content.decode()


def test_an_htmx_filter_change_returns_only_the_table(cast, as_user, review):
    response = as_user(cast.practitioner).get(reverse("review_list"), {"status": "draft"}, **HTMX)

    html = response.content.decode().strip()
    assert html.startswith('<div id="reviews">')
    assert "<h1" not in html


def test_a_person_outside_the_reviews_cannot_filter_their_way_to_them(cast, as_user, review):
    response = as_user(cast.outsider).get(reverse("review_list"), {"person": cast.practitioner.pk})

    assert response.context["page"].paginator.count == 0
    assert cast.practitioner.full_name not in response.content.decode()


def competency_order(review) -> list[int]:
    return list(
        Competency.objects.filter(area__version=review.version_id).values_list("pk", flat=True)
    )


def test_the_grid_says_how_many_are_rated_and_links_to_the_first_not_yet_rated(
    cast, as_user, review
):
    order = competency_order(review)
    Rating.objects.create(review=review, competency_id=order[0], rater=Rater.SELF, level=2)

    html = as_user(cast.practitioner).get(reverse("review_detail", args=[review.pk])).content
    html = html.decode()

    assert f"1 of {len(order)} rated" in html
    assert f'href="#row-{order[1]}"' in html


def test_each_htmx_save_brings_the_count_up_to_date_out_of_band(cast, as_user, review):
    order = competency_order(review)

    response = as_user(cast.practitioner).post(
        reverse("review_rate", args=[review.pk]),
        {"competency": order[0], f"level-{order[0]}": "3", f"based_on-{order[0]}": "0"},
        **HTMX,
    )

    html = response.content.decode()
    assert '<p id="rating-progress" hx-swap-oob="true">' in html
    assert f"1 of {len(order)} rated" in html
    assert f'href="#row-{order[1]}"' in html


def test_a_practitioner_discards_their_draft_after_confirming(cast, as_user, review):
    client = as_user(cast.practitioner)
    rate_all(review, Rater.SELF)

    asked = client.get(reverse("review_discard", args=[review.pk]))
    response = client.post(reverse("review_discard", args=[review.pk]))

    assert "Discard this draft review?" in asked.content.decode()
    assert Review.objects.filter(pk=review.pk).exists() is False
    assert Rating.objects.filter(review_id=review.pk).count() == 0
    assert response.url == reverse("review_list")


def test_a_review_that_has_been_with_the_supervisor_cannot_be_discarded(cast, as_user, review):
    rate_all(review, Rater.SELF)
    review_submit(review=review)
    rate_all(review, Rater.SUPERVISOR)
    review_return(review=review, supervisor=cast.supervisor, reason="Rate the planning stage.")

    as_user(cast.practitioner).post(reverse("review_discard", args=[review.pk]))

    assert Rating.objects.filter(review=review, rater=Rater.SUPERVISOR).exists()


def test_the_2_1_picker_lists_past_2_1s_first_latest_at_the_top(cast, as_user):
    now = timezone.now()
    sessions = {
        days: make_session(
            supervisor=cast.supervisor,
            practitioners=[cast.practitioner],
            starts_at=now + datetime.timedelta(days=days),
            status="held" if days < 0 else "planned",
            reason="Only one this time",
        )
        for days in (-60, 30, -5, 10)
    }
    cancelled = make_session(
        supervisor=cast.supervisor,
        practitioners=[cast.practitioner],
        starts_at=now - datetime.timedelta(days=3),
        status="cancelled",
        reason="Only one this time",
    )

    form = as_user(cast.practitioner).get(reverse("review_start")).context["form"]

    listed = [value for value, _ in form.fields["session"].choices if value]
    assert listed == [sessions[days].pk for days in (-5, -60, 10, 30)]
    assert cancelled.pk not in listed
    assert list(form.fields["session"].choices)[1][1].startswith("Held: ")
