"""The organisation back office: saves go through the services, with their checks and history."""

import pytest

from keyaccount.org.models import ApiToken, OrgUnit, Role, RoleAssignment
from keyaccount.org.services import api_token_create

from ..core.html_forms import form_data, submit


@pytest.fixture
def admin_client(cast, client_for):
    cast.admin.language = "en"
    cast.admin.save()
    return client_for(cast.admin)


def unit_url(unit: OrgUnit) -> str:
    return f"/admin/org/orgunit/{unit.pk}/change/"


def test_saving_an_org_unit_unchanged_succeeds(cast, admin_client):
    data = form_data(admin_client, unit_url(cast.east), "orgunit_form")
    assert submit(admin_client, unit_url(cast.east), data).status_code == 302
    cast.east.refresh_from_db()
    assert (cast.east.name, cast.east.parent, cast.east.manager) == (
        "华东团队",
        cast.ka_dept,
        cast.team_lead,
    )


def test_changing_an_org_unit_records_the_administrator_in_history(cast, admin_client):
    data = form_data(admin_client, unit_url(cast.north), "orgunit_form")
    data["name"] = ["华北大区"]

    assert submit(admin_client, unit_url(cast.north), data).status_code == 302

    cast.north.refresh_from_db()
    assert cast.north.name == "华北大区"
    row = cast.north.history.order_by("-history_date").first()
    assert (row.name, row.history_type, row.history_user) == ("华北大区", "~", cast.admin)


def test_moving_a_unit_below_itself_is_refused_with_the_units_named(cast, admin_client):
    history_rows = cast.ka_dept.history.count()
    data = form_data(admin_client, unit_url(cast.ka_dept), "orgunit_form")
    data["parent"] = [str(cast.east.pk)]

    response = submit(admin_client, unit_url(cast.ka_dept), data)

    assert response.status_code == 200
    assert "“华东团队” is inside “大客户部”: a unit cannot be moved below itself." in (
        response.content.decode()
    )
    cast.ka_dept.refresh_from_db()
    assert cast.ka_dept.parent == cast.company
    assert cast.ka_dept.history.count() == history_rows


def user_url(user) -> str:
    return f"/admin/org/user/{user.pk}/change/"


def test_giving_a_user_a_department_head_role_without_a_unit_is_refused(cast, admin_client):
    data = form_data(admin_client, user_url(cast.colleague), "user_form")
    new_row = int(data["role_assignments-TOTAL_FORMS"][0]) - 1
    data[f"role_assignments-{new_row}-role"] = [str(Role.objects.get(code="department_head").pk)]
    data[f"role_assignments-{new_row}-unit"] = [""]

    response = submit(admin_client, user_url(cast.colleague), data)

    assert response.status_code == 200
    assert (
        "This role covers an org unit: choose the department it is responsible for."
        in response.content.decode()
    )
    assert list(
        RoleAssignment.objects.filter(user=cast.colleague).values_list("role__code", flat=True)
    ) == ["kam"]


def test_giving_a_user_a_department_head_role_with_a_unit_is_saved(cast, admin_client):
    data = form_data(admin_client, user_url(cast.colleague), "user_form")
    new_row = int(data["role_assignments-TOTAL_FORMS"][0]) - 1
    data[f"role_assignments-{new_row}-role"] = [str(Role.objects.get(code="department_head").pk)]
    data[f"role_assignments-{new_row}-unit"] = [str(cast.north.pk)]

    assert submit(admin_client, user_url(cast.colleague), data).status_code == 302
    assert set(
        RoleAssignment.objects.filter(user=cast.colleague).values_list("role__code", "unit")
    ) == {("kam", None), ("department_head", cast.north.pk)}


def test_api_tokens_in_the_back_office_never_show_a_key(cast, admin_client):
    issued = api_token_create(actor=cast.kam, name="script")
    response = admin_client.get(f"/admin/org/apitoken/{issued.token.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert issued.key not in body
    assert issued.token.key_hash not in body
    assert admin_client.get("/admin/org/apitoken/add/").status_code == 403
    assert ApiToken.objects.count() == 1


def test_roles_cannot_be_added_or_deleted_in_the_back_office(cast, admin_client):
    role = Role.objects.get(code="kam")
    assert admin_client.get("/admin/org/role/add/").status_code == 403
    assert admin_client.get(f"/admin/org/role/{role.pk}/delete/").status_code == 403
