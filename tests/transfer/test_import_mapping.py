"""Another system's file brought in by mapping alone: the sheet given a kind, its columns
mapped, its unknown values mapped to stages and people, the unit of its amounts, the mapping
saved by name and reused on the next file; and bad mapping input refused, changing nothing."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from keyaccount.customers.models import ImportBatch, ImportMapping
from keyaccount.pipeline.models import Opportunity
from keyaccount.transfer import importing
from keyaccount.transfer.mapping_form import MappingFormError, read_form

from ..pipeline_support import registered_customer
from .test_import import IMPORT, csv_bytes

HEADER = ["Company", "Title", "Rep", "Phase", "Size (10k CNY)", "Opened", "Expected close"]


@pytest.fixture
def grid(cast):
    return registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=0)


def other_crm(customer_name: str) -> bytes:
    return csv_bytes(
        [
            HEADER,
            [customer_name, "调度升级", "Zhang W.", "Prospecting", "380", "2025-11-03",
             "2027-06-30"],
            [customer_name, "配网改造", "Zhang W.", "Engaging", "1200", "2025-09-01",
             "2027-03-31"],
            [customer_name, "营销平台", "Li N.", "Engaging", "50", "2025-10-10", "2027-01-15"],
        ]
    )  # fmt: skip


def upload(client, data: bytes, **extra) -> ImportBatch:
    response = client.post(
        IMPORT, {"action": "preview", "file": SimpleUploadedFile("old-crm.csv", data), **extra}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.order_by("-created_at").first()


def page(client, batch: ImportBatch) -> str:
    return client.get(f"{IMPORT}?batch={batch.pk}").content.decode()


def fields(html: str) -> dict[str, str]:
    """The mapping form's fields as the page fills them (hidden inputs and selected options)."""
    form = html[html.index('data-testid="mapping"') : html.index("</form>", html.index(
        'data-testid="mapping"'))]  # fmt: skip
    found = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def remap(client, batch: ImportBatch, form: dict[str, str], **changes: str) -> None:
    response = client.post(IMPORT, {**form, **changes, "action": "remap"}, follow=True)
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert not said, said


def position(form: dict[str, str], header: str) -> str:
    return next(k for k, v in form.items() if k.startswith("hdr-0-") and v == header)[6:]


def test_another_crms_deals_come_in_by_mapping_alone_and_the_mapping_is_reused(
    cast, client_for, grid
):
    cast.kam.first_name, cast.kam.last_name = "伟", "张"
    cast.kam.save()
    client = client_for(cast.admin)
    batch = upload(client, other_crm(grid.name))
    html = page(client, batch)
    assert 'data-testid="mapping"' in html and "<details open" in html
    form = fields(html)
    assert form["kind-0"] == "customers"  # "Company" reads as a customer list: not so
    remap(client, batch, form, **{"kind-0": "opportunities"})
    form = fields(page(client, batch))
    assert form["kind-0"] == "opportunities"
    assert form[f"col-0-{position(form, 'Title')}"] == ""  # not matched: the importer maps
    mapped = {"Company": "customer", "Title": "name", "Rep": "owner", "Phase": "stage",
              "Size (10k CNY)": "amount", "Opened": "created_on",
              "Expected close": "expected_signing"}  # fmt: skip
    choices = {f"col-0-{position(form, h)}": key for h, key in mapped.items()}
    remap(client, batch, form, **choices, **{"unit-0-amount": "10000"})
    html = page(client, batch)
    form = fields(html)
    assert 'data-testid="mapping-values"' in html  # stages and people it could not read
    values = {v: k for k, v in form.items() if k.startswith("vt-0-")}
    stage_values = {"Prospecting": "development", "Engaging": "proposal"}
    people = {"Zhang W.": "kam", "Li N.": "colleague"}
    choices = {"vv-" + values[text][3:]: target for text, target in (stage_values | people).items()}
    remap(client, batch, form, **choices, save_as="旧CRM商机")
    batch.refresh_from_db()
    plan = importing.Plan.from_json(batch.file_name, batch.payload)
    assert [r.action for r in plan.rows] == ["create"] * 3, [r.problems for r in plan.rows]
    response = client.post(IMPORT, {"action": "commit", "batch": str(batch.pk)}, follow=True)
    assert 'data-testid="import-result"' in response.content.decode()
    deals = {o.name: o for o in Opportunity.objects.select_related("stage", "owner")}
    assert deals["调度升级"].amount == Decimal("3800000.00")  # 380 万
    assert deals["调度升级"].stage.code == "development"
    assert deals["配网改造"].stage.code == "proposal" and deals["营销平台"].owner == cast.colleague
    saved = ImportMapping.objects.get(name="旧CRM商机")
    assert saved.kind == "opportunities" and saved.created_by == cast.admin
    # The next file from the same system: the saved mapping, nothing else to do.
    again = upload(client, other_crm(grid.name), mapping="旧CRM商机")
    plan = importing.Plan.from_json(again.file_name, again.payload)
    assert [r.action for r in plan.rows] == ["unchanged"] * 3, [r.problems for r in plan.rows]
    assert Opportunity.objects.count() == 3


def test_a_header_matched_by_another_name_can_be_left_out(cast, client_for):
    client = client_for(cast.kam)
    data = csv_bytes([["客户名称", "revenue"], ["映射测试有限公司", "1100.04"]])
    batch = upload(client, data)
    html = page(client, batch)
    form = fields(html)
    revenue = position(form, "revenue")
    assert form[f"col-0-{revenue}"] == "revenue"
    with translation.override("zh-hans"):
        assert str(importing.HOW_LABELS["alias"]) in html
    remap(client, batch, form, **{f"col-0-{revenue}": ""})
    batch.refresh_from_db()
    plan = importing.Plan.from_json(batch.file_name, batch.payload)
    assert "revenue" not in next(plan.rows).values
    assert batch.mapping[""]["columns"] == {"客户名称": "name", "revenue": ""}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind-0": "secrets"}, "not a kind of records"),
        ({"col-0-1": "password"}, "not a column"),
        ({"unit-0-amount": "3"}, "unit"),
        ({"sheets": "many"}, "reload the page"),
    ],
)
def test_bad_mapping_input_is_refused_and_changes_nothing(changes, message, db):
    form = {"sheets": "1", "title-0": "", "kind-0": "opportunities", "hdr-0-1": "Rep",
            "col-0-1": "owner"}  # fmt: skip
    before = importing.Mapping()
    with translation.override("en"), pytest.raises(MappingFormError, match=message):
        read_form(form | changes, before)
    assert before.as_json() == {}


def test_a_value_must_be_one_of_the_choices(db):
    form = {"sheets": "1", "title-0": "", "kind-0": "opportunities", "vt-0-stage-0": "Closing",
            "vv-0-stage-0": "nonsense"}  # fmt: skip
    with translation.override("en"), pytest.raises(MappingFormError, match="choices"):
        read_form(form, importing.Mapping())
    good = read_form(form | {"vv-0-stage-0": "negotiation"}, importing.Mapping())
    assert good.for_sheet("").values == {"stage": {"closing": "negotiation"}}


def test_someone_elses_saved_mapping_is_not_overwritten(cast):
    sheet = importing.SheetMapping(kind="customers", columns={"公司": "name"})
    importing.save_as(name="共享", sheet=sheet, user=cast.kam)
    with pytest.raises(PermissionError):
        importing.save_as(name="共享", sheet=importing.SheetMapping(kind="contacts"),
                          user=cast.colleague)  # fmt: skip
    importing.save_as(name="共享", sheet=importing.SheetMapping(kind="contacts"), user=cast.admin)
    assert ImportMapping.objects.get(name="共享").kind == "contacts"
