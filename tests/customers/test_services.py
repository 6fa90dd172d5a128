"""Customer services: registration, profile edits, allocation, scoring, grading, evaluations.
Every grade, owner and registration change leaves a row with who, when and why (issue 3)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from keyaccount.core import events
from keyaccount.core.versioning import StaleEditError
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

pytestmark = pytest.mark.usefixtures("english")

NAMES = {
    "kam": "王伟",
    "colleague": "李娜",
    "north_kam": "赵强",
    "team_lead": "陈静",
    "head": "周健",
    "director": "孙丽",
    "assistant": "林晓雨",
}


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def display_names(cast):
    for role, name in NAMES.items():
        user = getattr(cast, role)
        user.display_name = name
        user.save()


def code(n: int) -> str:
    body = f"91320000{n:09d}"
    return body + rules.credit_code_check_char(body)


def request(actor, name, *, confirm=True, **data):
    return services.registration_request(
        actor=actor, data={"name": name, **data}, confirm_not_duplicate=confirm
    )


def registered(cast, actor, name, **data) -> Customer:
    result = request(actor, name, **data)
    decider = cast.assistant if actor.unit_id in {cast.east.pk, cast.north.pk} else cast.admin
    services.registration_decide(actor=decider, request=result.request, approve=True)
    return Customer.objects.get(pk=result.request.customer_id)


def counts() -> tuple[int, ...]:
    return (
        Customer.objects.count(),
        RegistrationRequest.objects.count(),
        OwnerChange.objects.count(),
        GradeChange.objects.count(),
        FactorScore.objects.count(),
        Evaluation.objects.count(),
    )


def factor_codes() -> list[str]:
    return list(ScoringFactor.objects.filter(is_active=True).values_list("code", flat=True))


def all_scores(value: int) -> dict[str, tuple[int, str]]:
    return dict.fromkeys(factor_codes(), (value, "依据拜访记录"))


# --- registration request -------------------------------------------------------------


def test_a_kam_requests_a_registration_that_waits_for_the_assistant(cast):
    result = request(
        cast.kam, "  江苏省 华扬科技  有限公司 ", confirm=False, credit_code=code(1).lower()
    )
    assert result.needs_confirmation is False
    assert result.duplicates == []
    req = result.request
    assert (req.decision, req.requested_by, req.confirmed_not_duplicate, req.duplicates_shown) == (
        RegistrationRequest.Decision.PENDING,
        cast.kam,
        False,
        [],
    )
    customer = Customer.objects.get(pk=req.customer_id)
    assert customer.owner == cast.kam
    assert customer.status == RegistrationStatus.PENDING
    assert customer.name == "江苏省 华扬科技 有限公司"
    assert customer.credit_code == code(1)
    assert (customer.name_key, customer.core_key, customer.pinyin) == (
        "江苏省华扬科技",
        "华扬科技",
        "jsshykjyxgs",
    )
    assert customer.version == 1
    assert customer.history.get().history_user == cast.kam


def test_an_exact_duplicate_by_credit_code_is_refused_naming_the_owner(cast):
    registered(cast, cast.kam, "华扬科技有限公司", credit_code=code(1))
    before = counts()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        request(cast.north_kam, "另一个名字有限公司", credit_code=code(1))
    assert exc.value.message_dict == {
        "name": [
            "该公司已以“华扬科技有限公司”录入系统（已备案），负责人为 王伟。"
            "同一家公司不能由两位客户经理负责：请与对方或部门主管沟通。"
        ]
    }
    assert counts() == before


def test_an_exact_duplicate_by_normalised_name_is_refused_naming_the_owner(cast):
    registered(cast, cast.kam, "华扬科技有限公司")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        request(cast.colleague, "华扬 科技（集团）股份有限公司")
    (message,) = exc.value.message_dict["name"]
    assert "“华扬科技有限公司” (Registered), owned by 王伟." in message
    assert "Two managers cannot own the same company" in message
    assert counts() == before


def test_a_likely_duplicate_must_be_confirmed_before_the_request_is_made(cast):
    first = registered(cast, cast.north_kam, "江苏省电网运营有限公司", credit_code=code(2))
    before = counts()

    result = request(cast.kam, "江苏电网运营公司", confirm=False)

    assert result.request is None
    assert result.needs_confirmation is True
    assert [
        (d.id, d.name, d.owner_name, d.status, d.reason, d.similarity) for d in result.duplicates
    ] == [(first.pk, "江苏省电网运营有限公司", "赵强", "registered", "same_core_name", 0.95)]
    assert counts() == before


def test_a_confirmed_likely_duplicate_becomes_a_pending_request_recording_what_was_shown(cast):
    first = registered(cast, cast.north_kam, "江苏省电网运营有限公司")

    result = request(cast.kam, "江苏电网运营公司", confirm=True)

    req = result.request
    assert req.decision == RegistrationRequest.Decision.PENDING
    assert req.confirmed_not_duplicate is True
    assert req.duplicates_shown == [
        {"id": first.pk, "name": "江苏省电网运营有限公司", "reason": "same_core_name",
         "similarity": 0.95}
    ]  # fmt: skip
    req.refresh_from_db()
    assert req.duplicates_shown[0]["id"] == first.pk
    assert req.customer.status == RegistrationStatus.PENDING


@pytest.mark.parametrize("role", ["consultant", "assistant", "head", "director"])
def test_who_does_not_sell_cannot_request_a_registration(cast, role):
    before = counts()
    with pytest.raises(PermissionDenied):
        request(getattr(cast, role), "华扬科技有限公司")
    assert counts() == before


def test_an_invalid_credit_code_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        request(cast.kam, "华扬科技有限公司", credit_code="91320000134754395I")
    assert exc.value.message_dict == {
        "credit_code": ["The credit code contains characters that are never used in one: I."]
    }
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "The customer needs a name."),
        ("（ ）", "“（ ）” has nothing left once the legal form is removed."),
    ],
)
def test_a_request_needs_a_name(cast, name, message):
    with pytest.raises(ValidationError) as exc:
        request(cast.kam, name)
    assert exc.value.message_dict == {"name": [message]}


def test_negative_amounts_are_refused_except_profit(cast):
    with pytest.raises(ValidationError) as exc:
        request(cast.kam, "华扬科技", revenue=Decimal(-1), budget=Decimal(-5), profit=Decimal(-9))
    assert exc.value.message_dict == {
        "revenue": ["An amount here cannot be negative."],
        "budget": ["An amount here cannot be negative."],
    }
    result = request(cast.kam, "华扬科技", profit=Decimal("-900000.00"))
    assert result.request.customer.profit == Decimal("-900000.00")


# --- registration decision ------------------------------------------------------------


def test_the_assistant_approves_and_the_requester_owns_the_customer(cast):
    req = request(cast.kam, "华扬科技有限公司").request
    before = timezone.now()

    decided = services.registration_decide(actor=cast.assistant, request=req, approve=True)

    assert decided.decision == RegistrationRequest.Decision.APPROVED
    assert decided.decided_by == cast.assistant
    assert decided.decided_at >= before
    assert decided.reason == ""
    customer = Customer.objects.get(pk=req.customer_id)
    assert (customer.status, customer.owner, customer.version) == (
        RegistrationStatus.REGISTERED,
        cast.kam,
        2,
    )
    change = OwnerChange.objects.get(customer=customer)
    # the reason the system supplies is an event, read in the reader's language
    reason = events.render(change.reason)
    assert (change.old_owner, change.new_owner, change.changed_by, reason) == (
        None,
        cast.kam,
        cast.assistant,
        "Registration approved",
    )
    assert events.is_event(change.reason)
    assert change.changed_at >= before
    assert customer.history.order_by("-history_date").first().history_user == cast.assistant


def test_a_rejection_needs_a_reason(cast):
    req = request(cast.kam, "华扬科技有限公司").request
    with pytest.raises(ValidationError) as exc:
        services.registration_decide(actor=cast.assistant, request=req, approve=False, reason=" ")
    assert exc.value.message_dict == {"reason": ["Say why the registration is rejected."]}
    req.refresh_from_db()
    assert req.decision == RegistrationRequest.Decision.PENDING
    assert req.customer.status == RegistrationStatus.PENDING


def test_a_rejection_keeps_who_when_and_why_and_frees_the_name(cast):
    req = request(cast.kam, "华扬科技有限公司", credit_code=code(3)).request

    services.registration_decide(
        actor=cast.assistant, request=req, approve=False, reason="  与已有客户重复  "
    )

    req.refresh_from_db()
    assert (req.decision, req.decided_by, req.reason) == (
        RegistrationRequest.Decision.REJECTED,
        cast.assistant,
        "与已有客户重复",
    )
    assert req.decided_at is not None
    customer = req.customer
    assert customer.status == RegistrationStatus.REJECTED
    last = customer.history.order_by("-history_date").first()
    assert (last.history_user, last.history_change_reason) == (cast.assistant, "与已有客户重复")
    assert OwnerChange.objects.count() == 0
    # a rejected request does not block the company for anyone
    again = request(cast.colleague, "华扬科技股份有限公司", credit_code=code(3), confirm=False)
    assert again.request is not None
    assert again.duplicates == []


def test_a_request_cannot_be_decided_twice(cast):
    req = request(cast.kam, "华扬科技有限公司").request
    services.registration_decide(actor=cast.assistant, request=req, approve=True)
    with pytest.raises(ValidationError) as exc:
        services.registration_decide(actor=cast.admin, request=req, approve=False, reason="x")
    assert exc.value.messages == ["This request was already decided (Approved) by 林晓雨."]
    req.refresh_from_db()
    assert (req.decision, req.decided_by) == (RegistrationRequest.Decision.APPROVED, cast.assistant)
    assert OwnerChange.objects.count() == 1


@pytest.mark.parametrize(
    "role", ["kam", "colleague", "team_lead", "head", "director", "consultant"]
)
def test_only_the_assistant_decides_a_registration(cast, role):
    req = request(cast.kam, "华扬科技有限公司").request
    with pytest.raises(PermissionDenied):
        services.registration_decide(actor=getattr(cast, role), request=req, approve=True)
    req.refresh_from_db()
    assert req.decision == RegistrationRequest.Decision.PENDING
    assert req.customer.status == RegistrationStatus.PENDING
    assert OwnerChange.objects.count() == 0


def test_the_assistant_does_not_decide_for_another_department(cast):
    req = request(cast.outsider, "华扬科技有限公司").request
    with pytest.raises(PermissionDenied):
        services.registration_decide(actor=cast.assistant, request=req, approve=True)
    services.registration_decide(actor=cast.admin, request=req, approve=True)
    assert Customer.objects.get(pk=req.customer_id).status == RegistrationStatus.REGISTERED


# --- two KAMs cannot own the same company ---------------------------------------------


def test_a_second_request_for_the_same_company_is_shown_the_first(cast):
    request(cast.kam, "华扬科技有限公司", credit_code=code(4))
    with pytest.raises(ValidationError) as exc:
        request(cast.colleague, "ＨＵＡＹＡＮＧ华扬科技", credit_code=code(4))
    assert exc.value.message_dict["name"] == [
        "This company is already in the system as “华扬科技有限公司” (Awaiting registration), "
        "owned by 王伟. Two managers cannot own the same company: "
        "talk to them or to your department head."
    ]
    assert Customer.objects.filter(owner=cast.colleague).count() == 0


def test_a_customer_saved_outside_the_services_still_blocks_a_second_owner(cast):
    existing = Customer(owner=cast.colleague, name="华扬科技有限公司", status="registered")
    services.refresh_keys(existing)
    existing.save()
    with pytest.raises(ValidationError) as exc:
        request(cast.kam, "华扬科技股份有限公司")
    assert "owned by 李娜" in exc.value.message_dict["name"][0]
    assert list(Customer.objects.values_list("owner", flat=True)) == [cast.colleague.pk]


def test_when_the_duplicate_check_loses_a_race_the_constraint_names_the_winner(cast, monkeypatch):
    """The other request committed between our duplicate check and our save."""
    winner = Customer(owner=cast.colleague, name="华扬科技有限公司", credit_code=code(5))
    services.refresh_keys(winner)
    winner.save()
    real = services.find_likely_duplicates
    calls = []

    def check_before_the_winner_committed(**kwargs):
        calls.append(kwargs)
        return [] if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(services, "find_likely_duplicates", check_before_the_winner_committed)

    with pytest.raises(ValidationError) as exc:
        request(cast.kam, "华扬科技股份有限公司", credit_code=code(5))

    assert "owned by 李娜" in exc.value.message_dict["name"][0]
    assert Customer.objects.filter(owner=cast.kam).count() == 0
    assert RegistrationRequest.objects.count() == 0


def test_when_the_winner_commits_just_before_our_insert_the_unique_index_names_it(
    cast, monkeypatch
):
    """The database's unique constraint is the backstop for two simultaneous requests."""
    real_full_clean = Customer.full_clean

    def winner_commits_after_validation(self, *args, **kwargs):
        real_full_clean(self, *args, **kwargs)
        if self.pk is None and self.owner_id == cast.kam.pk:
            winner = Customer(owner=cast.colleague, name="华扬科技有限公司")
            services.refresh_keys(winner)
            winner.save()

    monkeypatch.setattr(Customer, "full_clean", winner_commits_after_validation)

    with pytest.raises(ValidationError) as exc:
        request(cast.kam, "华扬科技股份有限公司")

    assert "owned by 李娜" in exc.value.message_dict["name"][0]
    assert Customer.objects.filter(owner=cast.kam).count() == 0
    assert RegistrationRequest.objects.count() == 0


# --- profile edits --------------------------------------------------------------------


@pytest.fixture
def customer(cast) -> Customer:
    return registered(cast, cast.kam, "华扬科技有限公司", credit_code=code(10))


def test_an_edit_bumps_the_version_and_records_the_editor(cast, customer):
    assert customer.version == 2
    saved = services.customer_update(
        actor=cast.kam,
        customer=customer,
        data={"address": "南京市建邺区江东中路1号", "short_name": "华扬"},
        expected_version=2,
    )
    assert saved.version == 3
    customer.refresh_from_db()
    assert (customer.address, customer.short_name, customer.version) == (
        "南京市建邺区江东中路1号",
        "华扬",
        3,
    )
    assert customer.history.order_by("-history_date").first().history_user == cast.kam


def test_an_edit_of_the_name_refreshes_the_search_keys(cast, customer):
    services.customer_update(
        actor=cast.kam, customer=customer, data={"name": "江苏华扬智能科技有限公司"},
        expected_version=2,
    )  # fmt: skip
    customer.refresh_from_db()
    assert (customer.name_key, customer.core_key, customer.pinyin) == (
        "江苏华扬智能科技",
        "华扬智能科技",
        "jshyznkjyxgs",
    )


def test_a_stale_edit_is_refused_naming_who_changed_it_and_nothing_is_written(cast, customer):
    mine = Customer.objects.get(pk=customer.pk)
    theirs = Customer.objects.get(pk=customer.pk)
    services.customer_update(
        actor=cast.team_lead, customer=theirs, data={"address": "他们的地址"}, expected_version=2
    )
    history_rows = customer.history.count()

    with pytest.raises(StaleEditError) as exc:
        services.customer_update(
            actor=cast.kam, customer=mine, data={"address": "我的地址"}, expected_version=2
        )

    assert exc.value.changed_by == "陈静"
    assert exc.value.current_version == 3
    assert exc.value.message.startswith("陈静 changed this record at ")
    customer.refresh_from_db()
    assert (customer.address, customer.version) == ("他们的地址", 3)
    assert customer.history.count() == history_rows


def test_an_edit_with_an_invalid_credit_code_is_refused(cast, customer):
    with pytest.raises(ValidationError) as exc:
        services.customer_update(
            actor=cast.kam, customer=customer, data={"credit_code": code(11)[:17] + "Z"},
            expected_version=2,
        )  # fmt: skip
    assert exc.value.message_dict == {
        "credit_code": ["The credit code contains characters that are never used in one: Z."]
    }
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.credit_code, stored.version) == (code(10), 2)


def test_an_edit_that_makes_the_name_another_customers_is_refused(cast, customer):
    registered(cast, cast.north_kam, "江苏电网运营有限公司", credit_code=code(12))
    with pytest.raises(ValidationError) as exc:
        services.customer_update(
            actor=cast.kam, customer=customer, data={"name": "江苏电网运营股份有限公司"},
            expected_version=2,
        )  # fmt: skip
    expected = "“江苏电网运营有限公司” (Registered), owned by 赵强."
    assert expected in exc.value.message_dict["name"][0]
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name, stored.name_key, stored.version) == ("华扬科技有限公司", "华扬科技", 2)


def test_an_edit_that_takes_another_customers_credit_code_is_refused(cast, customer):
    registered(cast, cast.north_kam, "江苏电网运营有限公司", credit_code=code(12))
    with pytest.raises(ValidationError) as exc:
        services.customer_update(
            actor=cast.kam, customer=customer, data={"credit_code": code(12)}, expected_version=2
        )
    assert "owned by 赵强" in exc.value.message_dict["name"][0]
    assert Customer.objects.get(pk=customer.pk).credit_code == code(10)


def test_an_edit_keeping_its_own_name_and_code_is_not_a_duplicate_of_itself(cast, customer):
    services.customer_update(
        actor=cast.kam, customer=customer,
        data={"name": "华扬科技股份有限公司", "credit_code": code(10).lower()}, expected_version=2,
    )  # fmt: skip
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name, stored.credit_code, stored.version) == (
        "华扬科技股份有限公司",
        code(10),
        3,
    )


@pytest.mark.parametrize("role", ["colleague", "north_kam", "consultant", "outsider"])
def test_who_may_not_edit_the_profile_is_refused(cast, customer, role):
    with pytest.raises(PermissionDenied):
        services.customer_update(
            actor=getattr(cast, role), customer=customer, data={"address": "x"},
            expected_version=2,
        )  # fmt: skip
    assert Customer.objects.get(pk=customer.pk).address == ""


@pytest.mark.parametrize("role", ["team_lead", "head", "director", "assistant", "admin"])
def test_managers_and_the_assistant_may_edit_the_profile(cast, customer, role):
    services.customer_update(
        actor=getattr(cast, role), customer=customer, data={"address": "地址"}, expected_version=2
    )
    assert Customer.objects.get(pk=customer.pk).address == "地址"


def test_a_profile_edit_does_not_undo_a_grade_or_score_set_meanwhile(cast, customer):
    """Grades and scores are not profile fields: saving a form opened earlier keeps them."""
    opened = Customer.objects.get(pk=customer.pk)
    services.scores_save(actor=cast.kam, customer=customer, scores=all_scores(4))
    services.grade_set(actor=cast.head, customer=customer, grade="B", reason="投入有限，先按B级")

    services.customer_update(
        actor=cast.kam, customer=opened, data={"address": "新地址"}, expected_version=2
    )

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.address, stored.grade, stored.suggested_grade, stored.score) == (
        "新地址",
        "B",
        "A",
        Decimal("80.0"),
    )


# --- allocation -----------------------------------------------------------------------


@pytest.fixture
def east_customers(cast) -> list[Customer]:
    return [
        registered(cast, cast.kam, "华扬科技有限公司"),
        registered(cast, cast.kam, "金陵商业银行股份有限公司"),
        registered(cast, cast.colleague, "宁波港口装备股份有限公司"),
    ]


def owners(customers) -> list[int]:
    return [Customer.objects.get(pk=c.pk).owner_id for c in customers]


def test_the_head_allocates_in_bulk_and_each_move_is_a_row(cast, east_customers):
    before = timezone.now()
    moved = services.customers_allocate(
        actor=cast.head, customers=east_customers, new_owner=cast.north_kam,
        reason="  华北团队承接华东存量客户 ",
    )  # fmt: skip

    assert moved == 3
    assert owners(east_customers) == [cast.north_kam.pk] * 3
    rows = OwnerChange.objects.filter(changed_by=cast.head).order_by("customer__name")
    assert [(r.customer.name, r.old_owner, r.new_owner, r.reason) for r in rows] == sorted(
        [
            ("华扬科技有限公司", cast.kam, cast.north_kam, "华北团队承接华东存量客户"),
            ("金陵商业银行股份有限公司", cast.kam, cast.north_kam, "华北团队承接华东存量客户"),
            (
                "宁波港口装备股份有限公司",
                cast.colleague,
                cast.north_kam,
                "华北团队承接华东存量客户",
            ),
        ]
    )
    assert all(r.changed_at >= before for r in rows)
    stored = Customer.objects.get(pk=east_customers[0].pk)
    assert stored.version == 3
    last = stored.history.order_by("-history_date").first()
    assert (last.history_user, last.history_change_reason) == (
        cast.head,
        "华北团队承接华东存量客户",
    )


def test_allocating_to_the_current_owner_moves_nothing(cast, east_customers):
    before = OwnerChange.objects.count()
    moved = services.customers_allocate(
        actor=cast.head, customers=east_customers[:2], new_owner=cast.kam, reason="确认归属"
    )
    assert moved == 0
    assert OwnerChange.objects.count() == before


def test_an_allocation_needs_a_reason(cast, east_customers):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.customers_allocate(
            actor=cast.head, customers=east_customers, new_owner=cast.north_kam, reason="  "
        )
    assert exc.value.message_dict == {"reason": ["Say why the customers are (re)allocated."]}
    assert counts() == before
    assert owners(east_customers) == [cast.kam.pk, cast.kam.pk, cast.colleague.pk]


@pytest.mark.parametrize("role", ["director", "team_lead", "assistant", "kam", "consultant"])
def test_only_the_head_allocates(cast, east_customers, role):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.customers_allocate(
            actor=getattr(cast, role), customers=east_customers, new_owner=cast.north_kam,
            reason="调整",
        )  # fmt: skip
    assert counts() == before
    assert owners(east_customers) == [cast.kam.pk, cast.kam.pk, cast.colleague.pk]


@pytest.mark.parametrize("target", ["consultant", "assistant", "director", "head"])
def test_the_new_owner_must_sell(cast, east_customers, target):
    user = getattr(cast, target)
    with pytest.raises(ValidationError) as exc:
        services.customers_allocate(
            actor=cast.head, customers=east_customers, new_owner=user, reason="调整"
        )
    assert exc.value.message_dict == {
        "new_owner": [f"{user} does not sell: choose a key account manager or account manager."]
    }
    assert owners(east_customers) == [cast.kam.pk, cast.kam.pk, cast.colleague.pk]


def test_an_inactive_seller_cannot_receive_customers(cast, east_customers):
    cast.north_kam.is_active = False
    cast.north_kam.save()
    with pytest.raises(ValidationError):
        services.customers_allocate(
            actor=cast.head, customers=east_customers, new_owner=cast.north_kam, reason="调整"
        )
    assert owners(east_customers) == [cast.kam.pk, cast.kam.pk, cast.colleague.pk]


def test_the_new_owner_must_be_in_the_heads_department(cast, east_customers):
    with pytest.raises(ValidationError) as exc:
        services.customers_allocate(
            actor=cast.head, customers=east_customers, new_owner=cast.outsider, reason="调整"
        )
    assert exc.value.message_dict == {"new_owner": [f"{cast.outsider} is not in your department."]}
    assert owners(east_customers) == [cast.kam.pk, cast.kam.pk, cast.colleague.pk]


def test_a_customer_outside_the_heads_department_cannot_be_allocated(cast, east_customers):
    theirs = registered(cast, cast.outsider, "市场部自有客户有限公司")
    before = counts()
    with pytest.raises(PermissionDenied):
        services.customers_allocate(
            actor=cast.head, customers=[*east_customers, theirs], new_owner=cast.north_kam,
            reason="调整",
        )  # fmt: skip
    assert counts() == before
    assert owners([*east_customers, theirs]) == [
        cast.kam.pk, cast.kam.pk, cast.colleague.pk, cast.outsider.pk,
    ]  # fmt: skip


def test_an_administrator_allocates_across_departments(cast):
    theirs = registered(cast, cast.outsider, "市场部自有客户有限公司")
    moved = services.customers_allocate(
        actor=cast.admin, customers=[theirs], new_owner=cast.kam, reason="并入大客户部"
    )
    assert moved == 1
    assert owners([theirs]) == [cast.kam.pk]


def test_allocation_makes_an_open_edit_stale(cast, customer):
    opened = Customer.objects.get(pk=customer.pk)
    services.customers_allocate(
        actor=cast.head, customers=[customer], new_owner=cast.colleague, reason="调整"
    )
    with pytest.raises(StaleEditError) as exc:
        services.customer_update(
            actor=cast.kam, customer=opened, data={"address": "x"}, expected_version=2
        )
    assert exc.value.changed_by == "周健"
    assert Customer.objects.get(pk=customer.pk).owner == cast.colleague


# --- scoring --------------------------------------------------------------------------


def test_scores_need_a_justification_a_range_and_a_known_factor(cast, customer):
    with pytest.raises(ValidationError) as exc:
        services.scores_save(
            actor=cast.kam,
            customer=customer,
            scores={
                "reachability": (3, "  "),
                "profitability": (6, "很赚钱"),
                "value": (-1, ""),
                "astrology": (5, "星象很好"),
            },
        )
    assert exc.value.message_dict == {
        "reachability": ["Give a short justification for the score."],
        "profitability": ["A score is between 0 and 5."],
        "value": ["A score is between 0 and 5.", "Give a short justification for the score."],
        "astrology": ["Unknown scoring factor."],
    }
    assert FactorScore.objects.count() == 0


def test_an_inactive_factor_cannot_be_scored(cast, customer):
    ScoringFactor.objects.filter(code="size").update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.scores_save(actor=cast.kam, customer=customer, scores={"size": (5, "很大")})
    assert exc.value.message_dict == {"size": ["Unknown scoring factor."]}


def test_the_score_and_suggestion_appear_once_every_factor_is_scored(cast, customer):
    codes = factor_codes()
    assert len(codes) == 10
    partial = dict.fromkeys(codes[:9], (5, "很好"))
    assert services.scores_save(actor=cast.kam, customer=customer, scores=partial) == (None, "")
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.score, stored.suggested_grade) == (None, "")

    result = services.scores_save(actor=cast.kam, customer=customer, scores={codes[9]: (5, "很好")})

    assert result == (Decimal("100.0"), "A")
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.score, stored.suggested_grade) == (Decimal("100.0"), "A")
    assert (customer.score, customer.suggested_grade) == (Decimal("100.0"), "A")


def test_rescoring_recomputes_the_suggestion_and_keeps_the_history(cast, customer):
    services.scores_save(actor=cast.kam, customer=customer, scores=all_scores(4))
    assert Customer.objects.get(pk=customer.pk).suggested_grade == "A"

    result = services.scores_save(actor=cast.team_lead, customer=customer, scores=all_scores(3))

    assert result == (Decimal("60.0"), "C")
    row = FactorScore.objects.get(customer=customer, factor__code="value")
    assert (row.score, row.justification, row.scored_by) == (3, "依据拜访记录", cast.team_lead)
    history = list(row.history.order_by("history_date").values_list("score", "history_user"))
    assert history == [(4, None), (3, cast.team_lead.pk)]


def test_the_default_scorecard_does_not_make_a_big_company_an_a(cast, customer):
    scores = dict.fromkeys(factor_codes(), (2, "一般")) | {"size": (5, "年收入千亿")}
    assert services.scores_save(actor=cast.kam, customer=customer, scores=scores) == (
        Decimal("43.0"),
        "D",
    )


@pytest.mark.parametrize("role", ["colleague", "assistant", "consultant", "north_kam"])
def test_who_is_not_owner_or_manager_cannot_score(cast, customer, role):
    with pytest.raises(PermissionDenied):
        services.scores_save(actor=getattr(cast, role), customer=customer, scores=all_scores(4))
    assert FactorScore.objects.count() == 0


def test_zero_weighted_factors_need_no_score(cast, customer):
    ScoringFactor.objects.filter(code="size").update(weight=Decimal(0))
    scores = {c: (4, "好") for c in factor_codes() if c != "size"}
    assert services.scores_save(actor=cast.kam, customer=customer, scores=scores) == (
        Decimal("80.0"),
        "A",
    )


# --- grading --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["kam", "colleague", "assistant", "consultant", "north_kam"])
def test_only_a_manager_sets_the_grade(cast, customer, role):
    with pytest.raises(PermissionDenied):
        services.grade_set(actor=getattr(cast, role), customer=customer, grade="A", reason="x")
    assert GradeChange.objects.count() == 0
    assert Customer.objects.get(pk=customer.pk).grade == ""


def test_a_grade_differing_from_the_suggestion_needs_a_reason(cast, customer):
    services.scores_save(actor=cast.kam, customer=customer, scores=all_scores(4))
    with pytest.raises(ValidationError) as exc:
        services.grade_set(actor=cast.team_lead, customer=customer, grade="B", reason=" ")
    assert exc.value.message_dict == {
        "reason": ["The scorecard suggests A: say why the customer is graded B."]
    }
    assert GradeChange.objects.count() == 0
    assert Customer.objects.get(pk=customer.pk).grade == ""


def test_every_grade_set_is_a_row_with_old_new_suggested_score_who_and_why(cast, customer):
    services.scores_save(actor=cast.kam, customer=customer, scores=all_scores(4))
    first = services.grade_set(actor=cast.team_lead, customer=customer, grade="A")
    second = services.grade_set(
        actor=cast.director, customer=customer, grade="C", reason="  预算冻结两年 "
    )
    assert [
        (g.old_grade, g.new_grade, g.suggested_grade, g.score, g.changed_by, g.reason)
        for g in GradeChange.objects.filter(customer=customer).order_by("id")
    ] == [
        ("", "A", "A", Decimal("80.0"), cast.team_lead, ""),
        ("A", "C", "A", Decimal("80.0"), cast.director, "预算冻结两年"),
    ]
    assert first.changed_at <= second.changed_at
    assert Customer.objects.get(pk=customer.pk).grade == "C"
    assert customer.grade == "C"


def test_the_team_lead_cannot_grade_the_north_teams_customer(cast):
    theirs = registered(cast, cast.north_kam, "冀北电力有限公司")
    with pytest.raises(PermissionDenied):
        services.grade_set(actor=cast.team_lead, customer=theirs, grade="A", reason="x")
    services.grade_set(actor=cast.head, customer=theirs, grade="A")
    assert Customer.objects.get(pk=theirs.pk).grade == "A"


def test_without_a_suggestion_any_grade_needs_no_reason(cast, customer):
    change = services.grade_set(actor=cast.head, customer=customer, grade="D")
    assert (change.suggested_grade, change.score, change.reason) == ("", None, "")


def test_an_unknown_grade_is_refused(cast, customer):
    with pytest.raises(ValidationError) as exc:
        services.grade_set(actor=cast.head, customer=customer, grade="E", reason="x")
    assert exc.value.message_dict == {"grade": ["A grade is A, B, C or D."]}
    assert GradeChange.objects.count() == 0


# --- evaluations ----------------------------------------------------------------------


def evaluation_data(days_ago: int, **extra):
    return {
        "evaluated_on": timezone.localdate() - timedelta(days=days_ago),
        "relationship": 3,
        "needs_clarity": 4,
        "competitive_position": 2,
        "solution_fit": 5,
        "payment_ability": 4,
        "summary": "与信息中心建立了定期沟通机制",
        **extra,
    }


def test_an_evaluation_dated_in_the_future_is_refused(cast, customer):
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(actor=cast.kam, customer=customer, data=evaluation_data(-1))
    assert exc.value.message_dict == {
        "evaluated_on": ["An evaluation cannot be dated in the future."]
    }
    assert Evaluation.objects.count() == 0


def test_evaluations_are_all_kept_latest_first(cast, customer):
    for days_ago in (90, 0, 30):
        services.evaluation_create(
            actor=cast.kam, customer=customer, data=evaluation_data(days_ago)
        )
    today = timezone.localdate()
    assert [e.evaluated_on for e in customer.evaluations.all()] == [
        today,
        today - timedelta(days=30),
        today - timedelta(days=90),
    ]
    latest = customer.evaluations.first()
    assert (latest.total, latest.evaluated_by) == (18, cast.kam)


def test_an_evaluation_without_a_date_is_dated_today(cast, customer):
    data = evaluation_data(0)
    del data["evaluated_on"]
    evaluation = services.evaluation_create(actor=cast.team_lead, customer=customer, data=data)
    assert evaluation.evaluated_on == timezone.localdate()


def test_an_evaluation_score_outside_1_to_5_is_refused(cast, customer):
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(
            actor=cast.kam, customer=customer, data=evaluation_data(0, relationship=6)
        )
    assert list(exc.value.message_dict) == ["relationship"]
    assert Evaluation.objects.count() == 0


@pytest.mark.parametrize("role", ["assistant", "colleague", "consultant"])
def test_who_may_not_score_may_not_evaluate(cast, customer, role):
    with pytest.raises(PermissionDenied):
        services.evaluation_create(
            actor=getattr(cast, role), customer=customer, data=evaluation_data(0)
        )
    assert Evaluation.objects.count() == 0


# --- the trail ------------------------------------------------------------------------


def test_every_registration_owner_and_grade_change_leaves_who_when_and_why(cast):
    start = timezone.now()
    req = request(cast.kam, "华扬科技有限公司").request
    services.registration_decide(actor=cast.assistant, request=req, approve=True)
    customer = Customer.objects.get(pk=req.customer_id)
    services.customers_allocate(
        actor=cast.head, customers=[customer], new_owner=cast.colleague, reason="客户迁至苏州"
    )
    services.grade_set(actor=cast.team_lead, customer=customer, grade="B", reason="战略客户")

    req.refresh_from_db()
    assert (req.decided_by, req.decision) == (cast.assistant, "approved")
    assert req.decided_at >= start
    assert [
        (o.old_owner, o.new_owner, o.changed_by, events.render(o.reason))
        for o in customer.owner_changes.order_by("id")
    ] == [
        (None, cast.kam, cast.assistant, "Registration approved"),
        (cast.kam, cast.colleague, cast.head, "客户迁至苏州"),
    ]
    assert all(o.changed_at >= start for o in customer.owner_changes.all())
    grade = customer.grade_changes.get()
    assert (grade.changed_by, grade.new_grade, grade.reason) == (cast.team_lead, "B", "战略客户")
    assert grade.changed_at >= start
