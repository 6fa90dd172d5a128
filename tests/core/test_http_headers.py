"""What every answer says about caching, and how ordinary refusals are logged."""

import logging

import pytest


@pytest.mark.parametrize("url", ["/", "/customers/", "/pipeline/", "/org/"])
def test_signed_in_pages_are_never_stored_by_a_cache(cast, client_for, url):
    response = client_for(cast.kam).get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_api_answers_are_never_stored_by_a_cache(cast, client_for):
    signed_in = client_for(cast.kam).get("/api/me")
    anonymous = client_for(None).get("/api/me")
    assert signed_in["Cache-Control"] == "private, no-store"
    assert anonymous.status_code == 401 and anonymous["Cache-Control"] == "private, no-store"


def test_a_404_is_logged_as_one_line_without_a_traceback(cast, client_for, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(cast.outsider).get("/customers/999999/")
    assert response.status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None for r in records)
    assert "\n" not in records[0].getMessage()
