"""Another system's file brought in by mapping alone: the sheet given a kind, its columns
mapped, its unknown values mapped to stages and people, the unit of its amounts, the mapping
saved by name and reused on the next file; and bad mapping input refused, changing nothing."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from keyaccount.customers.models import ImportBatch, ImportMapping
from keyaccount.pipeline.models import Opportunity
from keyaccount.transfer import importing
from keyaccount.transfer.mapping_form import MappingFormError, read_form

from ..api_support import Api
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
    assert 'data-testid="mapping"' in html and 'class="ka-disclosure" open' in html
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
        ({"rate-0-amount": "-7"}, "exchange rate"),
        ({"rate-0-amount": "7.1234567"}, "six decimal places"),
        ({"rate-0-amount": "20000"}, "up to 10,000"),
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


def test_revenue_in_millions_of_us_dollars_is_read_as_yuan_at_the_rate_given(cast, client_for):
    client = client_for(cast.kam)
    data = csv_bytes([["客户名称", "revenue"], ["美元营收有限公司", "1100.04"]])
    batch = upload(client, data)
    form = fields(page(client, batch))
    remap(client, batch, form, **{"unit-0-revenue": "1000000", "rate-0-revenue": "7,1"})
    batch.refresh_from_db()
    plan = importing.Plan.from_json(batch.file_name, batch.payload)
    assert next(plan.rows).values["revenue"] == Decimal("7810284000.00")  # 1,100.04 M × 7.1
    assert batch.mapping[""]["rates"] == {"revenue": "7.1"}
    with translation.override("zh-hans"):
        html = page(client, batch)
    assert 'name="rate-0-revenue" value="7.1"' in html
    assert "7,100,000" in html  # the preview says what the amounts are multiplied by
    remap(client, batch, fields(html), **{"rate-0-revenue": ""})  # blank: yuan again
    batch.refresh_from_db()
    assert "rates" not in batch.mapping[""] or batch.mapping[""]["rates"] == {}
    plan = importing.Plan.from_json(batch.file_name, batch.payload)
    assert next(plan.rows).values["revenue"] == Decimal("1100040000.00")


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


# --- the API and the terminal ---------------------------------------------------------------


def test_the_api_shows_and_changes_the_mapping_and_saves_it(cast, grid):
    cast.kam.first_name, cast.kam.last_name = "伟", "张"
    cast.kam.save()
    api = Api(cast.admin, "token")
    upload_ = SimpleUploadedFile("old.csv", other_crm(grid.name), content_type="text/csv")
    batch = api.client.post("/api/imports", {"file": upload_}).json()["id"]
    shown = api.get(f"/api/imports/{batch}/mapping").json()
    [sheet] = shown["sheets"]
    assert sheet["kind"] == "customers"
    assert {h["header"]: h["how"] for h in sheet["headers"]}["Title"] == "unmatched"
    columns = {"Company": "customer", "Title": "name", "Rep": "owner", "Phase": "stage",
               "Size (10k CNY)": "amount", "Opened": "created_on",
               "Expected close": "expected_signing"}  # fmt: skip
    wrong = {"sheets": {"": {"kind": "opportunities", "columns": columns | {"Rep": "pwd"}}}}
    refused = api.put(f"/api/imports/{batch}/mapping", wrong)
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"file.columns.rep"}
    bad_rate = {"sheets": {"": {"kind": "opportunities", "columns": columns,
                                "rates": {"amount": "0"}}}}  # fmt: skip
    refused = api.put(f"/api/imports/{batch}/mapping", bad_rate)
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"file.rates.amount"}
    body = {"sheets": {"": {"kind": "opportunities", "columns": columns,
                            "units": {"amount": "10000"}}}}  # fmt: skip
    answer = api.put(f"/api/imports/{batch}/mapping", body)
    assert answer.status_code == 200, answer.content
    unknown = {u["column"]: u for u in api.get(f"/api/imports/{batch}/mapping").json()[
        "sheets"][0]["unknown"]}  # fmt: skip
    assert unknown["stage"]["values"] == {"Engaging": 2, "Prospecting": 1}
    assert "proposal" in {c["value"] for c in unknown["stage"]["choices"]}
    body["sheets"][""]["values"] = {
        "stage": {"Prospecting": "development", "Engaging": "proposal"},
        "owner": {"Zhang W.": "kam", "Li N.": "colleague"},
    }
    body["save_as"] = "API 商机"
    answer = api.put(f"/api/imports/{batch}/mapping", body).json()
    assert answer["counts"]["create"] == 3 and answer["can_commit"], answer
    saved = api.get("/api/import-mappings").json()
    assert [m["name"] for m in saved] == ["API 商机"] and saved[0]["units"] == {"amount": "10000"}
    assert api.post(f"/api/imports/{batch}/commit", {}).status_code == 202
    assert Opportunity.objects.count() == 3
    # the next file, with the saved mapping named at the upload
    again = SimpleUploadedFile("old.csv", other_crm(grid.name), content_type="text/csv")
    answer = api.client.post("/api/imports", {"file": again, "mapping": "API 商机"}).json()
    assert answer["counts"]["unchanged"] == 3
    missing = SimpleUploadedFile("old.csv", other_crm(grid.name), content_type="text/csv")
    refused = api.client.post("/api/imports", {"file": missing, "mapping": "无此映射"})
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"mapping"}


def test_the_terminal_reads_a_file_with_a_saved_mapping(cast, grid, tmp_path):
    sheet = importing.SheetMapping(
        kind="opportunities",
        columns={importing.header_key(h): k for h, k in {
            "Company": "customer", "Title": "name", "Rep": "", "Phase": "stage",
            "Size (10k CNY)": "amount", "Opened": "created_on",
            "Expected close": "expected_signing"}.items()},
        values={"stage": {"prospecting": "development", "engaging": "proposal"}},
        units={"amount": Decimal(10000)},
    )  # fmt: skip
    importing.save_as(name="旧系统", sheet=sheet, user=cast.admin)
    path = tmp_path / "old.csv"
    path.write_bytes(other_crm(grid.name))
    out = io.StringIO()
    call_command("import", str(path), "--user", "admin", "--mapping", "旧系统", stdout=out)
    assert Opportunity.objects.filter(owner=cast.kam).count() == 3  # Rep left out: the owner's
    assert Opportunity.objects.get(name="营销平台").amount == Decimal("500000.00")
    with pytest.raises(CommandError, match="No mapping is called"):
        call_command("import", str(path), "--user", "admin", "--mapping", "别的")
