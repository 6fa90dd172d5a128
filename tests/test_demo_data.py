"""The demo company as loaded: users, roles, units and sign-in (loaded once for this module)."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from keyaccount.demo import load_demo
from keyaccount.org.demo import KA_DEPT, TEAM_EAST, TEAM_NORTH, USERS
from keyaccount.org.models import OrgUnit, RoleAssignment, User
from keyaccount.org.rules import RoleCode
from keyaccount.org.selectors import scope_for


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """Load the demo once; every test runs in a savepoint inside this rolled-back transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(password=settings.DEMO_PASSWORD)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return USERS


@pytest.mark.parametrize("spec", USERS, ids=lambda spec: spec.username)
def test_demo_users_can_sign_in_with_the_demo_password(demo, spec):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": spec.username, "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"].username == spec.username


@pytest.mark.parametrize("spec", USERS, ids=lambda spec: spec.username)
def test_demo_users_have_their_role_unit_and_managed_units(demo, spec):
    user = User.objects.get(username=spec.username)
    assert user.unit.name == spec.unit
    assert user.display_name == spec.display_name
    assignments = [
        (a.role.code, a.unit.name if a.unit else None)
        for a in RoleAssignment.objects.filter(user=user).select_related("role", "unit")
    ]
    assert assignments == [(spec.role, spec.covers)]
    assert list(user.managed_units.values_list("name", flat=True)) == (
        [spec.manages] if spec.manages else []
    )
    assert (user.is_staff, user.is_superuser) == (spec.staff, spec.staff)


def test_demo_department_head_manages_and_covers_the_ka_department(demo):
    head = User.objects.get(username="zhou.jian")
    ka_dept = OrgUnit.objects.get(name=KA_DEPT)
    assert ka_dept.manager == head
    assert RoleAssignment.objects.get(user=head).role.code == RoleCode.DEPARTMENT_HEAD
    scope = scope_for(head)
    names = set(OrgUnit.objects.filter(pk__in=scope.unit_ids).values_list("name", flat=True))
    assert names == {KA_DEPT, TEAM_EAST, TEAM_NORTH}


def test_demo_teams_sit_under_the_ka_department_in_their_regions(demo):
    east = OrgUnit.objects.select_related("parent", "region", "manager").get(name=TEAM_EAST)
    north = OrgUnit.objects.select_related("parent", "region", "manager").get(name=TEAM_NORTH)
    assert (east.parent.name, east.region.code, east.manager.username) == (
        KA_DEPT,
        "CN-E",
        "chen.hao",
    )
    assert (north.parent.name, north.region.code, north.manager.username) == (
        KA_DEPT,
        "CN-N",
        "zhang.wei",
    )


def test_demo_administrator_sees_everything(demo):
    assert scope_for(User.objects.get(username="admin")).everything is True


def test_demo_has_an_import_with_a_rejected_row_and_its_registrations_waiting(demo):
    from keyaccount.customers.models import ImportBatch, RegistrationRequest
    from keyaccount.transfer.demo import LEADS

    batch = ImportBatch.objects.get(user__username="liu.yang")
    assert batch.state == ImportBatch.State.DONE
    assert batch.result["rejected"] == 1
    assert batch.result["counts"] == {"customers_created": len(LEADS)}
    waiting = RegistrationRequest.objects.filter(
        decision="pending", customer__name__in=[name for name, *_rest in LEADS]
    )
    assert waiting.count() == len(LEADS)
    client = Client()
    client.force_login(User.objects.get(username="liu.yang"))
    page = client.get(f"/customers/import/?batch={batch.pk}").content.decode()
    assert 'data-testid="import-result"' in page


def test_demo_has_deals_moved_in_from_the_old_crm_with_a_saved_mapping(demo):
    from keyaccount.customers.models import ImportMapping
    from keyaccount.pipeline.models import Contract, Opportunity
    from keyaccount.pipeline.rules import Move
    from keyaccount.transfer.demo import LEGACY_DEALS, LEGACY_MAPPING

    names = [deal for _account, deal, *_rest in LEGACY_DEALS]
    deals = Opportunity.objects.filter(name__in=names)
    assert deals.count() == len(LEGACY_DEALS)
    assert {d.status for d in deals} == {"won", "lost", "open"}
    assert all(d.transitions.get().kind == Move.IMPORTED for d in deals)
    assert Contract.objects.filter(number="HR-2025-031", opportunity__status="won").exists()
    assert deals.get(name="新一代用电信息采集主站").amount == 18_500_000
    assert ImportMapping.objects.get(name=LEGACY_MAPPING).created_by.username == "zhao.min"


def test_demo_has_the_legacy_contracts_payment_milestones_some_collected(demo):
    from keyaccount.pipeline.models import PaymentMilestone

    milestones = PaymentMilestone.objects.filter(contract__number__startswith="HR-2025-")
    assert milestones.count() == 5
    deposit = milestones.get(contract__number="HR-2025-031", name="预付款")
    assert deposit.amount == 1_860_000 and deposit.collected_amount == 1_860_000
    assert milestones.filter(collected_on__isnull=True, accepted_on__isnull=False).exists()
    assert milestones.filter(collected_on__isnull=True, accepted_on__isnull=True).exists()
