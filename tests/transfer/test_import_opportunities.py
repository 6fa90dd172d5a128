"""Opportunities imported with their history: the rules (no database), the service, and the
sheet of the import pipeline (another CRM's headers, stage and status words, owners by name)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from keyaccount.core import events
from keyaccount.pipeline import rollup, rules, services
from keyaccount.pipeline.models import Contract, KeyElement, LossReason, Opportunity
from keyaccount.process.models import Stage
from keyaccount.transfer import importing

from ..pipeline_support import registered_customer
from .test_import import csv_bytes

TODAY = date(2026, 12, 1)


def deal(**changes) -> rules.ImportedDeal:
    base = {
        "customer_id": 1, "name": "调度系统", "amount": Decimal(100), "currency": "CNY",
        "expected_signing": TODAY, "owner_id": 1, "stage_id": 1, "step_id": None,
    }  # fmt: skip
    return rules.ImportedDeal(**(base | changes))


# --- rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"created_on": TODAY + timedelta(days=1)}, "created_on"),
        ({"closed_on": TODAY}, "closed_on"),  # open deals have no close date
        ({"status": "won"}, "closed_on"),  # closed ones need it
        ({"status": "lost", "closed_on": TODAY + timedelta(days=1)}, "closed_on"),
        ({"status": "won", "created_on": TODAY, "closed_on": TODAY - timedelta(days=1)},
         "closed_on"),
        ({"contract_number": "HT-1"}, "contract_number"),
        ({"status": "lost", "closed_on": TODAY, "signed_amount": Decimal(5)}, "signed_amount"),
        ({"status": "won", "closed_on": TODAY, "signed_amount": Decimal(-1)}, "signed_amount"),
        ({"status": "won", "closed_on": TODAY, "loss_reason_id": 3}, "loss_reason"),
        ({"winner_id": 3}, "winner"),
        ({"amount": None}, "amount"),
        ({"name": " "}, "name"),
        ({"expected_signing": None}, "expected_signing"),
    ],
)  # fmt: skip
def test_an_imported_deal_is_refused_on_the_field_at_fault(changes, field):
    problems = rules.imported_problems(deal(**changes), today=TODAY)
    assert list(problems) == [field]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"created_on": TODAY},
        {"status": "won", "created_on": TODAY - timedelta(days=90), "closed_on": TODAY,
         "contract_number": "HT-1", "signed_amount": Decimal(90)},
        {"status": "lost", "closed_on": TODAY, "loss_reason_id": 1, "winner_id": 2},
        {"status": "abandoned", "closed_on": TODAY - timedelta(days=400)},
    ],
)  # fmt: skip
def test_an_imported_deal_that_holds_together_passes(changes):
    assert rules.imported_problems(deal(**changes), today=TODAY) == {}


# --- the service ----------------------------------------------------------------------------


@pytest.fixture
def customer(cast):
    return registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=0)


def stage(order: int) -> Stage:
    return Stage.objects.get(order=order)


def test_a_won_deal_comes_in_with_its_dates_contract_and_one_imported_transition(cast, customer):
    created, closed = date(2025, 3, 3), date(2025, 9, 30)
    [pk] = services.opportunities_import(
        actor=cast.admin,
        source="crm.csv",
        deals=[
            deal(customer_id=customer.pk, owner_id=cast.kam.pk, stage_id=stage(6).pk,
                 status="won", created_on=created, closed_on=closed, expected_signing=closed,
                 contract_number="HT-2025-9", signed_amount=Decimal("1200000.00"))
        ],
    )  # fmt: skip
    opp = Opportunity.objects.get(pk=pk)
    assert opp.status == "won" and opp.stage.order == 6
    assert timezone.localtime(opp.closed_at).date() == closed
    assert timezone.localtime(opp.created_at).date() == created
    assert opp.amount == Decimal("1200000.00") and opp.owner_unit_id == cast.east.pk
    assert opp.weighted == rules.weighted_amount(opp.amount, stage(6).probability)
    [move] = opp.transitions.all()
    assert move.kind == rules.Move.IMPORTED and move.actor == cast.admin
    assert timezone.localtime(move.at).date() == created and not move.overridden
    with translation.override("en"):
        assert "gates were not run" in events.render(move.reason)
        assert "crm.csv" in events.render(move.reason)
    contract = Contract.objects.get(opportunity=opp)
    assert (contract.number, contract.amount, contract.signed_on) == (
        "HT-2025-9",
        Decimal("1200000.00"),
        closed,
    )
    assert KeyElement.objects.filter(opportunity=opp).count() == len(rules.Element.values)
    assert opp.history.get().history_user == cast.admin
    assert contract.history.get().history_type == "+"
    assert rollup.drift() == 0
    assert Opportunity.objects.filter(name__icontains="调度").count() == 1  # the search index


def test_a_won_deal_without_a_contract_number_gets_one_to_correct(cast, customer):
    [pk] = services.opportunities_import(
        actor=cast.director,
        source="crm.csv",
        deals=[deal(customer_id=customer.pk, owner_id=cast.kam.pk, stage_id=stage(6).pk,
                    status="won", closed_on=TODAY - timedelta(days=3))],
    )  # fmt: skip
    assert Contract.objects.get(opportunity_id=pk).number == f"IMP-{pk}"


def test_a_deal_imported_lost_spent_its_time_in_its_stage_until_it_was_lost(cast, customer):
    from keyaccount.pipeline import selectors

    [pk] = services.opportunities_import(
        actor=cast.admin,
        source="crm.csv",
        deals=[deal(customer_id=customer.pk, owner_id=cast.kam.pk, stage_id=stage(4).pk,
                    status="lost", created_on=date(2025, 1, 1), closed_on=date(2025, 3, 2))],
    )  # fmt: skip
    opp = Opportunity.objects.get(pk=pk)
    [visit] = selectors.stage_durations(list(opp.transitions.all()), timezone.now(), opp.closed_at)
    assert visit["stage"].order == 4 and visit["days"] == 60


def test_only_an_administrator_or_the_sales_director_imports_history(cast, customer):
    lost = deal(customer_id=customer.pk, owner_id=cast.kam.pk, stage_id=stage(3).pk)
    for actor in (cast.kam, cast.head, cast.team_lead):
        with pytest.raises(ValidationError) as refused:
            services.opportunities_import(actor=actor, source="x.csv", deals=[lost])
        assert list(refused.value.message_dict) == ["1.owner_id"]
    assert not Opportunity.objects.exists()


def test_one_bad_deal_refuses_them_all_naming_it(cast, customer):
    good = deal(customer_id=customer.pk, owner_id=cast.kam.pk, stage_id=stage(2).pk)
    taken = deal(customer_id=customer.pk, owner_id=cast.kam.pk, stage_id=stage(6).pk,
                 status="won", closed_on=TODAY - timedelta(days=1), contract_number="HT-1",
                 name="另一个")  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.opportunities_import(actor=cast.admin, source="x", deals=[good, taken, taken])
    assert list(refused.value.message_dict) == ["3.contract_number"]  # the second use
    assert not Opportunity.objects.exists()


# --- the import sheet -----------------------------------------------------------------------

CRM_HEADER = ["Account", "Opportunity", "Sales Agent", "Deal Stage", "Amount", "Engage Date",
              "Close Date", "Status", "Close Value", "Loss reason"]  # fmt: skip


def crm_file(customer_name: str, *rows: list) -> bytes:
    return csv_bytes([CRM_HEADER, *rows])


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_another_crms_export_comes_in_and_a_second_import_changes_nothing(cast, customer, english):
    cast.kam.first_name, cast.kam.last_name = "Wei", "Zhang"
    cast.kam.save()
    price = LossReason.objects.get(code="price")
    data = crm_file(
        customer.name,
        [customer.name, "调度升级", "Wei Zhang", "Proposal", "380万", "2025-11-03",
         "2027-06-30", "open", "", ""],
        [customer.name, "配网自动化", "kam", "", "1200000", "2025-01-10", "2025-06-30", "Won",
         "1150000", ""],
        [customer.name, "营销系统", "kam", "Tender", "2000000", "2025-02-01", "2025-08-01",
         "Lost", "", price.name_en],
    )  # fmt: skip
    plan = importing.preview(user=cast.admin, file_name="crm.csv", data=data)
    assert [s.kind for s in plan.sheets] == ["opportunities"]
    assert [r.action for r in plan.rows] == ["create"] * 3, [r.problems for r in plan.rows]
    open_row = next(plan.rows)
    assert ["Deal Stage", "", "3 Proposal"] in open_row.changes
    batch = importing.save_batch(user=cast.admin, plan=plan)
    outcome = importing.commit(actor=cast.admin, batch=batch, plan=plan)
    assert outcome.committed, [r.problems for r in outcome.plan.rows]
    assert outcome.counts == {"opportunities_created": 3}
    opps = {o.name: o for o in Opportunity.objects.select_related("stage")}
    assert opps["调度升级"].stage.order == 3 and opps["调度升级"].amount == Decimal("3800000.00")
    assert opps["调度升级"].owner == cast.kam and opps["调度升级"].status == "open"
    assert opps["调度升级"].expected_signing == date(2027, 6, 30)  # an open deal's close date
    assert opps["配网自动化"].status == "won" and opps["配网自动化"].amount == Decimal("1150000")
    assert opps["配网自动化"].expected_signing == date(2025, 6, 30)
    assert opps["营销系统"].loss_reason == price and opps["营销系统"].stage.order == 4
    again = importing.preview(user=cast.admin, file_name="crm.csv", data=data)
    assert [r.action for r in again.rows] == ["unchanged"] * 3
    assert Opportunity.objects.count() == 3


def test_every_bad_cell_is_named_by_row_and_column(cast, customer, english):
    data = crm_file(
        customer.name,
        [customer.name, "A", "kam", "Closing", "100", "", "", "", "", ""],
        [customer.name, "B", "nobody", "1", "100", "", "", "", "", ""],
        [customer.name, "C", "kam", "1", "100", "", "", "maybe", "", ""],
        ["没有这家公司", "D", "kam", "1", "100", "", "", "", "", ""],
        [customer.name, "E", "kam", "1", "100", "2025-02-01", "2025-01-01", "won", "", ""],
        [customer.name, "F", "kam", "2", "100", "", "", "", "", ""],
        [customer.name, "G", "kam", "2", "100", "", "2027-01-01", "", "", ""],
        [customer.name, "g ", "kam", "2", "100", "", "2027-01-01", "", "", ""],
    )  # fmt: skip
    plan = importing.preview(user=cast.admin, file_name="crm.csv", data=data)
    problems = {(p.row, p.column): p.message for r in plan.rows for p in r.problems}
    assert "There is no stage “Closing”" in problems[(2, "Deal Stage")]
    assert "“nobody”" in problems[(3, "Sales Agent")]
    assert "not “maybe”" in problems[(4, "Status")]
    assert "No customer you can see" in problems[(5, "Account")]
    assert "before the date the deal was created" in problems[(6, "Close Date")]
    assert problems[(7, "")] == "Give the expected signing date."  # no such column
    assert "Row 8 of this sheet is the same deal" in problems[(9, "Opportunity")]
    assert [r.action for r in plan.rows] == ["error"] * 6 + ["create", "error"]


def test_a_kam_may_not_import_deals_with_history(cast, customer, english):
    data = crm_file(customer.name, [customer.name, "A", "", "2", "100", "", "", "", "", ""])
    plan = importing.preview(user=cast.kam, file_name="crm.csv", data=data)
    [row] = plan.rows
    assert row.action == "error"
    assert "Only an administrator or the owner's sales director" in row.problems[0].message
