"""Writes about the organisation: API tokens, language, org units, role assignments."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from keyaccount.org import services
from keyaccount.org.models import ApiToken, OrgUnit, RoleAssignment
from keyaccount.org.rules import RoleCode


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- api_token_create ---------------------------------------------------------------------


def test_api_token_create_returns_the_key_once_and_stores_only_its_hash(cast):
    issued = services.api_token_create(actor=cast.kam, name="finance import")
    assert issued.key.startswith("ka_")
    assert len(issued.key) > 40
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert (token.user, token.name, token.prefix) == (cast.kam, "finance import", issued.key[:10])
    assert token.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(issued.key not in str(value) for value in stored.values())


def test_api_token_create_gives_a_new_key_each_time(cast):
    first = services.api_token_create(actor=cast.kam, name="one")
    second = services.api_token_create(actor=cast.kam, name="two")
    assert first.key != second.key
    assert first.token.key_hash != second.token.key_hash


def test_api_token_create_strips_the_name(cast):
    assert services.api_token_create(actor=cast.kam, name="  nightly sync  ").token.name == (
        "nightly sync"
    )


def test_api_token_create_refuses_a_duplicate_active_name(cast):
    services.api_token_create(actor=cast.kam, name="finance import")
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_create(actor=cast.kam, name="finance import")
    assert excinfo.value.message_dict == {
        "name": ["You already have an active token with this name."]
    }
    assert ApiToken.objects.filter(user=cast.kam).count() == 1


def test_api_token_create_allows_a_name_used_by_a_revoked_token(cast):
    old = services.api_token_create(actor=cast.kam, name="finance import")
    services.api_token_revoke(actor=cast.kam, token=old.token)
    new = services.api_token_create(actor=cast.kam, name="finance import")
    assert new.token.pk != old.token.pk


def test_api_token_create_allows_the_same_name_for_another_user(cast):
    services.api_token_create(actor=cast.kam, name="finance import")
    services.api_token_create(actor=cast.colleague, name="finance import")
    assert ApiToken.objects.filter(name="finance import").count() == 2


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_api_token_create_refuses_an_empty_name(cast, name):
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_create(actor=cast.kam, name=name)
    assert excinfo.value.message_dict == {
        "name": ["Give the token a name, e.g. the script that uses it."]
    }
    assert ApiToken.objects.count() == 0


def test_api_token_create_refuses_a_name_over_60_characters(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_create(actor=cast.kam, name="x" * 61)
    assert excinfo.value.message_dict == {"name": ["The name can be at most 60 characters."]}
    assert services.api_token_create(actor=cast.kam, name="x" * 60).token.name == "x" * 60


# --- api_token_authenticate -----------------------------------------------------------------


@pytest.fixture
def issued(cast):
    return services.api_token_create(actor=cast.kam, name="script")


def test_api_token_authenticate_returns_the_tokens_user(cast, issued):
    assert services.api_token_authenticate(issued.key) == cast.kam


def test_api_token_authenticate_records_last_use(cast, issued):
    before = timezone.now()
    services.api_token_authenticate(issued.key)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None
    assert before <= issued.token.last_used_at <= timezone.now()


def test_api_token_authenticate_refuses_a_revoked_token(cast, issued):
    services.api_token_revoke(actor=cast.kam, token=issued.token)
    assert services.api_token_authenticate(issued.key) is None


def test_api_token_authenticate_refuses_an_inactive_user(cast, issued):
    cast.kam.is_active = False
    cast.kam.save()
    assert services.api_token_authenticate(issued.key) is None


@pytest.mark.parametrize(
    "transform",
    [
        lambda key: key[3:],  # without the ka_ prefix
        lambda key: "xx_" + key[3:],  # wrong prefix
        lambda key: key + "x",  # a different key
        lambda key: key[:-1],
        lambda key: key.upper(),
        lambda key: "",
    ],
)
def test_api_token_authenticate_refuses_wrong_keys(cast, issued, transform):
    assert services.api_token_authenticate(transform(issued.key)) is None


def test_api_token_authenticate_without_the_prefix_does_not_query(
    issued, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert services.api_token_authenticate(issued.key[3:]) is None


def test_api_token_authenticate_writes_last_use_at_most_once_a_minute(
    cast, issued, django_assert_num_queries
):
    with django_assert_num_queries(2):  # read + record the use
        services.api_token_authenticate(issued.key)
    issued.token.refresh_from_db()
    first_use = issued.token.last_used_at
    with django_assert_num_queries(1):  # read only
        assert services.api_token_authenticate(issued.key) == cast.kam
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == first_use


def test_api_token_authenticate_records_use_again_after_a_minute(cast, issued):
    a_while_ago = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=a_while_ago)
    services.api_token_authenticate(issued.key)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at > a_while_ago + timedelta(seconds=60)


# --- api_token_revoke -------------------------------------------------------------------------


def test_api_token_revoke_revokes_my_token(cast, issued):
    services.api_token_revoke(actor=cast.kam, token=issued.token)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert issued.token.is_active is False


def test_api_token_revoke_twice_keeps_the_first_time(cast, issued):
    services.api_token_revoke(actor=cast.kam, token=issued.token)
    first = ApiToken.objects.get(pk=issued.token.pk).revoked_at
    services.api_token_revoke(actor=cast.kam, token=ApiToken.objects.get(pk=issued.token.pk))
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at == first


@pytest.mark.parametrize("role", ["colleague", "team_lead", "head", "admin"])
def test_api_token_revoke_of_someone_elses_token_is_refused(cast, issued, role):
    with pytest.raises(PermissionError):
        services.api_token_revoke(actor=cast.roles()[role], token=issued.token)
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None
    assert services.api_token_authenticate(issued.key) == cast.kam


# --- user_set_language ------------------------------------------------------------------------


def test_user_set_language_saves_the_preference_with_history(cast):
    services.user_set_language(user=cast.kam, language="en")
    cast.kam.refresh_from_db()
    assert cast.kam.language == "en"
    row = cast.kam.history.order_by("-history_date").first()
    assert (row.language, row.history_user) == ("en", cast.kam)


def test_user_set_language_to_the_same_language_writes_nothing(cast):
    history_rows = cast.kam.history.count()
    with CaptureQueriesContext(connection) as queries:
        services.user_set_language(user=cast.kam, language="zh-hans")
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"UPDATE", "INSERT"}]
    assert writes == []
    assert cast.kam.history.count() == history_rows


@pytest.mark.parametrize("language", ["fr", "zh", "EN", "zh-Hans ", ""])
def test_user_set_language_refuses_an_unknown_language(cast, language):
    with pytest.raises(ValidationError) as excinfo:
        services.user_set_language(user=cast.kam, language=language)
    assert excinfo.value.message_dict == {"language": [f"Unknown language: {language}"]}
    cast.kam.refresh_from_db()
    assert cast.kam.language == "zh-hans"


# --- org units ----------------------------------------------------------------------------------


def test_validate_org_unit_parent_refuses_a_cycle_naming_the_units(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.validate_org_unit_parent(cast.ka_dept, cast.east)
    assert excinfo.value.message_dict == {
        "parent": ["“华东团队” is inside “大客户部”: a unit cannot be moved below itself."]
    }


def test_validate_org_unit_parent_refuses_the_unit_itself(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.validate_org_unit_parent(cast.east, cast.east)
    assert excinfo.value.message_dict == {
        "parent": ["“华东团队” is inside “华东团队”: a unit cannot be moved below itself."]
    }


def test_validate_org_unit_parent_refuses_moving_the_company_below_a_team(cast):
    with pytest.raises(ValidationError):
        services.validate_org_unit_parent(cast.company, cast.north)


@pytest.mark.parametrize("parent", ["marketing", "company", None])
def test_validate_org_unit_parent_accepts_a_sideways_move(cast, parent):
    services.validate_org_unit_parent(cast.east, getattr(cast, parent) if parent else None)


def test_validate_org_unit_parent_accepts_anything_for_a_new_unit(cast):
    services.validate_org_unit_parent(OrgUnit(name="new"), cast.east)


def test_org_unit_save_refuses_a_cycle_and_changes_nothing(cast):
    cast.ka_dept.parent = cast.north
    with pytest.raises(ValidationError):
        services.org_unit_save(actor=cast.admin, unit=cast.ka_dept)
    assert OrgUnit.objects.get(pk=cast.ka_dept.pk).parent == cast.company


def test_org_unit_save_moves_a_team(cast):
    cast.north.parent = cast.marketing
    services.org_unit_save(actor=cast.admin, unit=cast.north)
    assert OrgUnit.objects.get(pk=cast.north.pk).parent == cast.marketing


def test_org_unit_save_refuses_a_duplicate_name_in_the_same_parent(cast):
    twin = OrgUnit(name="华东团队", parent=cast.ka_dept)
    with pytest.raises(ValidationError):
        services.org_unit_save(actor=cast.admin, unit=twin)
    assert OrgUnit.objects.filter(name="华东团队").count() == 1


def test_org_unit_save_records_history_with_the_actor(cast):
    cast.east.name = "华东一部"
    services.org_unit_save(actor=cast.admin, unit=cast.east)
    row = cast.east.history.order_by("-history_date").first()
    assert (row.name, row.history_type, row.history_user) == ("华东一部", "~", cast.admin)
    previous = row.prev_record
    assert previous.name == "华东团队"


def test_org_unit_save_creates_a_unit_with_history(cast):
    unit = services.org_unit_save(
        actor=cast.admin, unit=OrgUnit(name="华南团队", parent=cast.ka_dept)
    )
    row = unit.history.get()
    assert (row.history_type, row.history_user, row.parent_id) == ("+", cast.admin, cast.ka_dept.pk)


# --- role assignments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [RoleCode.DEPARTMENT_HEAD, RoleCode.DEPARTMENT_ASSISTANT, RoleCode.SALES_DIRECTOR]
)
def test_validate_role_assignment_refuses_a_unit_wide_role_without_a_unit(role):
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.validate_role_assignment(role_code=role, unit=None)
    assert excinfo.value.message_dict == {
        "unit": ["This role covers an org unit: choose the department it is responsible for."]
    }


@pytest.mark.parametrize(
    "role", [RoleCode.KAM, RoleCode.CONSULTANT, RoleCode.SENIOR_KAM, RoleCode.ADMINISTRATOR]
)
def test_validate_role_assignment_accepts_other_roles_without_a_unit(role):
    services.validate_role_assignment(role_code=role, unit=None)


def test_role_assign_refuses_a_department_head_without_a_unit(cast):
    before = RoleAssignment.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.role_assign(actor=cast.admin, user=cast.colleague, role_code="department_head")
    assert list(excinfo.value.message_dict) == ["unit"]
    assert RoleAssignment.objects.count() == before


def test_role_assign_gives_a_department_head_their_department(cast):
    assignment = services.role_assign(
        actor=cast.admin, user=cast.colleague, role_code="department_head", unit=cast.ka_dept
    )
    assert (assignment.user, assignment.role.code, assignment.unit) == (
        cast.colleague,
        "department_head",
        cast.ka_dept,
    )


def test_role_assign_twice_keeps_one_assignment(cast):
    first = services.role_assign(actor=cast.admin, user=cast.colleague, role_code="senior_kam")
    second = services.role_assign(actor=cast.admin, user=cast.colleague, role_code="senior_kam")
    assert first.pk == second.pk
    assert sorted(
        RoleAssignment.objects.filter(user=cast.colleague).values_list("role__code", flat=True)
    ) == ["kam", "senior_kam"]
