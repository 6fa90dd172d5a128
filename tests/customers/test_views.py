"""Customer pages: the KA list, the customer page and its tabs, profile edits, registration and
its queue, allocation, scorecard, grade and evaluations. Customers are built through services."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from keyaccount.contacts.services import contact_create
from keyaccount.core import pinyin
from keyaccount.core.money import format_money
from keyaccount.customers import rules, services
from keyaccount.customers.models import (
    Customer,
    Evaluation,
    FactorScore,
    GradeChange,
    OwnerChange,
    RegistrationRequest,
    RegistrationStatus,
    ScoringFactor,
)
from keyaccount.org.models import Industry, Region

NAMES = {
    "kam": "王伟",
    "colleague": "李娜",
    "north_kam": "赵强",
    "team_lead": "陈静",
    "head": "周健",
    "director": "孙丽",
    "assistant": "林晓雨",
}


@pytest.fixture(autouse=True)
def people(cast):
    """Everyone reads the pages in English; some have display names the pages show."""
    for role, user in cast.roles().items():
        user.language = "en"
        user.display_name = NAMES.get(role, "")
        user.save()


def code(n: int) -> str:
    body = f"91320000{n:09d}"
    return body + rules.credit_code_check_char(body)


def region(code_: str) -> Region:
    return Region.objects.get(code=code_)


def industry(code_: str) -> Industry:
    return Industry.objects.get(code=code_)


def register(cast, owner, name, **data) -> Customer:
    result = services.registration_request(
        actor=owner, data={"name": name, **data}, confirm_not_duplicate=True
    )
    services.registration_decide(actor=cast.assistant, request=result.request, approve=True)
    return Customer.objects.get(pk=result.request.customer_id)


def scores_of(value: int) -> dict[str, tuple[int, str]]:
    codes = ScoringFactor.objects.filter(is_active=True).values_list("code", flat=True)
    return dict.fromkeys(codes, (value, "依据拜访记录"))


@pytest.fixture
def jiangsu(cast) -> Customer:
    """The KAM's A-grade power grid in Jiangsu (East China)."""
    customer = register(
        cast,
        cast.kam,
        "江苏省电网运营有限公司",
        credit_code=code(1),
        region=region("CN-JS"),
        industry=industry("power-grid"),
        revenue=Decimal("420000000000"),
    )
    services.scores_save(actor=cast.kam, customer=customer, scores=scores_of(5))
    services.grade_set(actor=cast.head, customer=customer, grade="A")
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def bank(cast) -> Customer:
    """The colleague's C-grade bank in Zhejiang (East China)."""
    customer = register(
        cast,
        cast.colleague,
        "钱塘城市商业银行股份有限公司",
        region=region("CN-ZJ"),
        industry=industry("banking"),
        revenue=Decimal("26000000000"),
    )
    services.scores_save(actor=cast.colleague, customer=customer, scores=scores_of(3))
    services.grade_set(actor=cast.head, customer=customer, grade="C")
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def beijing(cast) -> Customer:
    """The north KAM's ungraded power grid in Beijing (North China)."""
    return register(
        cast,
        cast.north_kam,
        "京畿电网运营有限公司",
        region=region("CN-BJ"),
        industry=industry("power-grid"),
    )


def in_english(amount: Decimal, unit: str) -> str:
    with translation.override("en"):
        return format_money(amount, unit)


def names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def snapshot() -> tuple:
    return (
        list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "grade", "version")),
        RegistrationRequest.objects.filter(decision="pending").count(),
        OwnerChange.objects.count(),
        GradeChange.objects.count(),
        list(FactorScore.objects.order_by("pk").values_list("score", "justification")),
        Evaluation.objects.count(),
    )


# --- who gets what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/customers/",
        "/customers/{pk}/",
        "/customers/{pk}/?tab=profile",
        "/customers/{pk}/?tab=contacts",
        "/customers/{pk}/?tab=scorecard",
        "/customers/{pk}/?tab=evaluations",
        "/customers/{pk}/?tab=history",
        "/customers/{pk}/edit/",
        "/customers/{pk}/contacts/new/",
        "/customers/register/",
        "/customers/register/check/?name=江苏电网",
        "/customers/registrations/",
        "/customers/registrations/?tab=decided",
    ],
)
def test_every_page_renders_for_the_owner(cast, client_for, jiangsu, path):
    response = client_for(cast.kam).get(path.format(pk=jiangsu.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["team_lead", "head", "director", "assistant", "admin"])
@pytest.mark.parametrize("tab", ["profile", "contacts", "scorecard", "evaluations", "history"])
def test_managers_and_department_roles_open_every_tab(cast, client_for, jiangsu, role, tab):
    response = client_for(getattr(cast, role)).get(f"/customers/{jiangsu.pk}/?tab={tab}")
    assert response.status_code == 200
    assert response.context["tab"] == tab


@pytest.mark.parametrize("role", ["outsider", "colleague", "north_kam", "consultant"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/customers/{pk}/"),
        ("get", "/customers/{pk}/?tab=history"),
        ("get", "/customers/{pk}/edit/"),
        ("post", "/customers/{pk}/edit/"),
        ("get", "/customers/{pk}/contacts/new/"),
        ("post", "/customers/{pk}/scores/"),
        ("post", "/customers/{pk}/grade/"),
        ("post", "/customers/{pk}/evaluations/"),
    ],
)
def test_a_customer_outside_visibility_is_a_404(cast, client_for, jiangsu, role, method, path):
    before = snapshot()
    client = client_for(getattr(cast, role))
    response = getattr(client, method)(path.format(pk=jiangsu.pk), {"grade": "D", "reason": "x"})
    assert response.status_code == 404
    assert snapshot() == before


def test_an_unknown_tab_shows_the_profile(cast, client_for, jiangsu):
    response = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/?tab=<script>")
    assert response.context["tab"] == "profile"


def test_anonymous_users_are_sent_to_the_login(client, jiangsu):
    response = client.get(f"/customers/{jiangsu.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("role", "path", "data"),
    [
        ("assistant", "/customers/{pk}/grade/", {"grade": "B", "reason": "试试"}),
        ("kam", "/customers/{pk}/grade/", {"grade": "B", "reason": "自己定级"}),
        (
            "assistant",
            "/customers/{pk}/scores/",
            {"score_reachability": "1", "why_reachability": "x"},
        ),
        ("assistant", "/customers/{pk}/evaluations/", {"summary": "x"}),
        ("kam", "/customers/allocate/", {"customers": "{pk}", "new_owner": "{colleague}"}),
        ("director", "/customers/allocate/", {"customers": "{pk}", "new_owner": "{colleague}"}),
    ],
)
def test_an_action_the_role_may_not_take_on_a_visible_customer_is_a_403(
    cast, client_for, jiangsu, role, path, data
):
    before = snapshot()
    values = {"pk": jiangsu.pk, "colleague": cast.colleague.pk}
    body = {k: v.format(**values) for k, v in data.items()} | {"reason": "原因"}
    response = client_for(getattr(cast, role)).post(path.format(**values), body)
    assert response.status_code == 403
    assert snapshot() == before


def test_the_page_offers_only_the_actions_the_role_may_take(cast, client_for, jiangsu):
    owner = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/?tab=scorecard")
    assert owner.context["may"] == {
        "edit": True,
        "contacts": True,
        "score": True,
        "grade": False,
        "evaluate": True,
        "allocate": False,
    }
    assert 'data-testid="grade-form"' not in owner.content.decode()
    head = client_for(cast.head).get(f"/customers/{jiangsu.pk}/?tab=scorecard")
    assert head.context["may"]["grade"] is True
    assert head.context["may"]["allocate"] is True
    assistant = client_for(cast.assistant).get(f"/customers/{jiangsu.pk}/?tab=scorecard")
    assert (assistant.context["may"]["score"], assistant.context["may"]["edit"]) == (False, True)
    assert 'data-testid="scorecard-form"' not in assistant.content.decode()


# --- the KA list ------------------------------------------------------------------------


def test_the_list_shows_only_visible_customers(cast, client_for, jiangsu, bank, beijing):
    assert names(client_for(cast.kam).get("/customers/")) == [jiangsu.name]
    assert set(names(client_for(cast.team_lead).get("/customers/"))) == {jiangsu.name, bank.name}
    assert len(names(client_for(cast.head).get("/customers/"))) == 3
    assert names(client_for(cast.outsider).get("/customers/")) == []


def test_the_list_filters_by_grade_including_not_graded(cast, client_for, jiangsu, bank, beijing):
    client = client_for(cast.head)
    assert names(client.get("/customers/?grade=A")) == [jiangsu.name]
    assert set(names(client.get("/customers/?grade=C&grade=none"))) == {bank.name, beijing.name}


def test_the_list_filters_by_a_sales_region_and_its_provinces(
    cast, client_for, jiangsu, bank, beijing
):
    client = client_for(cast.head)
    east = region("CN-E").pk
    assert set(names(client.get(f"/customers/?region={east}"))) == {jiangsu.name, bank.name}
    assert names(client.get(f"/customers/?region={region('CN-BJ').pk}")) == [beijing.name]


def test_the_list_finds_a_customer_by_pinyin_initials_name_or_credit_code(
    cast, client_for, jiangsu, bank, beijing
):
    client = client_for(cast.head)
    assert names(client.get("/customers/?q=jssdw")) == [jiangsu.name]
    assert names(client.get("/customers/?q=JSSDW")) == [jiangsu.name]
    assert names(client.get("/customers/?q=钱塘")) == [bank.name]
    assert names(client.get(f"/customers/?q={code(1)[:10]}")) == [jiangsu.name]


def test_the_list_filters_by_owner_team_industry_status_and_score(
    cast, client_for, jiangsu, bank, beijing
):
    client = client_for(cast.head)
    assert names(client.get(f"/customers/?owner={cast.colleague.pk}")) == [bank.name]
    assert names(client.get(f"/customers/?team={cast.north.pk}")) == [beijing.name]
    assert set(names(client.get(f"/customers/?team={cast.east.pk}"))) == {jiangsu.name, bank.name}
    power = industry("power").pk  # the parent industry covers power grids
    assert set(names(client.get(f"/customers/?industry={power}"))) == {jiangsu.name, beijing.name}
    assert names(client.get("/customers/?score_min=90")) == [jiangsu.name]
    assert names(client.get("/customers/?score_min=50&score_max=70")) == [bank.name]
    pending = register(cast, cast.kam, "常州精密传动股份有限公司")
    pending.status = RegistrationStatus.PENDING  # an approved one back to pending is not a flow:
    Customer.objects.filter(pk=pending.pk).update(status=RegistrationStatus.PENDING)
    assert names(client.get("/customers/?status=pending")) == [pending.name]


def test_the_list_sorts_by_the_chosen_column(cast, client_for, jiangsu, bank, beijing):
    client = client_for(cast.head)
    # not scored, not graded and no revenue always come last
    assert names(client.get("/customers/?sort=-score")) == [jiangsu.name, bank.name, beijing.name]
    assert names(client.get("/customers/?sort=score")) == [bank.name, jiangsu.name, beijing.name]
    assert names(client.get("/customers/?sort=-revenue")) == [jiangsu.name, bank.name, beijing.name]
    assert names(client.get("/customers/?sort=grade")) == [jiangsu.name, bank.name, beijing.name]
    by_name = names(client.get("/customers/?sort=name"))
    assert by_name == sorted(by_name, key=pinyin.sort_key)  # by pinyin, not by code point


def test_bad_filter_values_are_ignored_with_a_message(cast, client_for, jiangsu, bank, beijing):
    response = client_for(cast.head).get(
        "/customers/?region=abc&score_min=x&grade=Z&sort=evil&owner=999999&page=zz"
    )
    assert response.status_code == 200
    assert len(names(response)) == 3
    ignored = response.context["ignored"]
    assert {m.split(":")[0] for m in ignored} == {"Region", "Score from", "Grade", "Sort", "Owner"}
    assert 'data-testid="ignored-filters"' in response.content.decode()


def test_an_htmx_request_gets_only_the_results(cast, client_for, jiangsu):
    response = client_for(cast.kam).get("/customers/?grade=A", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-testid="customer-table"' in body
    assert jiangsu.name in body
    assert "HX-Request" in response["Vary"]
    restore = client_for(cast.kam).get(
        "/customers/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_the_list_shows_grade_suggestion_revenue_in_my_unit_and_status(
    cast, client_for, jiangsu, bank
):
    services.grade_set(actor=cast.head, customer=bank, grade="B", reason="战略客户")
    page = text(client_for(cast.head).get("/customers/"))
    assert "suggests C" in page
    # 4200亿 scaled by size in a list (the default unit), or in the unit the user chose
    assert in_english(jiangsu.revenue, "auto") == "CNY 420B" and "CNY 420B" in page
    cast.head.money_unit = "wan"
    cast.head.save()
    assert in_english(jiangsu.revenue, "wan") == "CNY 42,000,000 ×10k"
    assert in_english(jiangsu.revenue, "wan") in text(client_for(cast.head).get("/customers/"))
    cast.head.money_unit = "yi"
    cast.head.save()
    assert in_english(jiangsu.revenue, "yi") in text(client_for(cast.head).get("/customers/"))


def test_the_list_runs_a_fixed_number_of_queries_whatever_the_rows(cast, client_for, jiangsu):
    client = client_for(cast.head)
    client.get("/customers/")  # warm the session and content types

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/customers/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(12):
        customer = register(
            cast, cast.colleague, f"测试客户{n}号科技有限公司", credit_code=code(n + 10)
        )
        contact_create(actor=cast.colleague, customer=customer, data={"name": "联系人"})
    assert queries() == few


def test_the_list_pages_by_fifty(cast, client_for):
    for n in range(51):
        register(cast, cast.kam, f"分页客户{n:02d}号有限公司", credit_code=code(n + 100))
    client = client_for(cast.kam)
    first = client.get("/customers/")
    assert len(names(first)) == 50
    assert first.context["page"].paginator.count == 51
    assert len(names(client.get("/customers/?page=2"))) == 1


def test_the_list_offers_register_export_and_import_to_a_kam(cast, client_for, jiangsu):
    body = client_for(cast.kam).get("/customers/?grade=A").content.decode()
    assert 'href="/customers/register/"' in body
    assert 'data-testid="bulk-allocate"' not in body
    assert "/customers/export/?grade=A&amp;format=xlsx" in body
    assert 'data-testid="import"' in body


def test_the_list_offers_bulk_allocation_to_the_department_head(cast, client_for, jiangsu):
    response = client_for(cast.head).get("/customers/")
    body = response.content.decode()
    assert 'data-testid="bulk-allocate"' in body
    assert 'name="customers"' in body
    offered = client_for(cast.head).get("/suggest/allocatable/").context["options"]
    assert cast.colleague.pk in {o.id for o in offered}
    assert cast.assistant.pk not in {o.id for o in offered}  # does not sell
    assert 'href="/customers/register/"' not in body  # the head does not register


# --- the customer page ------------------------------------------------------------------


def test_the_profile_tab_shows_every_group_of_the_profile_form(cast, client_for, jiangsu):
    response = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/")
    groups = [str(g["label"]) for g in response.context["groups"]]
    assert groups == ["Identity", "Size", "Needs", "Key-account specifics", "Suppliers and notes"]
    page = text(response)
    assert "East China › Jiangsu" in page
    assert code(1) in page
    assert "CNY 420,000,000,000.00" in page  # a detail view shows the exact amount


def heading(response) -> str:
    return re.search(r'<h1 class="page-title">(.*?)</h1>', text(response)).group(1)


def test_a_customer_without_a_grade_shows_no_grade_badge_but_says_not_graded(
    cast, client_for, jiangsu, beijing
):
    ungraded = client_for(cast.north_kam).get(f"/customers/{beijing.pk}/")
    assert "—" not in heading(ungraded) and "badge" not in heading(ungraded)
    assert text(ungraded).count('data-testid="not-graded"') == 1  # the summary's grade
    graded = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/")
    assert 'data-testid="grade-badge"' in heading(graded) and ">A<" in heading(graded)


def test_the_region_and_industry_selects_name_each_option_and_its_parent_in_tree_order(
    cast, client_for, jiangsu
):
    form = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/edit/").context["form"]
    regions = [str(label) for _value, label in form.fields["region"].choices]
    assert regions.index("China") < regions.index("East China (China)")
    assert regions.index("East China (China)") < regions.index("Jiangsu (East China)")
    assert regions.index("Jiangsu (East China)") < regions.index("South China (China)")
    industries = [str(label) for _value, label in form.fields["industry"].choices]
    assert "Power grid (Electric power)" in industries
    assert not [label for label in regions + industries if label != label.strip()]


def test_the_contacts_tab_draws_the_org_chart_from_the_reporting_lines(cast, client_for, jiangsu):
    boss = contact_create(
        actor=cast.kam, customer=jiangsu, data={"name": "张总", "title": "总经理"}
    )
    contact_create(
        actor=cast.kam,
        customer=jiangsu,
        data={"name": "李主任", "title": "信息中心主任", "reports_to": boss},
    )
    response = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/?tab=contacts")
    chart = response.context["chart"]
    assert (chart["name"], [c["name"] for c in chart["children"]]) == ("张总", ["李主任"])
    body = response.content.decode()
    assert 'id="ka-orgchart-data"' in body
    assert "keyaccount/orgchart.js" in body
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", body)
    executable = [s for s in scripts if "application/json" not in s]
    assert executable and all(f'nonce="{nonce}"' in s for s in executable)
    assert " style=" not in body


def test_several_top_people_hang_under_the_customer_in_the_chart(cast, client_for, jiangsu):
    for name in ("张总", "王书记"):
        contact_create(actor=cast.kam, customer=jiangsu, data={"name": name})
    chart = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/?tab=contacts").context["chart"]
    assert chart["root"] is True
    assert sorted(c["name"] for c in chart["children"]) == ["张总", "王书记"]


def test_the_history_tab_shows_edits_owner_changes_registration_and_grades(
    cast, client_for, jiangsu
):
    services.customer_update(
        actor=cast.assistant,
        customer=jiangsu,
        data={"address": "南京市建邺区江东中路1号"},
        expected_version=jiangsu.version,
    )
    services.customers_allocate(
        actor=cast.head, customers=[jiangsu], new_owner=cast.colleague, reason="重新分工"
    )
    response = client_for(cast.head).get(f"/customers/{jiangsu.pk}/?tab=history")
    kinds = [e["kind"] for e in response.context["entries"]]
    assert kinds.count("owner") == 2  # allocated at registration, then reallocated
    assert {"created", "edited", "requested", "decided", "graded"} <= set(kinds)
    edit = next(e for e in response.context["entries"] if e["kind"] == "edited")
    assert edit["who"] == cast.assistant
    assert [c["label"] for c in edit["changes"]] == ["Address"]
    page = text(response)
    assert "Reallocated from 王伟 to 李娜" in page
    assert "重新分工" in page
    assert "Address: — → 南京市建邺区江东中路1号" in page


# --- editing the profile ----------------------------------------------------------------


def profile_post(customer: Customer, **changes) -> dict:
    data = {f: getattr(customer, f) or "" for f in services.PROFILE_FIELDS}
    data.update(region=customer.region_id or "", industry=customer.industry_id or "")
    data.update(revenue="", profit="", budget="", actual_spend="", version=customer.version)
    data.update(changes)
    return data


def test_a_profile_edit_accepts_amounts_in_wan_and_yi(cast, client_for, jiangsu):
    response = client_for(cast.kam).post(
        f"/customers/{jiangsu.pk}/edit/",
        profile_post(jiangsu, revenue="1.2亿", profit="12.5万", employees="１２００"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{jiangsu.pk}/"
    jiangsu.refresh_from_db()
    assert (jiangsu.revenue, jiangsu.profit, jiangsu.employees) == (
        Decimal("120000000.00"),
        Decimal("125000.00"),
        1200,
    )


def test_the_edit_form_shows_amounts_as_people_write_them(cast, client_for, jiangsu):
    body = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/edit/").content.decode()
    assert 'value="4200亿"' in body
    assert f'name="version" value="{jiangsu.version}"' in body


def test_a_bad_amount_or_credit_code_is_shown_on_its_field(cast, client_for, jiangsu):
    before = snapshot()
    response = client_for(cast.kam).post(
        f"/customers/{jiangsu.pk}/edit/",
        profile_post(jiangsu, revenue="很多", credit_code="91320000000000000X"),
    )
    assert response.status_code == 400
    assert "is not an amount" in response.context["form"].errors["revenue"][0]
    assert snapshot() == before
    response = client_for(cast.kam).post(
        f"/customers/{jiangsu.pk}/edit/", profile_post(jiangsu, credit_code="91320000000000000X")
    )
    assert response.status_code == 400
    assert "check character" in response.context["form"].errors["credit_code"][0]


def test_a_stale_profile_edit_is_refused_naming_who_changed_it(cast, client_for, jiangsu):
    opened = client_for(cast.kam).get(f"/customers/{jiangsu.pk}/edit/")
    version = opened.context["form"].initial["version"]
    services.customer_update(
        actor=cast.head, customer=jiangsu, data={"notes": "主管的备注"}, expected_version=version
    )
    stale = Customer.objects.get(pk=jiangsu.pk)
    response = client_for(cast.kam).post(
        f"/customers/{jiangsu.pk}/edit/",
        profile_post(stale, version=version, notes="我的备注", address="我改的地址"),
    )
    assert response.status_code == 409
    message = response.context["form"].non_field_errors()[0]
    assert "周健 changed this record" in message
    assert "我改的地址" in response.content.decode()  # the user's input is kept
    stale.refresh_from_db()
    assert (stale.notes, stale.address) == ("主管的备注", "")


def test_an_exact_duplicate_name_is_refused_on_edit(cast, client_for, jiangsu, bank):
    response = client_for(cast.colleague).post(
        f"/customers/{bank.pk}/edit/", profile_post(bank, name="江苏省电网运营股份有限公司")
    )
    assert response.status_code == 400
    assert "owned by 王伟" in response.context["form"].errors["name"][0]


# --- registration -----------------------------------------------------------------------


def registration(name: str, **extra) -> dict:
    return {"name": name, "region": region("CN-JS").pk, **extra}


def test_a_likely_duplicate_must_be_confirmed_then_the_request_waits(cast, client_for, jiangsu):
    client = client_for(cast.colleague)
    first = client.post("/customers/register/", registration("江苏省电网运营服务有限公司"))
    assert first.status_code == 200
    assert [d.name for d in first.context["duplicates"]] == [jiangsu.name]
    body = text(first)
    assert "I confirm this is a different company" in body
    assert "王伟" in body  # the owner of the likely duplicate
    assert not Customer.objects.filter(name="江苏省电网运营服务有限公司").exists()

    unconfirmed = client.post(
        "/customers/register/", registration("江苏省电网运营服务有限公司", duplicates_seen="1")
    )
    assert unconfirmed.status_code == 400
    assert unconfirmed.context["form"].errors["confirm_not_duplicate"]

    confirmed = client.post(
        "/customers/register/",
        registration("江苏省电网运营服务有限公司", duplicates_seen="1", confirm_not_duplicate="on"),
    )
    customer = Customer.objects.get(name="江苏省电网运营服务有限公司")
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"/customers/{customer.pk}/"
    assert (customer.owner, customer.status) == (cast.colleague, RegistrationStatus.PENDING)
    request = customer.registrations.get()
    assert request.confirmed_not_duplicate is True
    assert [d["name"] for d in request.duplicates_shown] == [jiangsu.name]


def test_an_exact_duplicate_registration_is_refused_naming_the_owner(cast, client_for, jiangsu):
    before = snapshot()
    response = client_for(cast.north_kam).post(
        "/customers/register/", registration("江苏省电网运营股份有限公司")
    )
    assert response.status_code == 400
    error = response.context["form"].errors["name"][0]
    assert "owned by 王伟" in error
    assert snapshot() == before


def test_an_unrelated_company_is_requested_at_once(cast, client_for, jiangsu):
    response = client_for(cast.kam).post(
        "/customers/register/", registration("常州精密传动股份有限公司", revenue="3.5亿")
    )
    customer = Customer.objects.get(name="常州精密传动股份有限公司")
    assert response.status_code == 302
    assert customer.revenue == Decimal("350000000.00")


@pytest.mark.parametrize("role", ["head", "assistant", "director", "consultant"])
def test_who_does_not_sell_cannot_open_the_registration_form(cast, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get("/customers/register/").status_code == 403
    assert client.get("/customers/register/check/?name=x").status_code == 403


def test_the_live_check_lists_likely_duplicates_while_typing(cast, client_for, jiangsu):
    client = client_for(cast.north_kam)
    hit = client.get("/customers/register/check/", {"name": "江苏电网运营集团", "credit_code": ""})
    assert hit.status_code == 200
    body = hit.content.decode()
    assert "<html" not in body
    assert jiangsu.name in body and "王伟" in body
    miss = client.get("/customers/register/check/", {"name": "完全不同的名字"})
    assert 'data-testid="no-duplicates"' in miss.content.decode()


# --- the registration queue -------------------------------------------------------------


@pytest.fixture
def pending(cast, jiangsu) -> RegistrationRequest:
    result = services.registration_request(
        actor=cast.colleague,
        data={"name": "江苏电网运营公司", "region": region("CN-JS")},
        confirm_not_duplicate=True,
    )
    return result.request


def test_the_assistant_sees_pending_requests_with_their_duplicates(cast, client_for, pending):
    response = client_for(cast.assistant).get("/customers/registrations/")
    (row,) = response.context["rows"]
    assert (row["request"], row["can_decide"]) == (pending, True)
    assert [d["name"] for d in row["duplicates"]] == ["江苏省电网运营有限公司"]
    assert 'data-testid="approve"' in response.content.decode()


def test_others_see_their_own_requests_without_deciding(cast, client_for, pending):
    mine = client_for(cast.colleague).get("/customers/registrations/")
    assert [r["request"] for r in mine.context["rows"]] == [pending]
    assert mine.context["rows"][0]["can_decide"] is False
    assert 'data-testid="approve"' not in mine.content.decode()
    assert client_for(cast.kam).get("/customers/registrations/").context["rows"] == []


def test_the_assistant_approves_a_request(cast, client_for, pending):
    response = client_for(cast.assistant).post(
        f"/customers/registrations/{pending.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.decision, pending.decided_by) == ("approved", cast.assistant)
    assert pending.customer.status == RegistrationStatus.REGISTERED
    assert OwnerChange.objects.filter(customer=pending.customer, new_owner=cast.colleague).exists()
    decided = client_for(cast.assistant).get("/customers/registrations/?tab=decided")
    assert [r["request"] for r in decided.context["rows"]] == [pending] + [
        r["request"] for r in decided.context["rows"][1:]
    ]


def test_a_rejection_needs_a_reason(cast, client_for, pending):
    client = client_for(cast.assistant)
    refused = client.post(f"/customers/registrations/{pending.pk}/decide/", {"decision": "reject"})
    assert refused.status_code == 400
    assert "Say why" in text(refused)
    assert 'href="/customers/registrations/?tab=decided"' in refused.content.decode()
    pending.refresh_from_db()
    assert pending.decision == "pending"
    done = client.post(
        f"/customers/registrations/{pending.pk}/decide/",
        {"decision": "reject", "reason": "与江苏省电网运营有限公司是同一家"},
    )
    assert done.status_code == 302
    pending.refresh_from_db()
    assert (pending.decision, pending.customer.status) == ("rejected", "rejected")


def test_deciding_twice_shows_who_decided(cast, client_for, pending):
    services.registration_decide(actor=cast.admin, request=pending, approve=True)
    response = client_for(cast.assistant).post(
        f"/customers/registrations/{pending.pk}/decide/", {"decision": "reject", "reason": "x"}
    )
    assert response.status_code == 400
    assert "already" in text(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [("director", 403), ("colleague", 403), ("outsider", 404), ("north_kam", 404)],
)
def test_only_the_assistant_decides(cast, client_for, pending, role, status):
    response = client_for(getattr(cast, role)).post(
        f"/customers/registrations/{pending.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == status
    pending.refresh_from_db()
    assert pending.decision == "pending"


# --- allocation -------------------------------------------------------------------------


def test_the_head_allocates_several_customers_at_once(cast, client_for, jiangsu, bank):
    response = client_for(cast.head).post(
        "/customers/allocate/",
        {
            "customers": [jiangsu.pk, bank.pk],
            "new_owner": cast.account_manager.pk,
            "reason": "调整客户分工",
            "next": "/customers/?grade=A",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/customers/?grade=A"
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {cast.account_manager.pk}
    rows = OwnerChange.objects.filter(reason="调整客户分工")
    assert {(r.customer_id, r.old_owner_id, r.changed_by_id) for r in rows} == {
        (jiangsu.pk, cast.kam.pk, cast.head.pk),
        (bank.pk, cast.colleague.pk, cast.head.pk),
    }


def test_an_allocation_needs_a_reason_and_changes_nothing_without_one(
    cast, client_for, jiangsu, bank
):
    before = snapshot()
    response = client_for(cast.head).post(
        "/customers/allocate/",
        {"customers": [jiangsu.pk, bank.pk], "new_owner": cast.account_manager.pk, "reason": " "},
    )
    assert response.status_code == 400
    assert "Say why" in response.context["form"].errors["reason"][0]
    assert [c.pk for c in response.context["customers"]] == sorted([jiangsu.pk, bank.pk])
    assert snapshot() == before


def test_allocating_to_someone_who_does_not_sell_is_refused(cast, client_for, jiangsu):
    before = snapshot()
    response = client_for(cast.head).post(
        "/customers/allocate/",
        {"customers": [jiangsu.pk], "new_owner": cast.assistant.pk, "reason": "试试"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["new_owner"]
    assert snapshot() == before


def test_allocating_nothing_or_an_invisible_customer(cast, client_for, jiangsu):
    client = client_for(cast.head)
    nothing = client.post("/customers/allocate/", {"new_owner": cast.colleague.pk, "reason": "x"})
    assert nothing.status_code == 400
    assert nothing.context["form"].errors["customers"]
    outsider_customer = services.registration_request(
        actor=cast.outsider, data={"name": "市场部自己的客户有限公司"}
    ).request.customer
    hidden = client.post(
        "/customers/allocate/",
        {"customers": [outsider_customer.pk], "new_owner": cast.colleague.pk, "reason": "x"},
    )
    assert hidden.status_code == 404


def test_a_single_customer_is_allocated_from_its_page_and_the_change_is_in_its_history(
    cast, client_for, jiangsu
):
    client = client_for(cast.head)
    page = client.get(f"/customers/{jiangsu.pk}/")
    assert 'data-testid="allocate-one"' in page.content.decode()
    response = client.post(
        "/customers/allocate/",
        {
            "customers": jiangsu.pk,
            "new_owner": cast.colleague.pk,
            "reason": "王伟调岗",
            "next": f"/customers/{jiangsu.pk}/?tab=history",
        },
    )
    assert response["Location"] == f"/customers/{jiangsu.pk}/?tab=history"
    history = text(client.get(response["Location"]))
    assert "Reallocated from 王伟 to 李娜" in history
    assert "王伟调岗" in history


def test_an_unsafe_next_falls_back_to_the_list(cast, client_for, jiangsu, bank):
    response = client_for(cast.head).post(
        "/customers/allocate/",
        {
            "customers": [jiangsu.pk, bank.pk],
            "new_owner": cast.account_manager.pk,
            "reason": "x",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/customers/"


@pytest.mark.parametrize("query", ["customers={a},{b}", "customers={a}&customers={b}"])
def test_a_visit_of_the_allocation_page_shows_the_form_for_the_customers_it_names(
    cast, client_for, jiangsu, bank, query
):
    before = snapshot()
    url = "/customers/allocate/?" + query.format(a=jiangsu.pk, b=bank.pk)
    response = client_for(cast.head).get(url + "&next=/customers/%3Fgrade%3DA")
    assert response.status_code == 200
    assert [c.pk for c in response.context["customers"]] == sorted([jiangsu.pk, bank.pk])
    assert not response.context["form"].is_bound
    body = response.content.decode()
    assert 'data-testid="allocate-form"' in body
    assert f'name="customers" value="{jiangsu.pk}"' in body
    assert 'name="next" value="/customers/?grade=A"' in body
    assert snapshot() == before  # a visit changes nothing


def test_a_visit_naming_no_customer_says_how_to_pick_them_on_the_list(cast, client_for):
    response = client_for(cast.head).get("/customers/allocate/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="allocate-how"' in body
    assert 'data-testid="allocate-form"' not in body
    assert 'href="/customers/"' in body
    assert client_for(cast.kam).get("/customers/allocate/").status_code == 403


@pytest.mark.parametrize(
    "ids", ["{hidden}", "{mine},{hidden}", "abc", "0", str(2**64), "987654321"]
)
def test_a_visit_naming_a_customer_the_head_cannot_see_or_no_record_is_a_404(
    cast, client_for, jiangsu, ids
):
    hidden = services.registration_request(
        actor=cast.outsider, data={"name": "市场部自己的客户有限公司"}
    ).request.customer
    url = "/customers/allocate/?customers=" + ids.format(hidden=hidden.pk, mine=jiangsu.pk)
    assert client_for(cast.head).get(url).status_code == 404


def test_a_visit_naming_a_customer_the_role_may_not_allocate_is_a_403(cast, client_for, jiangsu):
    response = client_for(cast.kam).get(f"/customers/allocate/?customers={jiangsu.pk}")
    assert response.status_code == 403


def test_a_refused_allocation_gives_the_address_that_shows_it_again(
    cast, client_for, jiangsu, bank
):
    client = client_for(cast.head)
    refused = client.post(
        "/customers/allocate/",
        {
            "customers": [jiangsu.pk, bank.pk],
            "new_owner": cast.account_manager.pk,
            "reason": " ",
            "next": "/customers/?grade=A",
        },
    )
    assert refused.status_code == 400
    again = refused.context["page_url"]
    assert again == (
        f"/customers/allocate/?customers={min(jiangsu.pk, bank.pk)}%2C{max(jiangsu.pk, bank.pk)}"
        "&next=%2Fcustomers%2F%3Fgrade%3DA"
    )
    assert f'data-ka-page-url="{again.replace("&", "&amp;")}"' in refused.content.decode()
    visit = client.get(again)
    assert visit.status_code == 200
    assert [c.pk for c in visit.context["customers"]] == sorted([jiangsu.pk, bank.pk])
    assert visit.context["form"]["next"].value() == "/customers/?grade=A"


def test_the_list_lets_the_head_tick_customers_at_every_width(cast, client_for, jiangsu):
    body = client_for(cast.head).get("/customers/").content.decode()
    box = re.search(r'<td class="([^"]*)"><label class="ka-tick"><input[^>]*name="customers"', body)
    assert box is not None and "d-none" not in box.group(1)
    form = re.search(r'<form id="ka-allocate"[^>]*>', body)
    assert form is not None and "d-none" not in form.group(0)
    assert "keyaccount/allocation.js" in body


# --- scorecard and grade ----------------------------------------------------------------


def scorecard_post(value: int, **overrides) -> dict:
    data = {}
    for code_ in ScoringFactor.objects.filter(is_active=True).values_list("code", flat=True):
        data[f"score_{code_}"] = str(value)
        data[f"why_{code_}"] = "拜访记录为证"
    data.update(overrides)
    return data


def test_saving_the_scorecard_gives_the_weighted_score_and_suggested_grade(
    cast, client_for, beijing
):
    client = client_for(cast.north_kam)
    response = client.post(f"/customers/{beijing.pk}/scores/", scorecard_post(4))
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{beijing.pk}/?tab=scorecard"
    beijing.refresh_from_db()
    assert (beijing.score, beijing.suggested_grade) == (Decimal("80.0"), "A")
    page = client.get(response["Location"])
    assert "weighted score 80.0, suggested grade A" in text(page)
    assert FactorScore.objects.filter(customer=beijing).count() == ScoringFactor.objects.count()


def test_a_partial_scorecard_is_saved_without_a_suggestion(cast, client_for, beijing):
    response = client_for(cast.north_kam).post(
        f"/customers/{beijing.pk}/scores/",
        {"score_reachability": "3", "why_reachability": "有渠道"},
    )
    assert response.status_code == 302
    beijing.refresh_from_db()
    assert (beijing.score, beijing.suggested_grade) == (None, "")
    assert FactorScore.objects.get(customer=beijing).score == 3


def test_a_score_without_justification_is_refused_on_its_factor(cast, client_for, beijing):
    before = snapshot()
    response = client_for(cast.north_kam).post(
        f"/customers/{beijing.pk}/scores/", scorecard_post(4, why_profitability="")
    )
    assert response.status_code == 400
    form = response.context["score_form"]
    assert list(form.errors) == ["why_profitability"]
    assert "justification" in form.errors["why_profitability"][0]
    assert snapshot() == before
    # the page re-rendered at the POST's URL still links its tabs to the customer page
    assert f'href="/customers/{beijing.pk}/?tab=contacts"' in response.content.decode()


def test_a_justification_without_a_score_is_refused(cast, client_for, beijing):
    response = client_for(cast.north_kam).post(
        f"/customers/{beijing.pk}/scores/", {"score_value": "", "why_value": "很重要"}
    )
    assert response.status_code == 400
    assert response.context["score_form"].errors["score_value"]


def test_a_score_out_of_range_is_refused(cast, client_for, beijing):
    response = client_for(cast.north_kam).post(
        f"/customers/{beijing.pk}/scores/", scorecard_post(4, score_value="9")
    )
    assert response.status_code == 400
    assert not FactorScore.objects.filter(customer=beijing).exists()


def test_a_grade_different_from_the_suggestion_needs_a_reason(cast, client_for, jiangsu):
    client = client_for(cast.team_lead)
    before = snapshot()
    refused = client.post(f"/customers/{jiangsu.pk}/grade/", {"grade": "C", "reason": ""})
    assert refused.status_code == 400
    assert "suggests A" in refused.context["grade_form"].errors["reason"][0]
    assert snapshot() == before
    done = client.post(f"/customers/{jiangsu.pk}/grade/", {"grade": "C", "reason": "预算冻结"})
    assert done.status_code == 302
    change = GradeChange.objects.filter(customer=jiangsu).first()
    assert (change.old_grade, change.new_grade, change.suggested_grade) == ("A", "C", "A")
    assert (change.changed_by, change.reason) == (cast.team_lead, "预算冻结")
    history = client.get(f"/customers/{jiangsu.pk}/?tab=scorecard")
    assert [g.new_grade for g in history.context["grade_changes"]] == ["C", "A"]


def test_the_grade_form_tells_the_suggestion(cast, client_for, jiangsu):
    page = text(client_for(cast.head).get(f"/customers/{jiangsu.pk}/?tab=scorecard"))
    assert "The scorecard suggests A. A different grade needs a reason." in re.sub(
        "<[^>]+>", "", page
    )


def test_an_unknown_grade_is_refused(cast, client_for, jiangsu):
    response = client_for(cast.head).post(f"/customers/{jiangsu.pk}/grade/", {"grade": "S"})
    assert response.status_code == 400
    assert response.context["grade_form"].errors["grade"]


# --- evaluations ------------------------------------------------------------------------


def evaluation_post(**overrides) -> dict:
    data = {
        "evaluated_on": timezone.localdate().isoformat(),
        "relationship": "4",
        "needs_clarity": "3",
        "competitive_position": "3",
        "solution_fit": "5",
        "payment_ability": "4",
        "summary": "与信息中心建立了定期沟通机制",
        "next_steps": "安排高层拜访",
    }
    data.update(overrides)
    return data


def test_an_evaluation_is_added_and_the_latest_is_highlighted(cast, client_for, jiangsu):
    client = client_for(cast.kam)
    older = evaluation_post(
        evaluated_on=(timezone.localdate() - timedelta(days=60)).isoformat(), summary="上次评估"
    )
    assert client.post(f"/customers/{jiangsu.pk}/evaluations/", older).status_code == 302
    response = client.post(f"/customers/{jiangsu.pk}/evaluations/", evaluation_post())
    assert response["Location"] == f"/customers/{jiangsu.pk}/?tab=evaluations"
    page = client.get(response["Location"])
    assert page.context["latest"]["evaluation"].summary == "与信息中心建立了定期沟通机制"
    assert [r["evaluation"].total for r in page.context["evaluations"]] == [19, 19]
    assert 'data-testid="latest-evaluation"' in page.content.decode()


def test_an_evaluation_in_the_future_or_out_of_range_is_refused(cast, client_for, jiangsu):
    client = client_for(cast.kam)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        f"/customers/{jiangsu.pk}/evaluations/", evaluation_post(evaluated_on=future)
    )
    assert response.status_code == 400
    assert response.context["evaluation_form"].errors["evaluated_on"]
    response = client.post(
        f"/customers/{jiangsu.pk}/evaluations/", evaluation_post(relationship="7")
    )
    assert response.status_code == 400
    assert Evaluation.objects.count() == 0


# --- navigation -------------------------------------------------------------------------


def test_the_navigation_has_customers_and_registrations_for_the_assistant(cast, client_for):
    def labels(user):
        return [str(i["label"]) for i in client_for(user).get("/customers/").context["nav_items"]]

    assert "Customers" in labels(cast.kam)
    assert "Registrations" not in labels(cast.kam)
    assert "Registrations" in labels(cast.assistant)
    active = [
        str(i["label"])
        for i in client_for(cast.assistant).get("/customers/registrations/").context["nav_items"]
        if i["active"]
    ]
    assert active == ["Registrations"]
