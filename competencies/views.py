from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget

from accounts.decorators import permission_required
from accounts.http import AuthenticatedHttpRequest
from accounts.roles import Permission
from common.exports import CONTENT_TYPES, attachment
from competencies import frameworks, selectors, services
from competencies.forms import (
    LEVEL_CHOICES,
    CorrectionForm,
    FrameworkImportForm,
    GoalForm,
    RatingForm,
    RatingsForm,
    ReturnForm,
    ReviewFilterForm,
    SignOffForm,
)
from competencies.models import FrameworkVersion, Rater, Review
from training.selectors import request_person

REVIEWS_PER_PAGE = 25


@require_http_methods(["GET"])
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What waits for the person first (reviews to rate and sign off, their own drafts), then
    every review they may read, newest first, filtered and paged."""
    person = request_person(request)
    form = ReviewFilterForm(request.GET or None, people=selectors.practitioners_in_reviews(person))
    page = Paginator(selectors.review_list(person, **form.filters()), REVIEWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "waiting": list(selectors.waiting_for(person)),
        "drafts": list(selectors.drafts_of(person)),
        "form": form,
        "page": page,
        "query": query.urlencode(),
    }
    template = "competencies/review_list.html"
    if request.htmx:
        template += "#reviews"
    return render(request, template, context)


def _grid_context(
    review: Review, rater: Rater, *, reader: bool = False, **extra: object
) -> dict[str, object]:
    grid = selectors.review_grid(review, rater)
    return {
        "review": review,
        "rater": rater,
        "reader": reader,
        "editable": not reader and services.may_rate(review, rater),
        "grid": grid,
        "progress": selectors.RatingProgress.of(grid),
        "levels": LEVEL_CHOICES,
        "history": selectors.review_history(review),
        "sign_off_form": SignOffForm(),
        "return_form": ReturnForm(auto_id="return_%s"),
        "goals": selectors.review_goals(review),
        **extra,
    }


@require_http_methods(["GET"])
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The rating grid: each choice saves at once with htmx, or the whole grid as one form."""
    review = selectors.get_review_for_user(request.user, pk)
    person = request_person(request)
    rater = selectors.rater_in(review, person)
    reader = not selectors.writes_in(review, person)
    return render(
        request, "competencies/review_detail.html", _grid_context(review, rater, reader=reader)
    )


def _review_to_rate(request: AuthenticatedHttpRequest, pk: int) -> tuple[Review, Rater]:
    """The review and the side the signed-in person rates: 404 for a review they may not see,
    403 for one they only read."""
    review = selectors.get_review_for_user(request.user, pk)
    person = request_person(request)
    if not selectors.writes_in(review, person):
        raise PermissionDenied("Only the review's named supervisor rates it.")
    return review, selectors.rater_in(review, person)


def _competency_ids(review: Review) -> list[int]:
    return list(
        review.version.areas.filter(competencies__isnull=False).values_list(
            "competencies__pk", flat=True
        )
    )


@require_http_methods(["POST"])
def review_rate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One competency's rating, saved as the rater chooses it; htmx gets its status back, or the
    row as it now stands if someone else changed it meanwhile."""
    review, rater = _review_to_rate(request, pk)
    form = RatingForm(request.POST, competency_ids=_competency_ids(review))
    if not form.is_valid():
        raise Http404("No such competency in this review.")
    competency_id = form.cleaned_data["competency"]
    conflicts = _save(review, rater, form.changes())
    if not request.htmx:
        return _grid_saved(request, review, rater, conflicts)
    if conflicts is None:
        return HttpResponse("This review can no longer be changed.", status=409)
    row = selectors.grid_row(review, rater, competency_id)
    context = {
        "review": review,
        "row": row,
        "rater": rater,
        "levels": LEVEL_CHOICES,
        "editable": True,
    }
    if conflicts:
        response = render(
            request,
            "competencies/review_detail.html#grid-row",
            {**context, "conflict": True},
        )
        return reswap(retarget(response, f"#row-{competency_id}"), "outerHTML")
    return render(
        request,
        "competencies/review_detail.html#row-status",
        {**context, "saved": True, "progress": selectors.rating_progress(review, rater)},
    )


@require_http_methods(["POST"])
def review_ratings_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The whole grid as one form, for use without JavaScript."""
    review, rater = _review_to_rate(request, pk)
    form = RatingsForm(request.POST, competency_ids=_competency_ids(review))
    form.is_valid()  # nothing in it is refused: a row with no level chosen is not a change
    return _grid_saved(request, review, rater, _save(review, rater, form.changes()))


def _grid_saved(
    request: AuthenticatedHttpRequest, review: Review, rater: Rater, conflicts: list | None
) -> HttpResponse:
    """After a save without htmx: back to the grid, or the grid with the conflicting rows."""
    if conflicts is None:
        messages.error(request, "This review can no longer be changed at this stage.")
        return redirect("review_detail", pk=review.pk)
    if conflicts:
        return render(
            request,
            "competencies/review_detail.html",
            _grid_context(review, rater, conflicts={c.competency_id for c in conflicts}),
            status=409,
        )
    messages.success(request, "Ratings saved.")
    return redirect("review_detail", pk=review.pk)


def _save(review: Review, rater: Rater, changes: list) -> list | None:
    try:
        return services.ratings_save(review=review, rater=rater, changes=changes)
    except services.ReviewLocked:
        return None


@require_http_methods(["POST"])
def review_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk)
    if review.practitioner_id != request_person(request).pk:
        raise PermissionDenied("Only the review's practitioner submits it.")
    try:
        services.review_submit(review=review)
    except (ValidationError, services.ReviewLocked) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, "Review sent to your supervisor.")
    return redirect("review_detail", pk=review.pk)


@require_http_methods(["POST"])
def review_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk)
    person = request_person(request)
    # A practitioner or line manager who reads the review is refused (403), not told it is not
    # there (404): they see it.
    if selectors.rater_in(review, person) != Rater.SUPERVISOR or not selectors.writes_in(
        review, person
    ):
        raise PermissionDenied("Only the review's named supervisor signs it off.")
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["agreed"][0]))
        return redirect("review_detail", pk=review.pk)
    try:
        services.review_sign_off(review=review, supervisor=person)
    except (ValidationError, services.ReviewLocked) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, "Review signed off and locked.")
    return redirect("review_detail", pk=review.pk)


@require_http_methods(["GET", "POST"])
def review_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The supervisor sends a submitted review back to the practitioner, saying why."""
    review = selectors.get_review_for_user(request.user, pk)
    person = request_person(request)
    if selectors.rater_in(review, person) != Rater.SUPERVISOR or not selectors.writes_in(
        review, person
    ):
        raise PermissionDenied("Only the review's named supervisor sends it back.")
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_return(
                review=review, supervisor=person, reason=form.cleaned_data["reason"]
            )
        except services.ReviewLocked as error:
            messages.error(request, str(error))
            return redirect("review_detail", pk=review.pk)
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            messages.success(request, "Review sent back to the practitioner, with your reason.")
            return redirect("review_detail", pk=review.pk)
    return render(request, "competencies/review_return.html", {"review": review, "form": form})


@require_http_methods(["GET", "POST"])
def review_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_for_user(request.user, pk)
    person = request_person(request)
    if selectors.rater_in(review, person) != Rater.SUPERVISOR or not selectors.writes_in(
        review, person
    ):
        raise PermissionDenied("Only the review's named supervisor corrects it.")
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.review_correct(review=review, reason=form.cleaned_data["reason"])
        except (ValidationError, services.ReviewLocked) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request, f"Revision {correction.revision} made; change it and sign off."
            )
            return redirect("review_detail", pk=correction.pk)
    return render(request, "competencies/review_correct.html", {"review": review, "form": form})


@require_http_methods(["GET"])
def my_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request_person(request)
    return render(
        request,
        "competencies/my_progress.html",
        {"areas": selectors.progress_with_goals(person), "person": person},
    )


@require_http_methods(["GET", "POST"])
def review_goals(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Development goals agreed from a signed-off review, with suggestions where to aim."""
    review = selectors.get_review_for_user(request.user, pk)
    person = request_person(request)
    writes = selectors.writes_in(review, person)
    if request.method == "POST" and not writes:
        raise PermissionDenied("Only the practitioner and the review's supervisor agree goals.")
    refusal = selectors.goal_refusal(review)
    grid = selectors.review_grid(review, Rater.SELF)
    suggested = selectors.goal_suggestions(grid)
    form = GoalForm(request.POST or None, grid=grid, suggested=suggested)
    saved = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_agree(
                review=review,
                competency=form.cleaned_data["competency"],
                description=form.cleaned_data["description"],
                review_on=form.cleaned_data["review_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            saved = "Goal agreed."
            if not request.htmx:
                messages.success(request, saved)
                return redirect("review_goals", pk=review.pk)
            form = GoalForm(grid=grid, suggested=suggested)
    context = {
        "review": review,
        "form": form,
        "may_agree": writes and refusal is None,
        "refusal": refusal,
        "suggested": suggested,
        "goals": selectors.review_goals(review),
        "saved": saved,
    }
    if request.htmx and request.method == "POST":
        return render(request, "competencies/review_goals.html#goals", context)
    return render(request, "competencies/review_goals.html", context)


# Frameworks -------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def framework_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    versions = frameworks.versions_for_user(request.user)
    return render(request, "competencies/framework_list.html", {"versions": versions})


@require_http_methods(["GET"])
def framework_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = frameworks.get_version_for_user(request.user, pk)
    export = request.GET.get("format")
    if export in ("json", "csv"):
        content = (
            frameworks.version_as_json(version)
            if export == "json"
            else frameworks.version_as_csv(version)
        )
        return attachment(
            content,
            filename=f"framework-{version.framework_id}-v{version.number}.{export}",
            content_type="application/json" if export == "json" else CONTENT_TYPES["csv"],
        )
    areas = version.areas.prefetch_related("competencies")
    return render(
        request, "competencies/framework_version.html", {"version": version, "areas": areas}
    )


@require_http_methods(["POST"])
@permission_required(Permission.MANAGE_FRAMEWORK)
def framework_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(FrameworkVersion, pk=pk)
    try:
        frameworks.version_publish(version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{version} published; new reviews use it from now on.")
    return redirect("framework_version", pk=version.pk)


@require_http_methods(["POST"])
@permission_required(Permission.MANAGE_FRAMEWORK)
def framework_new_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new draft copied from this version, to edit in the admin site and publish."""
    version = get_object_or_404(FrameworkVersion, pk=pk)
    try:
        draft = frameworks.version_new_draft(version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("framework_version", pk=version.pk)
    messages.success(request, f"{draft} created as a draft; edit it in the admin site.")
    return redirect("framework_version", pk=draft.pk)


@require_http_methods(["GET", "POST"])
@permission_required(Permission.MANAGE_FRAMEWORK)
def framework_import(request: HttpRequest) -> HttpResponse:
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text, file_format = form.cleaned_data["file"]
        try:
            version = frameworks.framework_import(
                text=text, file_format=file_format, name=form.cleaned_data["name"] or None
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"{version} imported as a draft.")
            return redirect("framework_version", pk=version.pk)
    return render(request, "competencies/framework_import.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required(Permission.REVIEW_OWN_PRACTICE)
def review_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask, then throw away one's own draft review."""
    review = selectors.get_review_for_user(request.user, pk)
    person = request_person(request)
    if review.practitioner_id != person.pk:
        raise PermissionDenied("Only the review's practitioner discards it.")
    if request.method == "POST":
        try:
            services.review_discard(review=review, practitioner=person)
        except services.ReviewLocked as error:
            messages.error(request, str(error))
            return redirect("review_detail", pk=review.pk)
        messages.success(request, "Draft review discarded.")
        return redirect("review_list")
    return render(request, "competencies/review_discard.html", {"review": review})
