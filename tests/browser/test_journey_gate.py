"""The gate and the first hour of issue 8, in the browser.

- The won dialog: a deal at step 5.1 is recorded as won before its negotiation is done: the
  submit is refused with a message at the button and what is missing, where "Contract signed"
  is not (recording the contract is what satisfies it); done right, the deal is won and in
  implementation there is one state and one message, up to the last step.
- An evidence criterion turns met when its fact is recorded: "Decision process and decision
  makers mapped", once a decision maker is added on the power map page (whose nodes, like the
  org chart's, show a tooltip drawn on the canvas: no CSP violation).
- A consultant on the team may not tick a criterion that is not theirs: no checkbox, "who may"
  shown; a forged POST answers 403 with the message on the row.
- History in the reader's language: a sales director overrides a gate in Chinese, an English
  reader sees what was missing in English (and the department head reviews it on the overrides
  page); a customer's "Registration approved" reads in each reader's language.
- The home page's pending work of the assistant and of the sales director (counts, links,
  following one lands on the work), and the bell: a reallocation by the department head tells
  the new owner; opening the notification marks it read and lands on the customer.

Screenshots in both languages and on a phone go to ``test-artifacts/gate-*.png``. Assertions
lean on data-testids, names from the database and the English catalog (the zh-Hans entries of
the new texts are still being written): Chinese pages are checked through the playbook's and
the people's Chinese names.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create
from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer, RegistrationRequest
from keyaccount.org.models import Industry, Notification, Region, User
from keyaccount.pipeline import rules, services
from keyaccount.pipeline.models import (
    CriterionCheck,
    Opportunity,
    PaymentMilestone,
    RiskAssessment,
    StageTransition,
)
from keyaccount.process.models import ExitCriterion, Stage, Step

from ..conftest import Cast
from ..pipeline_support import advance_to, high_risk_scores, satisfy_stage
from .conftest import shot
from .pipeline_pages import (
    assert_fits_phone,
    check_criterion,
    close_dialog,
    criterion_row,
    expect_evidence,
    force_post,
    hover_axis,
    hover_nodes,
    open_dialog,
)
from .test_journey_customers import accept_refusal, sign_in, success_message
from .test_journey_foundation import expect_lang, switch_language
from .typeahead import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = {
    "kam": "王伟",
    "colleague": "李娜",
    "team_lead": "赵强",
    "consultant": "孙磊",
    "director": "刘洋",
    "head": "周健",
    "assistant": "林晓雨",
}
CUSTOMER = "江苏华扬电力集团有限公司"
DEAL = "调度自动化系统升级"
PEOPLE = [  # name, title, reports to
    ("张建国", "总经理", None),
    ("李明", "信息中心主任", "张建国"),
    ("王芳", "采购经理", "张建国"),
    ("陈刚", "调度处处长", "李明"),
]


def name_cast(cast: Cast) -> None:
    for role, display_name in NAMES.items():
        user = getattr(cast, role)
        user.display_name = display_name
        user.save()


def register(cast: Cast, name: str, *, approve: bool = True) -> RegistrationRequest:
    """The KAM asks to register ``name``; the assistant approves it (through the services)."""
    result = customer_services.registration_request(
        actor=cast.kam,
        data={
            "name": name,
            "region": Region.objects.get(code="CN-JS"),
            "industry": Industry.objects.get(code="manufacturing"),
        },
        confirm_not_duplicate=True,
    )
    assert result.request is not None
    if approve:
        customer_services.registration_decide(
            actor=cast.assistant, request=result.request, approve=True
        )
    return result.request


def seed_customer(cast: Cast) -> Customer:
    """A registered customer of the KAM with four contacts in reporting lines."""
    request = register(cast, CUSTOMER)
    customer = Customer.objects.get(pk=request.customer_id)
    made: dict[str, Contact] = {}
    for name, title, boss in PEOPLE:
        data: dict[str, object] = {"name": name, "title": title}
        if boss is not None:
            data["reports_to"] = made[boss]
        made[name] = contact_create(actor=cast.kam, customer=customer, data=data)
    return customer


def seed_deal(cast: Cast, customer: Customer, *, stage_order: int = 1) -> Opportunity:
    """The KAM's deal on ``customer``, walked through the gates by the services into the stage
    of ``stage_order`` (its first step)."""
    opp = services.opportunity_create(
        actor=cast.kam,
        customer=customer,
        data={
            "name": DEAL,
            "amount": Decimal("3800000"),
            "expected_signing": timezone.localdate() + timedelta(days=150),
        },
    )
    return advance_to(opp, actor=cast.kam, stage_order=stage_order)


def tick_manual(opp: Opportunity, actor: User, *, leave_open: str = "") -> None:
    """Tick the current stage's manual criteria (but ``leave_open``), as the team would."""
    opp.refresh_from_db()
    for c in ExitCriterion.objects.filter(stage_id=opp.stage_id, evidence=[]):
        if c.text_en != leave_open:
            services.criterion_set(actor=actor, opportunity=opp, criterion=c, checked=True)


def step_named(code: str) -> Step:
    return Step.objects.get(code=code)


def pending(page: Page, key: str) -> tuple[int, str]:
    """The count and the link of a pending-work item on the home page."""
    item = page.get_by_test_id("pending-work").get_by_test_id(f"pending-{key}")
    expect(item).to_be_visible()
    count = item.get_by_test_id("pending-count").inner_text()
    return int(count), str(item.get_attribute("href"))


def phone_of(new_page: Callable[..., Page], page: Page) -> Page:
    """A phone signed in as the same user as ``page``."""
    return new_page(phone=True, storage_state=page.context.storage_state())


def fill_contract(page: Page, number: str) -> None:
    form = page.locator("#ka-dialog").get_by_test_id("win-form")
    form.locator("input[name=contract_number]").fill(number)
    form.locator("input[name=signed_amount]").fill("360万")
    form.locator("input[name=signed_on]").fill(timezone.localdate().isoformat())
    form.locator("input[name=ms1_name]").fill("预付款")
    due = timezone.localdate() + timedelta(days=30)
    form.locator("input[name=ms1_due]").fill(due.isoformat())
    form.locator("input[name=ms1_percentage]").fill("30")


def submit_refused_win(page: Page, errors: list[str], opp: Opportunity) -> None:
    """Submit the won dialog of a deal whose gate is closed: refused (400), and the refusal
    stands right above the button, in view where the user clicked; the form keeps what was
    typed."""
    dialog = page.locator("#ka-dialog")
    dialog.get_by_test_id("win-submit").click()
    refused = dialog.get_by_test_id("submit-refused")
    expect(refused).to_be_visible()
    accept_refusal(page, errors, f"/pipeline/{opp.pk}/win/")
    expect(refused).to_be_in_viewport()
    refused_box, button_box = (
        refused.bounding_box(),
        dialog.get_by_test_id("win-submit").bounding_box(),
    )
    assert refused_box is not None and button_box is not None
    # right above the dialog's footer, where the button is
    assert 0 <= button_box["y"] - (refused_box["y"] + refused_box["height"]) < 120, (
        refused_box,
        button_box,
    )
    expect(dialog.locator("input[name=contract_number]")).not_to_have_value("")
    opp.refresh_from_db()
    assert opp.status == rules.Status.OPEN


# --- the won dialog --------------------------------------------------------------------------


def test_won_dialog_refuses_at_the_button_then_wins(
    new_page: Callable[..., Page], cast: Cast, browser_errors: list[str]
) -> None:
    name_cast(cast)
    opp = seed_deal(cast, seed_customer(cast), stage_order=5)
    assert opp.step.code == "negotiation_preparation"
    detail = f"/pipeline/{opp.pk}/"
    negotiation = Stage.objects.get(code="negotiation")
    manual = list(
        ExitCriterion.objects.filter(stage=negotiation, evidence=[]).order_by("order", "pk")
    )
    signed = ExitCriterion.objects.get(stage=negotiation, text_en__startswith="Contract signed")
    assert signed.evidence == [{"fact": "contract_signed"}]

    # 1. In Chinese, at 5.1: 赢单 → the dialog already lists what the gate still asks for, and
    #    the signed contract is not among it (recording the contract satisfies it).
    kam = sign_in(new_page, cast.kam)
    expect_lang(kam, "zh-hans")
    kam.goto(detail)
    expect(kam.get_by_test_id("stage")).to_contain_text(negotiation.name_zh)
    expect(kam.get_by_test_id("stage")).to_contain_text(
        step_named("negotiation_preparation").name_zh
    )
    expect(kam.get_by_test_id("action-win")).to_have_text("赢单")
    dialog = open_dialog(kam, "win")
    missing = dialog.get_by_test_id("gate-missing")
    for c in manual:
        expect(missing).to_contain_text(c.text_zh)
    expect(missing).not_to_contain_text(signed.text_zh)
    expect(dialog.get_by_test_id("submit-refused")).to_have_count(0)

    #    The contract is filled in and submitted: refused, said at the button, nothing recorded.
    fill_contract(kam, "HY-2026-0815")
    submit_refused_win(kam, browser_errors, opp)
    missing = kam.locator("#ka-dialog").get_by_test_id("gate-missing")
    for c in manual:
        expect(missing).to_contain_text(c.text_zh)
    expect(missing).not_to_contain_text(signed.text_zh)
    shot(kam, "gate-01-win-refused-zh")
    close_dialog(kam)

    # 2. The same in English, and on a phone.
    switch_language(kam, "EN")
    expect_lang(kam, "en")
    kam.goto(detail)
    dialog = open_dialog(kam, "win")
    fill_contract(kam, "HY-2026-0815")
    submit_refused_win(kam, browser_errors, opp)
    dialog = kam.locator("#ka-dialog")
    expect(dialog.get_by_test_id("submit-refused")).to_contain_text(
        "Not done: the gate is still closed."
    )
    expect(dialog.get_by_test_id("submit-refused")).to_contain_text("ask a sales director")
    for c in manual:
        expect(dialog.get_by_test_id("gate-missing")).to_contain_text(c.text_en)
    expect(dialog.get_by_test_id("gate-missing")).not_to_contain_text("Contract signed")
    shot(kam, "gate-01-win-refused-en")
    close_dialog(kam)

    phone = phone_of(new_page, kam)
    phone.goto(detail)
    open_dialog(phone, "win")
    fill_contract(phone, "HY-2026-0815")
    submit_refused_win(phone, browser_errors, opp)
    assert_fits_phone(phone, "the refused won dialog")
    shot(phone, "gate-01-win-refused-phone")
    assert not PaymentMilestone.objects.filter(contract__opportunity=opp).exists()

    # 3. Done right: the negotiation's criteria are ticked (through the services), the dialog
    #    lists nothing missing, and the same contract records the deal as won.
    tick_manual(opp, cast.kam)
    kam.reload()
    dialog = open_dialog(kam, "win")
    expect(dialog.get_by_test_id("gate-missing")).to_have_count(0)
    fill_contract(kam, "HY-2026-0815")
    dialog.get_by_test_id("win-submit").click()
    expect(kam).to_have_url(re.compile(rf"/pipeline/{opp.pk}/\?tab=contract$"))
    expect(success_message(kam)).to_contain_text("HY-2026-0815")
    expect(kam.get_by_test_id("status")).to_have_text("Won")
    expect(kam.get_by_test_id("stage")).to_contain_text("Implementation")
    opp.refresh_from_db()
    assert (opp.status, opp.stage.code, opp.step.code) == (
        rules.Status.WON,
        "implementation",
        "project_handover",
    )

    # 4. In implementation, one state and one message: the way on is "Next step", and what is
    #    still missing is what completes implementation (nothing says "closed; reopen it").
    kam.get_by_test_id("tab-process").click()
    expect(kam.get_by_test_id("action-move")).to_have_text("Next step")
    expect(kam.get_by_test_id("process-done")).to_have_count(0)
    box = kam.get_by_test_id("missing")
    expect(box).to_contain_text("To complete implementation:")
    expect(box).not_to_contain_text("Before the opportunity can leave this stage")
    expect(kam.locator("body")).not_to_contain_text("reopen it first")
    expect(kam.get_by_test_id("action-reopen")).to_have_count(0)
    shot(kam, "gate-01-won-implementation-en")

    #    The kick-off is ticked in the checklist, then on to delivery; the acceptance is
    #    recorded on the milestone (through the services): on to the last step, where the
    #    page says the process is at its end and what still completes it.
    check_criterion(kam, "Kick-off meeting held and hand-over to the delivery team completed")
    dialog = open_dialog(kam, "move")
    expect(dialog.get_by_test_id("gate-target")).to_contain_text("Delivery and acceptance")
    dialog.get_by_test_id("gate-confirm").click()
    expect(kam.get_by_test_id("stage")).to_contain_text("Delivery and acceptance")
    accepted = "Acceptance certificate signed"
    expect_evidence(kam, accepted, met=False, says="a payment milestone is accepted")
    milestone = PaymentMilestone.objects.get(contract__opportunity=opp)
    services.milestone_update(
        actor=cast.kam,
        milestone=milestone,
        data={"accepted_on": timezone.localdate()},
        expected_version=milestone.version,
    )
    kam.reload()
    expect_evidence(kam, accepted, met=True)
    dialog = open_dialog(kam, "move")
    expect(dialog.get_by_test_id("gate-target")).to_contain_text("Collection and service")
    dialog.get_by_test_id("gate-confirm").click()
    expect(kam.get_by_test_id("stage")).to_contain_text("Collection and service")
    expect(kam.get_by_test_id("process-done")).to_be_visible()
    expect(kam.get_by_test_id("action-move")).to_have_count(0)
    box = kam.get_by_test_id("missing")
    expect(box).to_contain_text("To complete implementation:")
    expect(box.get_by_test_id("missing-list")).to_contain_text("All payment milestones collected")
    expect(kam.locator("body")).not_to_contain_text("reopen it first")
    shot(kam, "gate-01-won-last-step-en")
    opp.refresh_from_db()
    assert (opp.status, opp.step.code) == (rules.Status.WON, "collection_service")


# --- an evidence criterion turns met -----------------------------------------------------------


def test_evidence_criterion_turns_met_on_the_power_map(
    new_page: Callable[..., Page], cast: Cast
) -> None:
    name_cast(cast)
    customer = seed_customer(cast)
    opp = seed_deal(cast, customer, stage_order=2)
    for contact in Contact.objects.filter(customer=customer):  # the power map starts empty
        if opp.buying_roles.filter(contact=contact).exists():
            services.buying_role_remove(actor=cast.kam, opportunity=opp, contact=contact)
    detail = f"/pipeline/{opp.pk}/"
    mapped = ExitCriterion.objects.get(text_en__startswith="Decision process and decision makers")
    coach = ExitCriterion.objects.get(text_en="At least one coach/supporter identified")

    # 1. The process tab in Chinese: the criteria the record answers show "not met" and where
    #    to record it, without a checkbox; the manual ones keep theirs.
    kam = sign_in(new_page, cast.kam)
    kam.goto(detail)
    expect(kam.get_by_test_id("stage")).to_contain_text("立项")
    row = expect_evidence(kam, mapped.text_zh, met=False)
    expect(row.get_by_test_id("evidence-link")).to_have_attribute(
        "href", f"/pipeline/{opp.pk}/power-map/"
    )
    expect_evidence(kam, coach.text_zh, met=False)
    expect_evidence(kam, "项目预算已确认", met=True)
    manual = criterion_row(kam, "客户项目已正式立项")
    expect(manual.get_by_test_id("criterion-checkbox")).to_be_visible()
    expect(kam.get_by_test_id("missing-list")).to_contain_text(mapped.text_zh)
    shot(kam, "gate-02-process-evidence-zh")

    switch_language(kam, "EN")
    kam.goto(detail)
    row = expect_evidence(
        kam,
        "Decision process and decision makers mapped",
        met=False,
        says="Still missing: the power map has a decision maker",
    )
    expect(row.get_by_test_id("evidence-link")).to_have_text(re.compile(r"Record it"))
    expect_evidence(
        kam,
        coach.text_en,
        met=False,
        says="coach / insider or a supporter",
    )
    expect_evidence(kam, "Project budget confirmed", met=True, says="Met: budget at least")
    shot(kam, "gate-02-process-evidence-en")
    phone = phone_of(new_page, kam)
    phone.goto(detail)
    expect(phone.get_by_test_id("criterion").first).to_be_visible()
    assert_fits_phone(phone, "the process tab with evidence criteria")
    shot(phone, "gate-02-process-evidence-phone")

    # 2. The KAM follows the evidence link to the power map page and adds the general manager
    #    as the decision maker (neutral so far).
    row.get_by_test_id("evidence-link").click()
    expect(kam).to_have_url(re.compile(rf"/pipeline/{opp.pk}/power-map/$"))
    form = kam.get_by_test_id("role-form")
    boss = Contact.objects.get(customer=customer, name="张建国")
    form.locator("select[name=contact]").select_option(str(boss.pk))
    form.locator("select[name=role]").select_option("decision_maker")
    form.locator("select[name=influence]").select_option("high")
    form.locator("select[name=attitude]").select_option("neutral")
    form.locator("button[type=submit]").click()
    expect(success_message(kam)).to_contain_text("张建国")
    expect(kam.get_by_test_id("buying-role-row").filter(has_text="张建国")).to_contain_text(
        "Decision maker"
    )

    #    Hovering the power map's nodes shows their tooltips, drawn on the canvas: the CSP
    #    listener stays silent (the harness fails the test on any violation).
    chart = kam.locator("[data-ka-power-map]").first
    tips = hover_nodes(kam, chart, ["张建国", "李明"])
    assert "Decision maker" in tips["张建国"] and "总经理" in tips["张建国"], tips
    assert "信息中心主任" in tips["李明"], tips
    shot(kam, "gate-02-power-map-tooltip-en")

    # 3. Back on the opportunity: the criterion is met by the record, with a link to it; the
    #    coach criterion is still not (the decision maker is neutral).
    kam.get_by_role("link", name="Back to the opportunity").click()
    expect(kam).to_have_url(re.compile(rf"/pipeline/{opp.pk}/$"))
    row = expect_evidence(
        kam,
        "Decision process and decision makers mapped",
        met=True,
        says="Met: decision (process and makers) at least “confirmed”; the power map has a "
        "decision maker",
    )
    expect(row.get_by_test_id("evidence-link")).to_have_text(re.compile(r"See the record"))
    expect_evidence(kam, coach.text_en, met=False)
    expect(kam.get_by_test_id("missing-list")).not_to_contain_text(mapped.text_en)
    expect(kam.get_by_test_id("missing-list")).to_contain_text(coach.text_en)
    shot(kam, "gate-02-process-evidence-met-en")

    # 4. The customer's org chart: hovering its nodes shows their tooltips too.
    kam.goto(f"/customers/{customer.pk}/?tab=contacts")
    org = kam.locator("#ka-orgchart")
    expect(org.locator("canvas").first).to_be_visible()
    tips = hover_nodes(kam, org, ["张建国", "陈刚"])
    assert "调度处处长" in tips["陈刚"], tips
    shot(kam, "gate-02-org-chart-tooltip-en")

    #    And the playbook's chart (probability and normal duration by stage).
    kam.goto("/process/")
    playbook = kam.locator("#playbook-chart")
    expect(playbook.locator("canvas").first).to_be_visible()
    kam.wait_for_timeout(400)  # the entry animation
    tip = hover_axis(kam, playbook, at=0.5)
    assert any(stage.name_en in tip for stage in Stage.objects.all()), tip


# --- a consultant refused a criterion ------------------------------------------------------


def test_consultant_may_not_tick_what_is_not_theirs(
    new_page: Callable[..., Page], cast: Cast, browser_errors: list[str]
) -> None:
    name_cast(cast)
    opp = seed_deal(cast, seed_customer(cast), stage_order=4)
    services.member_add(
        actor=cast.kam, opportunity=opp, user=cast.consultant, role=rules.TeamRole.CONSULTANT
    )
    award = ExitCriterion.objects.get(text_en="Award notice received")  # the stage's, no step
    bond = ExitCriterion.objects.get(text_en="Bid bond paid and bid submitted on time")
    detail = f"/pipeline/{opp.pk}/"

    # 1. The consultant's checklist: the award notice (the stage's as a whole: the owner's or
    #    their managers') has no checkbox and says who may tick it; the bid bond (a step that
    #    names consultants) has one.
    consultant = sign_in(new_page, cast.consultant)
    consultant.goto(detail)
    row = criterion_row(consultant, award.text_zh)
    expect(row.get_by_test_id("criterion-checkbox")).to_have_count(0)
    expect(row.get_by_test_id("criterion-who-may")).to_contain_text(award.text_zh)
    expect(
        criterion_row(consultant, bond.text_zh).get_by_test_id("criterion-checkbox")
    ).to_be_visible()
    shot(consultant, "gate-03-who-may-zh")

    switch_language(consultant, "EN")
    consultant.goto(detail)
    row = criterion_row(consultant, award.text_en)
    expect(row.get_by_test_id("criterion-checkbox")).to_have_count(0)
    expect(row.get_by_test_id("criterion-who-may")).to_have_text(
        "Only the deal's owner or their managers may tick “Award notice received”."
    )
    check_criterion(consultant, bond.text_en)  # theirs: ticked
    shot(consultant, "gate-03-who-may-en")

    # 2. A forged POST ticking the award notice: 403, the page shows the refusal on the row,
    #    and nothing is ticked.
    path = f"/pipeline/{opp.pk}/checks/{award.pk}/"
    status = force_post(consultant, path, {"checked": "on", "note": "中标通知书已收到"})
    assert status == 403
    accept_refusal(consultant, browser_errors, path, status=403)
    row = criterion_row(consultant, award.text_en)
    expect(row.get_by_test_id("criterion-error")).to_contain_text(
        "Only the deal's owner or their managers may tick “Award notice received”."
    )
    expect(row.get_by_test_id("criterion-checkbox")).to_have_count(0)
    shot(consultant, "gate-03-forced-post-refused-en")
    assert not CriterionCheck.objects.filter(opportunity=opp, criterion=award).exists()
    assert CriterionCheck.objects.filter(opportunity=opp, criterion=bond).exists()

    #    The owner may: their row has the checkbox.
    kam = sign_in(new_page, cast.kam)
    kam.goto(detail)
    expect(criterion_row(kam, award.text_zh).get_by_test_id("criterion-checkbox")).to_be_visible()


# --- history in the reader's language ---------------------------------------------------------


def test_history_reads_in_the_readers_language(new_page: Callable[..., Page], cast: Cast) -> None:
    name_cast(cast)
    customer = seed_customer(cast)
    opp = seed_deal(cast, customer)
    needs = ExitCriterion.objects.get(text_en__startswith="Needs analysis delivered")
    satisfy_stage(opp, actor=cast.kam)
    for _step in range(2):  # lead discovery → first interview → needs survey
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    services.criterion_set(actor=cast.kam, opportunity=opp, criterion=needs, checked=False)
    opp.refresh_from_db()
    assert opp.step.code == "needs_survey"
    detail = f"/pipeline/{opp.pk}/"

    # 1. The sales director, in Chinese, overrides the gate with the needs analysis missing.
    director = sign_in(new_page, cast.director)
    expect_lang(director, "zh-hans")
    director.goto(detail)
    dialog = open_dialog(director, "move")
    expect(dialog.get_by_test_id("gate-missing")).to_contain_text(needs.text_zh)
    reason = "客户已口头确认需求分析，书面材料下周补交。"
    dialog.locator("textarea[name=reason]").fill(reason)
    dialog.get_by_test_id("gate-override").click()
    expect(director.get_by_test_id("stage")).to_contain_text("立项")
    director.get_by_test_id("tab-history").click()
    entry = director.get_by_test_id("transition-advance").filter(
        has=director.get_by_test_id("transition-overridden")
    )
    expect(entry.get_by_test_id("transition-missing")).to_contain_text(needs.text_zh)
    transition = StageTransition.objects.get(opportunity=opp, overridden=True)
    assert transition.reason == reason

    # 2. The KAM reads the history in English: what was missing is in English; the reason is
    #    shown as the director typed it.
    kam = sign_in(new_page, cast.kam)
    switch_language(kam, "EN")
    kam.goto(f"{detail}?tab=history")
    entry = kam.get_by_test_id("transition-advance").filter(
        has=kam.get_by_test_id("transition-overridden")
    )
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(NAMES["director"])
    expect(entry).to_contain_text(reason)
    missing = entry.get_by_test_id("transition-missing")
    expect(missing).to_contain_text(needs.text_en)
    expect(missing).not_to_contain_text(needs.text_zh)
    shot(kam, "gate-04-history-en")

    #    The customer's history: the approval's reason in each reader's language.
    kam.goto(f"/customers/{customer.pk}/?tab=history")
    expect(kam.get_by_test_id("owner-change-reason").first).to_have_text("Registration approved")
    director.goto(f"/customers/{customer.pk}/?tab=history")
    expect(director.get_by_test_id("owner-change-reason").first).to_have_text("备案已批准")

    # 3. The department head finds the override waiting on the home page, reviews it on the
    #    overrides page (what was missing in their language), and it is no longer waiting.
    head = sign_in(new_page, cast.head)
    count, url = pending(head, "pipeline.overrides")
    assert (count, url) == (1, "/pipeline/overrides/")
    head.get_by_test_id("pending-pipeline.overrides").click()
    expect(head).to_have_url(re.compile(r"/pipeline/overrides/$"))
    row = head.get_by_test_id("override")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(DEAL)
    expect(row).to_contain_text(reason)
    expect(row.get_by_test_id("override-missing")).to_contain_text(needs.text_zh)
    shot(head, "gate-04-overrides-zh")
    phone = phone_of(new_page, head)
    phone.goto("/pipeline/overrides/")
    expect(phone.get_by_test_id("override")).to_have_count(1)
    assert_fits_phone(phone, "the overrides page")
    shot(phone, "gate-04-overrides-phone")
    switch_language(head, "EN")
    head.goto("/pipeline/overrides/")
    row = head.get_by_test_id("override")
    expect(row.get_by_test_id("override-missing")).to_contain_text(needs.text_en)
    shot(head, "gate-04-overrides-en")
    row.locator("input[name=note]").fill("Checked with the KAM")
    row.get_by_test_id("review-override").click()
    expect(head.get_by_test_id("no-overrides")).to_be_visible()
    transition.refresh_from_db()
    assert (transition.reviewed_by, transition.review_note) == (cast.head, "Checked with the KAM")
    head.goto("/")
    expect(head.get_by_test_id("pending-pipeline.overrides")).to_have_count(0)


# --- the home page's pending work, and the bell -------------------------------------------------


def test_pending_work_of_the_assistant(new_page: Callable[..., Page], cast: Cast) -> None:
    name_cast(cast)
    first = register(cast, "南京紫金数据服务有限公司", approve=False)
    register(cast, "苏州工业园区能源有限公司", approve=False)

    # 1. The assistant's home page: the registrations to approve, with their count and link.
    assistant = sign_in(new_page, cast.assistant)
    expect_lang(assistant, "zh-hans")
    count, url = pending(assistant, "customers.registrations")
    assert (count, url) == (2, "/customers/registrations/")
    shot(assistant, "gate-05-home-assistant-zh")
    phone = phone_of(new_page, assistant)
    phone.goto("/")
    expect(phone.get_by_test_id("pending-customers.registrations")).to_be_visible()
    assert_fits_phone(phone, "the assistant's home page")
    shot(phone, "gate-05-home-assistant-phone")
    switch_language(assistant, "EN")
    item = assistant.get_by_test_id("pending-customers.registrations")
    expect(item).to_contain_text("Registrations to approve")
    expect(item.get_by_test_id("pending-count")).to_have_text("2")
    shot(assistant, "gate-05-home-assistant-en")

    # 2. Following it lands on the queue; one approved, one is left.
    item.click()
    expect(assistant).to_have_url(re.compile(r"/customers/registrations/$"))
    row = assistant.get_by_test_id(f"request-{first.pk}")
    expect(row).to_contain_text("南京紫金数据服务有限公司")
    row.get_by_test_id("approve").click()
    expect(success_message(assistant)).to_contain_text("南京紫金数据服务有限公司")
    assistant.goto("/")
    expect(
        assistant.get_by_test_id("pending-customers.registrations").get_by_test_id("pending-count")
    ).to_have_text("1")

    # 3. The KAM is told (the bell); their own request still waiting shows on their home page.
    kam = sign_in(new_page, cast.kam)
    expect(kam.get_by_test_id("bell-count")).to_have_text("1")
    count, _url = pending(kam, "customers.my_registrations")
    assert count == 1
    first.refresh_from_db()
    assert first.decision == RegistrationRequest.Decision.APPROVED
    assert Notification.objects.filter(recipient=cast.kam, read_at__isnull=True).count() == 1


def test_pending_work_of_the_director(new_page: Callable[..., Page], cast: Cast) -> None:
    name_cast(cast)
    opp = seed_deal(cast, seed_customer(cast))
    services.member_add(
        actor=cast.kam, opportunity=opp, user=cast.consultant, role=rules.TeamRole.CONSULTANT
    )
    services.risk_assess(
        actor=cast.consultant,
        opportunity=opp,
        assessed_on=timezone.localdate(),
        scores=high_risk_scores(),
        summary="预算未落实，竞争对手根基深",
    )
    opp.refresh_from_db()
    assert opp.risk_decision == rules.RiskDecision.PENDING

    # 1. The director's home page: the high-risk deal awaiting a decision; the bell says so.
    director = sign_in(new_page, cast.director)
    count, url = pending(director, "pipeline.risk_decisions")
    assert count == 1 and url == f"/pipeline/?health={rules.Health.RISK_PENDING}", (count, url)
    expect(director.get_by_test_id("bell-count")).to_have_text("1")
    shot(director, "gate-06-home-director-zh")
    phone = phone_of(new_page, director)
    phone.goto("/")
    expect(phone.get_by_test_id("pending-pipeline.risk_decisions")).to_be_visible()
    assert_fits_phone(phone, "the director's home page")
    shot(phone, "gate-06-home-director-phone")
    switch_language(director, "EN")
    item = director.get_by_test_id("pending-pipeline.risk_decisions")
    expect(item).to_contain_text("High-risk deals awaiting my decision")
    shot(director, "gate-06-home-director-en")

    # 2. Following it lands on the list of those deals; the director decides to continue.
    item.click()
    expect(director).to_have_url(re.compile(rf"/pipeline/\?health={rules.Health.RISK_PENDING}$"))
    expect(director.get_by_test_id("opportunity-row")).to_have_count(1)
    director.get_by_role("link", name=DEAL, exact=True).click()
    expect(director).to_have_url(re.compile(rf"/pipeline/{opp.pk}/$"))
    decide = director.get_by_test_id("risk-decide-form")
    decide.locator("label[for=ka-risk-continue]").click()
    decide.locator("input[name=reason]").fill("Strategic account: the budget comes in Q3.")
    decide.locator("button[type=submit]").click()
    expect(success_message(director)).to_contain_text(DEAL)
    expect(director.get_by_test_id("risk-pending")).to_have_count(0)
    director.goto("/")
    expect(director.get_by_test_id("pending-pipeline.risk_decisions")).to_have_count(0)
    assessment = RiskAssessment.objects.get(opportunity=opp)
    assert (assessment.decision, assessment.decided_by) == (
        rules.RiskDecision.CONTINUE,
        cast.director,
    )

    # 3. The owner and the assessor are told of the decision.
    for user in (cast.kam, cast.consultant):
        assert Notification.objects.filter(
            recipient=user, kind="pipeline.risk_continued", read_at__isnull=True
        ).exists(), user


def test_the_bell_tells_the_new_owner(new_page: Callable[..., Page], cast: Cast) -> None:
    name_cast(cast)
    customer = seed_customer(cast)

    # 1. The department head reallocates the customer to 李娜 from its page.
    head = sign_in(new_page, cast.head)
    head.goto(f"/customers/{customer.pk}/")
    head.locator("[data-bs-target='#ka-allocate-one']").click()
    form = head.get_by_test_id("allocate-one")
    expect(form).to_be_visible()
    pick(form, "new_owner", "李", NAMES["colleague"], cast.colleague.pk)
    reason = "华东区域客户调整，由李娜统一跟进"
    form.locator("input[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    expect(success_message(head)).to_contain_text(NAMES["colleague"])
    customer.refresh_from_db()
    assert customer.owner == cast.colleague

    # 2. 李娜's bell shows one unread; the notifications page says who, what and why.
    colleague = sign_in(new_page, cast.colleague)
    expect(colleague.get_by_test_id("bell-count")).to_have_text("1")
    colleague.get_by_test_id("bell").click()
    expect(colleague).to_have_url(re.compile(r"/notifications/$"))
    note = colleague.get_by_test_id("notification")
    expect(note).to_have_count(1)
    expect(note).to_contain_text(CUSTOMER)
    expect(note).to_contain_text(NAMES["head"])
    expect(note).to_contain_text(reason)
    shot(colleague, "gate-07-notifications-zh")
    phone = phone_of(new_page, colleague)
    phone.goto("/notifications/")
    expect(phone.get_by_test_id("notification")).to_have_count(1)
    assert_fits_phone(phone, "the notifications page")
    shot(phone, "gate-07-notifications-phone")
    switch_language(colleague, "EN")
    note = colleague.get_by_test_id("notification")
    expect(note).to_contain_text(f"{NAMES['head']} allocated {CUSTOMER} to you")
    shot(colleague, "gate-07-notifications-en")

    # 3. Opening it marks it read and lands on the customer; the bell is quiet again.
    note.get_by_test_id("open-notification").click()
    expect(colleague).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(colleague.get_by_test_id("customer-name")).to_have_text(CUSTOMER)
    expect(colleague.get_by_test_id("bell-count")).to_have_count(0)
    assert not Notification.objects.filter(recipient=cast.colleague, read_at__isnull=True).exists()
    #    Each kind can be switched off, in the app and by e-mail, from the notifications page.
    colleague.get_by_test_id("bell").click()
    colleague.get_by_test_id("notification-settings-link").click()
    expect(colleague).to_have_url(re.compile(r"/settings/notifications/$"))
    expect(colleague.get_by_test_id("customers.allocation.in_app")).to_be_checked()
    expect(colleague.get_by_test_id("customers.allocation.email")).to_be_checked()

    #    The old owner is told too (besides their registration's approval).
    kam = sign_in(new_page, cast.kam)
    expect(kam.get_by_test_id("bell-count")).to_have_text("2")
    kam.get_by_test_id("bell").click()
    expect(kam.get_by_test_id("notification").first).to_contain_text(NAMES["colleague"])
