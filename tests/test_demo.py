"""The `demo` command: a demo company in an empty database, never in production."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from keyaccount.demo import DemoRefusedError, load_demo
from keyaccount.org.demo import UNITS, USERS
from keyaccount.org.models import OrgUnit, User


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_into_an_empty_database_and_prints_the_logins(db):
    output = run_demo()
    assert "Demo data loaded." in output
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(
        u.username for u in USERS
    )
    assert set(OrgUnit.objects.values_list("name", flat=True)) == {u[0] for u in UNITS}
    assert f"Demo logins (password for all: {settings.DEMO_PASSWORD})" in output
    for spec in USERS:
        assert re.search(rf"^  {re.escape(spec.username)}\s+{spec.display_name}", output, re.M)

    # A second run finds users and refuses, changing nothing.
    with pytest.raises(CommandError, match="The database already has users"):
        run_demo()
    assert User.objects.count() == len(USERS)

    # With --if-empty it succeeds and loads nothing.
    output = run_demo("--if-empty")
    assert "Database already has data: demo data not loaded." in output
    assert "Demo data loaded." not in output
    assert User.objects.count() == len(USERS)
    assert OrgUnit.objects.count() == len(UNITS)


def test_demo_refuses_when_any_user_exists(db):
    User.objects.create_user(username="someone", password="x")
    with pytest.raises(CommandError, match="already has users"):
        run_demo()
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]


def test_demo_if_empty_succeeds_and_loads_nothing_when_a_user_exists(db):
    User.objects.create_user(username="someone", password="x")
    output = run_demo("--if-empty")
    assert "Database already has data: demo data not loaded." in output
    assert "Demo data loaded." not in output
    assert "Demo logins" in output
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]
    assert OrgUnit.objects.count() == 0


@override_settings(PRODUCTION=True)
def test_demo_refuses_in_production_mode(db):
    with pytest.raises(CommandError, match="never loaded in production mode"):
        run_demo()
    assert User.objects.count() == 0
    assert OrgUnit.objects.count() == 0


@override_settings(PRODUCTION=True)
def test_demo_if_empty_refuses_in_production_mode_too(db):
    with pytest.raises(CommandError, match="never loaded in production mode"):
        run_demo("--if-empty")
    assert User.objects.count() == 0


@override_settings(PRODUCTION=True)
def test_load_demo_itself_refuses_in_production_mode(db):
    with pytest.raises(DemoRefusedError):
        load_demo(password="x")
    assert User.objects.count() == 0


def test_demo_logins_only_prints_and_loads_nothing(db):
    output = run_demo("--logins")
    assert "zhou.jian" in output
    assert "Demo data loaded." not in output
    assert User.objects.count() == 0
