"""Editing the playbook in the back office: changes show at once; breaking edits are refused.

Each POST is built from the form the admin page really renders (management forms included),
as a browser would submit it, then changed where the test says.
"""

import pytest

from keyaccount.process.models import ExitCriterion, Stage, Step

from ..core.html_forms import form_data, submit

CHANGELIST = "/admin/process/stage/"


@pytest.fixture
def admin_client(cast, client_for):
    cast.admin.language = "en"
    cast.admin.save()
    return client_for(cast.admin)


def snapshot():
    """Everything an edit could change, to show that a refused edit changed nothing."""
    return (
        list(Stage.objects.order_by("pk").values_list("code", "order", "probability", "norm_days")),
        list(ExitCriterion.objects.order_by("pk").values_list("pk", "stage_id", "text_en")),
        list(Step.objects.order_by("pk").values_list("pk", "stage_id", "order")),
    )


def changelist_row(data: dict[str, list[str]], stage: Stage) -> str:
    """The form prefix (``form-3``) of a stage's row in the changelist."""
    for name, values in data.items():
        if name.endswith("-id") and values == [str(stage.pk)]:
            return name.removesuffix("-id")
    raise AssertionError(f"{stage.code} is not on the changelist")


# --- the changelist -------------------------------------------------------------------------


def test_changelist_lists_the_six_stages_editable(admin_client):
    data = form_data(admin_client, CHANGELIST, "changelist-form")
    assert data["form-TOTAL_FORMS"] == ["6"]
    assert data["form-INITIAL_FORMS"] == ["6"]
    assert sorted(k.split("-")[2] for k in data if k.startswith("form-0-")) == [
        "id",
        "norm_days",
        "order",
        "probability",
    ]


def test_changing_a_probability_in_the_list_shows_at_once_on_the_playbook(
    cast, admin_client, client_for
):
    stage = Stage.objects.get(code="initiation")
    data = form_data(admin_client, CHANGELIST, "changelist-form")
    data[f"{changelist_row(data, stage)}-probability"] = ["30"]

    response = submit(admin_client, CHANGELIST, data)

    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.probability == 30
    assert stage.history.order_by("-history_date").first().history_user == cast.admin
    cast.kam.language = "en"
    cast.kam.save()
    body = client_for(cast.kam).get("/process/").content.decode()
    assert "Project initiation · 30%" in body
    assert "Project initiation · 25%" not in body


def test_reordering_two_stages_in_the_list_is_allowed(admin_client):
    tender, negotiation = Stage.objects.get(code="tender"), Stage.objects.get(code="negotiation")
    data = form_data(admin_client, CHANGELIST, "changelist-form")
    data[f"{changelist_row(data, tender)}-order"] = ["5"]
    data[f"{changelist_row(data, negotiation)}-order"] = ["4"]

    assert submit(admin_client, CHANGELIST, data).status_code == 302
    assert list(Stage.objects.order_by("order").values_list("code", flat=True))[3:5] == [
        "negotiation",
        "tender",
    ]


def test_two_stages_with_the_same_order_are_refused_in_the_list(admin_client):
    before = snapshot()
    data = form_data(admin_client, CHANGELIST, "changelist-form")
    data[f"{changelist_row(data, Stage.objects.get(code='initiation'))}-order"] = ["1"]

    response = submit(admin_client, CHANGELIST, data)

    assert response.status_code == 200
    assert (
        "2 stages share the order 1 (Customer development、Project initiation); each needs its own."
    ) in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("probability", "150", "Ensure this value is less than or equal to 100."),
        ("probability", "-1", "Ensure this value is greater than or equal to 0."),
        ("norm_days", "0", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_out_of_range_values_are_refused_in_the_list(admin_client, field, value, message):
    before = snapshot()
    data = form_data(admin_client, CHANGELIST, "changelist-form")
    data[f"{changelist_row(data, Stage.objects.get(code='tender'))}-{field}"] = [value]

    response = submit(admin_client, CHANGELIST, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


# --- the change form ------------------------------------------------------------------------


def change_url(stage: Stage) -> str:
    return f"/admin/process/stage/{stage.pk}/change/"


def test_saving_the_change_form_unchanged_succeeds_and_changes_nothing(admin_client):
    stage = Stage.objects.get(code="development")
    before = snapshot()
    data = form_data(admin_client, change_url(stage), "stage_form")
    assert data["criteria-TOTAL_FORMS"] == [str(stage.criteria.count())]
    assert data["steps-TOTAL_FORMS"] == ["3"]

    response = submit(admin_client, change_url(stage), data)

    assert response.status_code == 302
    assert snapshot() == before
    assert Stage.objects.get(pk=stage.pk).objective_zh == stage.objective_zh


def test_deleting_all_exit_criteria_of_a_stage_is_refused(admin_client):
    stage = Stage.objects.get(code="development")
    before = snapshot()
    data = form_data(admin_client, change_url(stage), "stage_form")
    for n in range(int(data["criteria-INITIAL_FORMS"][0])):
        data[f"criteria-{n}-DELETE"] = ["on"]

    response = submit(admin_client, change_url(stage), data)

    assert response.status_code == 200
    assert (
        "Stage “Customer development” has no exit criteria: a gate needs at least one, "
        "or nobody can tell when the stage is done."
    ) in response.content.decode()
    assert snapshot() == before


def test_deleting_all_but_one_exit_criterion_is_allowed(admin_client):
    stage = Stage.objects.get(code="initiation")
    keep = stage.criteria.order_by("order").first()
    data = form_data(admin_client, change_url(stage), "stage_form")
    for n in range(int(data["criteria-INITIAL_FORMS"][0])):
        if data[f"criteria-{n}-id"] != [str(keep.pk)]:
            data[f"criteria-{n}-DELETE"] = ["on"]

    assert submit(admin_client, change_url(stage), data).status_code == 302
    assert list(stage.criteria.all()) == [keep]


def test_a_probability_of_150_is_refused_in_the_change_form(admin_client):
    stage = Stage.objects.get(code="proposal")
    before = snapshot()
    data = form_data(admin_client, change_url(stage), "stage_form")
    data["probability"] = ["150"]

    response = submit(admin_client, change_url(stage), data)

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    assert snapshot() == before


def test_giving_a_stage_the_order_of_another_is_refused_in_the_change_form(admin_client):
    stage = Stage.objects.get(code="implementation")
    before = snapshot()
    data = form_data(admin_client, change_url(stage), "stage_form")
    data["order"] = ["3"]

    response = submit(admin_client, change_url(stage), data)

    assert response.status_code == 200
    assert "2 stages share the order 3 (Proposal、Implementation); each needs its own." in (
        response.content.decode()
    )
    assert snapshot() == before


def test_two_steps_with_the_same_order_are_refused_in_the_change_form(admin_client):
    stage = Stage.objects.get(code="development")
    before = snapshot()
    data = form_data(admin_client, change_url(stage), "stage_form")
    data["steps-1-order"] = data["steps-0-order"]

    response = submit(admin_client, change_url(stage), data)

    assert response.status_code == 200
    assert "Stage “Customer development”: 2 steps share the order 1." in response.content.decode()
    assert snapshot() == before


def test_renaming_a_stage_in_the_change_form_shows_on_the_playbook(cast, admin_client, client_for):
    stage = Stage.objects.get(code="tender")
    data = form_data(admin_client, change_url(stage), "stage_form")
    data["name_en"] = ["Bidding"]

    assert submit(admin_client, change_url(stage), data).status_code == 302
    cast.kam.language = "en"
    cast.kam.save()
    assert "Bidding · 60%" in client_for(cast.kam).get("/process/").content.decode()


def test_only_the_last_stage_cannot_be_deleted(admin_client):
    # Deleting is allowed while more than one stage exists; the last one can never go.
    stage = Stage.objects.get(code="implementation")
    assert admin_client.get(f"/admin/process/stage/{stage.pk}/delete/").status_code == 200
    Stage.objects.exclude(pk=stage.pk).delete()
    assert admin_client.get(f"/admin/process/stage/{stage.pk}/delete/").status_code == 403


@pytest.mark.parametrize("role", ["head", "director", "kam"])
def test_non_staff_cannot_open_the_playbook_back_office(cast, client_for, role):
    response = client_for(cast.roles()[role]).get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- adding a stage -------------------------------------------------------------------------

ADD = "/admin/process/stage/add/"


def new_stage_data(admin_client, *, criteria: int) -> dict[str, list[str]]:
    data = form_data(admin_client, ADD, "stage_form")
    data.update(
        code=["after_sales"],
        order=["7"],
        probability=["100"],
        norm_days=["90"],
        name_zh=["售后服务"],
        name_en=["After-sales service"],
    )
    data["criteria-TOTAL_FORMS"] = [str(criteria)]
    for n in range(criteria):
        data[f"criteria-{n}-order"] = [str(n + 1)]
        data[f"criteria-{n}-text_zh"] = [f"条件{n}"]
        data[f"criteria-{n}-text_en"] = [f"Check {n}"]
        data[f"criteria-{n}-mandatory"] = ["on"]
    return data


def test_adding_a_stage_with_an_exit_criterion(admin_client):
    response = submit(admin_client, ADD, new_stage_data(admin_client, criteria=1))
    assert response.status_code == 302
    stage = Stage.objects.get(code="after_sales")
    assert (stage.order, stage.name_en) == (7, "After-sales service")
    assert list(stage.criteria.values_list("text_en", "mandatory")) == [("Check 0", True)]


def test_adding_a_stage_without_exit_criteria_is_refused(admin_client):
    before = snapshot()
    response = submit(admin_client, ADD, new_stage_data(admin_client, criteria=0))
    assert response.status_code == 200
    assert (
        "Stage “After-sales service” has no exit criteria: a gate needs at least one, "
        "or nobody can tell when the stage is done."
    ) in response.content.decode()
    assert snapshot() == before


def test_adding_a_stage_with_a_taken_order_is_refused(admin_client):
    before = snapshot()
    data = new_stage_data(admin_client, criteria=1)
    data["order"] = ["2"]
    response = submit(admin_client, ADD, data)
    assert response.status_code == 200
    assert "2 stages share the order 2 (Project initiation、After-sales service)" in (
        response.content.decode()
    )
    assert snapshot() == before
