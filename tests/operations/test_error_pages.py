"""Error pages are ours and say nothing about the code, the address asked for or the data."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import path
from django.views.defaults import server_error

from config.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db

CLUES = ("Traceback", "Django", "urlpatterns", "settings", "DEBUG", "Exception", "Request Method")


def failing_view(request):
    raise RuntimeError("secret detail from deep inside")


urlpatterns = [*site_urlpatterns, path("failing/", failing_view)]


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


def assert_reveals_nothing(html: str) -> None:
    for clue in CLUES:
        assert clue not in html


def test_an_unknown_address_gets_our_404_page_which_does_not_repeat_it(cast, as_user):
    response = as_user(cast.practitioner).get("/no-such-page-xyzzy/")

    assert response.status_code == 404
    assert template_names(response)[0] == "404.html"
    html = response.content.decode()
    assert "Page not found" in html
    assert "xyzzy" not in html
    assert_reveals_nothing(html)


def test_a_refusal_gets_our_403_page(cast, as_user):
    response = as_user(cast.practitioner).get("/roster/")

    assert response.status_code == 403
    assert template_names(response)[0] == "403.html"
    html = response.content.decode()
    assert "You cannot open this page" in html
    assert_reveals_nothing(html)


@pytest.mark.urls(__name__)
def test_a_failure_gets_our_500_page_with_no_details(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.practitioner.user)

    response = client.get("/failing/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "secret detail" not in html
    assert "RuntimeError" not in html
    assert_reveals_nothing(html)


def test_the_500_page_needs_neither_the_database_nor_the_request(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "{%" not in html
