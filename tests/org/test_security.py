"""Sign-in security: argon2 hashes, lockout after failed sign-ins, history of org changes."""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client, override_settings

import keyaccount.settings as product_settings
from keyaccount.org import services

from ..conftest import PASSWORD

# --- password hashing ---------------------------------------------------------------------


def test_product_hashes_passwords_with_argon2():
    assert product_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_product_hasher_produces_argon2id_hashes():
    with override_settings(PASSWORD_HASHERS=product_settings.PASSWORD_HASHERS):
        encoded = make_password("correct horse battery staple")
        assert encoded.startswith("argon2$argon2id$")
        assert check_password("correct horse battery staple", encoded) is True
        assert check_password("wrong", encoded) is False


def test_product_still_accepts_pbkdf2_hashes_of_older_accounts():
    with override_settings(PASSWORD_HASHERS=product_settings.PASSWORD_HASHERS):
        encoded = make_password("older", hasher="pbkdf2_sha256")
        assert check_password("older", encoded) is True


# --- lockout (django-axes) ------------------------------------------------------------------


def sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.7"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def signed_in_as(client: Client) -> str | None:
    response = client.get("/", REMOTE_ADDR="10.0.0.7")
    return response.context["user"].username if response.status_code == 200 else None


def test_a_correct_password_signs_in(cast):
    client = Client()
    response = sign_in(client, "kam", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == "kam"


def test_a_wrong_password_is_refused_with_the_form_again(cast):
    client = Client()
    response = sign_in(client, "kam", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert signed_in_as(client) is None


def test_five_failures_lock_out_the_username_from_that_address(cast):
    client = Client()
    for _ in range(4):
        assert sign_in(client, "kam", "wrong").status_code == 200
    fifth = sign_in(client, "kam", "wrong")
    assert fifth.status_code == 429
    sixth = sign_in(client, "kam", PASSWORD)
    assert sixth.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in sixth.templates]
    assert '<a href="/accounts/login/" class="btn">' in sixth.content.decode()
    assert signed_in_as(client) is None


def test_lockout_does_not_block_another_username_from_the_same_address(cast):
    attacker = Client()
    for _ in range(5):
        sign_in(attacker, "kam", "wrong")
    colleague = Client()
    response = sign_in(colleague, "colleague", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(colleague) == "colleague"


def test_lockout_does_not_block_the_same_username_from_another_address(cast):
    attacker = Client()
    for _ in range(5):
        sign_in(attacker, "kam", "wrong", ip="10.0.0.66")
    client = Client()
    assert sign_in(client, "kam", PASSWORD, ip="10.0.0.7").status_code == 302


def test_four_failures_then_success_resets_the_count(cast):
    client = Client()
    for _ in range(4):
        sign_in(client, "kam", "wrong")
    assert sign_in(client, "kam", PASSWORD).status_code == 302
    client = Client()
    for _ in range(4):
        assert sign_in(client, "kam", "wrong").status_code == 200
    assert sign_in(client, "kam", PASSWORD).status_code == 302


@pytest.mark.parametrize("field", ["username", "password"])
def test_sign_in_page_does_not_say_which_field_was_wrong(cast, field):
    client = Client()
    credentials = {"username": "kam", "password": PASSWORD, field: "wrong"}
    response = client.post("/accounts/login/", credentials, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"__all__"}


def test_inactive_user_cannot_sign_in(cast):
    cast.kam.is_active = False
    cast.kam.save()
    client = Client()
    assert sign_in(client, "kam", PASSWORD).status_code == 200
    assert signed_in_as(client) is None


# --- history --------------------------------------------------------------------------------


def test_changing_an_org_unit_records_who_did_it(cast):
    cast.north.manager = cast.north_kam
    services.org_unit_save(actor=cast.admin, unit=cast.north)
    row = cast.north.history.order_by("-history_date").first()
    assert (row.history_type, row.manager_id, row.history_user) == (
        "~",
        cast.north_kam.pk,
        cast.admin,
    )
