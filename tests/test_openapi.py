"""The API's description matches the server: short stable operation ids, 401 documented on
every authenticated operation, 400 wherever a body is parsed, named sort enums."""

import re

from keyaccount.api import api


def operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_operation_ids_are_short_and_unique():
    ids = [op["operationId"] for _p, _m, op in operations()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{1,40}", i) for i in ids), ids
    assert "keyaccount" not in " ".join(ids)


def test_every_authenticated_operation_documents_401_and_every_body_400():
    for path, method, operation in operations():
        assert "401" in operation["responses"], f"{method} {path}"
        if "requestBody" in operation:
            assert "400" in operation["responses"], f"{method} {path}"


def test_sort_enums_have_names_and_say_what_they_sort_by():
    found = {}
    for path, _method, operation in operations():
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "sort":
                found[path] = parameter["schema"]["title"]
                assert "descending" in parameter["schema"]["description"]
    assert found["/api/customers/"] == "CustomerSort"
    assert found["/api/pipeline/opportunities"] == "OpportunitySort"


def test_401_answers_have_the_documented_shape(client):
    answer = client.get("/api/me")
    assert answer.status_code == 401
    assert set(answer.json()) == {"detail"}


def test_ninja_s_own_answers_speak_the_product_s_language(client):
    from django.utils import translation

    from keyaccount.core.api_errors import install  # noqa: F401  (the handlers are installed)

    with translation.override("en"):
        expected_401 = translation.gettext(
            "Sign in, or send a valid API token (Authorization: Bearer ka_…)."
        )
    answer = client.get("/api/me", headers={"Accept-Language": "en"})
    assert answer.json() == {"detail": expected_401}
    zh = client.get("/api/me", headers={"Accept-Language": "zh-hans"})
    assert zh.status_code == 401 and zh.json()["detail"] != expected_401


def test_an_unreadable_body_is_a_400_saying_so(cast, client):
    client.force_login(cast.kam)
    answer = client.post(
        "/api/customers/registrations",
        data="{not json",
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 400
    assert "cannot be read" in answer.json()["detail"] or "无法读取" in answer.json()["detail"]
