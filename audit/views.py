from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import permission_required
from accounts.roles import Permission
from audit.selectors import LIMIT, person_trail
from training.models import Person


@require_http_methods(["GET"])
@permission_required(Permission.READ_AUDIT)
def person_audit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("team"), pk=pk)
    return render(
        request,
        "audit/person.html",
        {"person": person, "entries": person_trail(person), "limit": LIMIT},
    )
