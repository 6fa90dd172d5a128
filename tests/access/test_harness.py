"""The harness checks itself: a matrix whose snapshot or redirect check saw nothing would pass
for the wrong reason."""

from django.contrib.sessions.models import Session

from keyaccount.org.models import ApiToken, OrgUnit
from keyaccount.org.services import api_token_create

from .harness import diff, login_location, snapshot, tracked_tables
from .registry import ROLES, ROUTES, SIGNED_IN


def test_snapshot_sees_inserts_updates_and_deletes(cast):
    start = snapshot()
    token = api_token_create(actor=cast.kam, name="probe").token
    inserted = snapshot()
    assert diff(start, inserted) == ["org.ApiToken: 0 → 1 rows"]

    ApiToken.objects.filter(pk=token.pk).update(name="renamed")
    assert diff(inserted, snapshot()) == ["org.ApiToken: 1 → 1 rows (contents)"]

    ApiToken.objects.filter(pk=token.pk).delete()
    assert diff(start, snapshot()) == []


def test_snapshot_sees_history_and_many_to_many_tables(cast):
    labels = {label for label, _ in tracked_tables()}
    assert {"org.User", "org.HistoricalUser", "org.OrgUnit", "org.ApiToken"} <= labels
    assert {"process.Stage", "process.Stage_roles", "toyapp.Deal", "admin.LogEntry"} <= labels
    before = snapshot()
    cast.east.name = "renamed"
    cast.east.save()  # a history row too
    changed = diff(before, snapshot())
    assert "org.OrgUnit: 5 → 5 rows (contents)" in changed
    assert any(line.startswith("org.HistoricalOrgUnit:") for line in changed)


def test_snapshot_ignores_sessions_and_axes(cast):
    labels = {label for label, _ in tracked_tables()}
    assert not any(label.startswith(("sessions.", "axes.")) for label in labels)
    before = snapshot()
    Session.objects.all().delete()
    assert snapshot() == before


def test_login_locations():
    assert login_location("/org/", "<login>") == "/accounts/login/?next=/org/"
    assert login_location("/admin/", "<admin login>") == "/admin/login/?next=/admin/"


def test_registry_is_complete_per_role():
    assert "anonymous" in ROLES and len(SIGNED_IN) == 11
    for route in ROUTES:
        assert set(route.expect) == set(ROLES), route.name
        assert route.method in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def test_units_fixture_is_the_conftest_org(cast):
    """The shared cast (tests/access/conftest.py) is the org of tests/conftest.py."""
    assert cast.east.parent_id == cast.ka_dept.pk
    assert cast.marketing.parent_id == cast.company.pk
    assert cast.east.manager_id == cast.team_lead.pk
    assert OrgUnit.objects.count() == 5
    assert cast.admin.is_superuser and cast.admin.is_staff
