"""The opportunities sheet: deals brought in from another system at their stage and status,
dated by the file (``pipeline.services.opportunities_import``: one *imported* transition, no
gate run); and its commit.

A row names its customer (name or credit code, a registered customer the importer sees), its
stage and step (by name in either language, code or number), its owner (user name, e-mail or
full name; blank: the customer's owner) and its outcome. A deal is matched by customer and
name: a second import of the same file changes nothing, and an import never changes a deal
that is already in the system (its differences are shown as warnings)."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core.parsing import fold
from keyaccount.customers.models import RegistrationStatus
from keyaccount.org.models import User
from keyaccount.pipeline import permissions as deal_permissions
from keyaccount.pipeline import rules as deal_rules
from keyaccount.pipeline import services as pipeline
from keyaccount.pipeline.models import Competitor, LossReason, Opportunity
from keyaccount.process.models import Stage, Step

from .cells import choice_key
from .matching import Context, People, chunks, fail_lot, resolve_customer
from .plan import CREATE, FAILED, UNCHANGED, Row, Sheet


def name_key(text: str) -> str:
    """How deal names are compared within a customer: width, case and spaces ignored."""
    return " ".join(fold(text).casefold().split())


@dataclass
class Lookups:
    """What the cells of an opportunity sheet name, loaded once per sheet."""

    stages: dict[str, Stage]
    steps: dict[tuple[int, str], Step]
    first_steps: dict[int, Step | None]
    won_stage: Stage | None
    people: People
    loss_reasons: dict[str, int]
    competitors: dict[str, int]

    @classmethod
    def load(cls, user: User) -> "Lookups":
        stages: dict[str, Stage] = {}
        ordered = list(Stage.objects.order_by("order"))
        for stage in ordered:
            for text in (str(stage.order), stage.code, stage.name_zh, stage.name_en):
                stages.setdefault(choice_key(text), stage)
            for name in (stage.name_zh, stage.name_en):
                stages.setdefault(choice_key(f"{stage.order} {name}"), stage)
                stages.setdefault(choice_key(f"{stage.order}. {name}"), stage)
        steps: dict[tuple[int, str], Step] = {}
        first_steps: dict[int, Step | None] = {s.pk: None for s in ordered}
        for step in Step.objects.order_by("stage_id", "order"):
            first_steps[step.stage_id] = first_steps[step.stage_id] or step
            for text in (step.code, step.name_zh, step.name_en, str(step.order)):
                steps.setdefault((step.stage_id, choice_key(text)), step)
        loss_reasons: dict[str, int] = {}
        for pk, code, zh, en in LossReason.objects.values_list("pk", "code", "name_zh", "name_en"):
            for text in (code, zh, en):
                loss_reasons.setdefault(choice_key(text), pk)
        competitors: dict[str, int] = {}
        for pk, name, short in Competitor.objects.values_list("pk", "name", "short_name"):
            for text in (name, short):
                if text:
                    competitors.setdefault(choice_key(text), pk)
        return cls(stages, steps, first_steps, ordered[-1] if ordered else None, People.load(user),
                   loss_reasons, competitors)  # fmt: skip


def plan_opportunities(ctx: Context, sheet: Sheet) -> None:
    look = Lookups.load(ctx.user)
    headers = sheet.headers
    today = timezone.localdate()
    resolved: dict[int, deal_rules.ImportedDeal] = {}
    for row in sheet.rows:
        if row.has_error:
            row.action = FAILED
            continue
        deal = _resolve(ctx, look, row, sheet)
        if deal is not None:
            for field, messages in deal_rules.imported_problems(deal, today=today).items():
                for message in messages:
                    row.error(message, headers.get(field, ""))
        if deal is None or row.has_error:
            row.action = FAILED
            continue
        resolved[row.number] = deal
    _match(look, sheet, resolved)


def _resolve(ctx: Context, look: Lookups, row: Row, sheet: Sheet) -> deal_rules.ImportedDeal | None:
    """The row as a deal, its customer, stage, step, owner, loss reason and winner as ids;
    None (with errors on the row's cells) when one of them is not found."""
    headers = sheet.headers
    values = row.values
    if "customer" not in values and "customer_code" not in values:
        row.error(_("Which customer? This cell is required."), headers["customer"])
        return None
    ref = resolve_customer(ctx, row, headers)
    if ref is None:
        return None
    customer_column = headers.get("customer") or headers.get("customer_code", "")
    if ref.customer_id is None:
        row.error(_("Its customer is a new registration of this file: import the deals once "
                    "it is approved."), customer_column)  # fmt: skip
        return None
    customer = ctx.live[ref.customer_id]
    if customer.status != RegistrationStatus.REGISTERED:
        row.error(_("“%(name)s” is not registered yet.") % {"name": customer.name},
                  customer_column)  # fmt: skip
        return None
    status = values.get("status", deal_rules.Status.OPEN)
    expected, closed = values.get("expected_signing"), values.get("closed_on")
    if status == deal_rules.Status.OPEN and expected is None:
        expected, closed = closed, None  # the close date of an open deal is its expected one
    stage = _stage(look, row, sheet, status)
    step = None
    if stage is not None and "step" in values:
        step = look.steps.get((stage.pk, choice_key(values["step"])))
        if step is None:
            row.error(_("The stage “%(stage)s” has no step “%(step)s”.")
                      % {"stage": stage.name, "step": values["step"]}, headers["step"])  # fmt: skip
    elif stage is not None:
        step = look.first_steps.get(stage.pk)
    owner_id = _owner(look, row, sheet, customer.owner_id)
    if owner_id is not None and not deal_permissions.can_import_deal(
        ctx.caps, owner_unit_id=look.people.units.get(owner_id)
    ):
        row.error(pipeline.import_refusal(), headers.get("owner", ""))
    loss_reason_id = _named(row, sheet, "loss_reason", look.loss_reasons,
                            _("There is no loss reason “%(value)s”: an administrator keeps the "
                              "list."))  # fmt: skip
    winner_id = _named(row, sheet, "winner", look.competitors,
                       _("There is no competitor “%(value)s” in the competitor list."))  # fmt: skip
    row.label = f"{customer.name} · {values.get('name', '')}"
    if stage is None or owner_id is None or row.has_error:
        return None
    return deal_rules.ImportedDeal(
        customer_id=customer.id,
        name=values.get("name", ""),
        amount=values.get("amount"),
        currency=values.get("currency", deal_rules.Currency.CNY),
        expected_signing=expected or closed,
        owner_id=owner_id,
        stage_id=stage.pk,
        step_id=step.pk if step else None,
        status=status,
        created_on=values.get("created_on"),
        closed_on=closed,
        products=values.get("products", ""),
        contract_number=values.get("contract_number", ""),
        signed_amount=values.get("signed_amount"),
        loss_reason_id=loss_reason_id,
        winner_id=winner_id,
        close_reason=values.get("close_reason", ""),
    )


def _stage(look: Lookups, row: Row, sheet: Sheet, status: str) -> Stage | None:
    headers = sheet.headers
    text = row.values.get("stage")
    if text is None:
        if status == deal_rules.Status.WON and look.won_stage is not None:
            return look.won_stage
        row.error(_("Which stage? This cell is required (a won deal may leave it blank)."),
                  headers["stage"])  # fmt: skip
        return None
    stage = look.stages.get(choice_key(text))
    if stage is None:
        sheet.note_unknown("stage", text, planner=True)
        names = "、".join(f"{s.order} {s.name}" for s in dict.fromkeys(look.stages.values()))
        row.error(_("There is no stage “%(value)s”: write one of %(stages)s.")
                  % {"value": text, "stages": names}, headers["stage"])  # fmt: skip
    return stage


def _owner(look: Lookups, row: Row, sheet: Sheet, default: int) -> int | None:
    headers = sheet.headers
    text = row.values.get("owner")
    if text is None:
        return default
    found = look.people.find(text)
    if len(found) == 1:
        return found[0]
    if not found:
        sheet.note_unknown("owner", text, planner=True)
        row.error(_("Nobody in the system is called or has the user name or e-mail “%(value)s”.")
                  % {"value": text}, headers["owner"])  # fmt: skip
    else:
        row.error(_("Several people are called “%(value)s”: write the user name.")
                  % {"value": text}, headers["owner"])  # fmt: skip
    return None


def _named(row: Row, sheet: Sheet, key: str, names: dict[str, int], message: str) -> int | None:
    text = row.values.get(key)
    if text is None:
        return None
    found = names.get(choice_key(text))
    if found is None:
        sheet.note_unknown(key, text, planner=True)
        row.error(message % {"value": text}, sheet.headers[key])
    return found


def _match(look: Lookups, sheet: Sheet, resolved: dict[int, deal_rules.ImportedDeal]) -> None:
    """A deal the customer has already (same name) is left as it is; two rows of the file for
    the same deal are refused."""
    customer_ids = sorted({d.customer_id for d in resolved.values()})
    existing: dict[tuple[int, str], tuple[Any, ...]] = {}
    for chunk in chunks(customer_ids):
        rows = Opportunity.objects.filter(customer_id__in=chunk).values_list(
            "customer_id", "name", "pk", "amount", "stage_id", "status"
        )
        for customer_id, name, *rest in rows:
            existing.setdefault((customer_id, name_key(name)), tuple(rest))
    seen: dict[tuple[int, str], int] = {}
    for row in sheet.rows:
        deal = resolved.get(row.number)
        if deal is None:
            continue
        key = (deal.customer_id, name_key(deal.name))
        if key in seen:
            row.error(
                _("Row %(row)s of this sheet is the same deal (customer and name): keep one of "
                  "the two rows.") % {"row": seen[key]},
                sheet.headers["name"],
            )  # fmt: skip
            row.action = FAILED
            continue
        seen[key] = row.number
        found = existing.get(key)
        if found is None:
            row.action = CREATE
            row.changes = [[sheet.headers.get(k, k), "", v] for k, v in _shown(look, row, deal)]
            continue
        row.action, row.target = UNCHANGED, found[0]
        amount, stage_id, status = found[1:]
        wanted = deal.signed_amount if deal.signed_amount is not None else deal.amount
        if amount != wanted or stage_id != deal.stage_id or status != deal.status:
            row.warn(_("The customer has this deal already, with another amount, stage or "
                       "status: an import does not change a deal; edit it on its page."),
                     sheet.headers["name"])  # fmt: skip


def _shown(look: Lookups, row: Row, deal: deal_rules.ImportedDeal) -> list[tuple[str, str]]:
    """What the new deal will get that the file does not say in so many words."""
    stage = next(s for s in look.stages.values() if s.pk == deal.stage_id)
    shown = [
        ("stage", f"{stage.order} {stage.name}"),
        ("status", str(deal_rules.Status(deal.status).label)),
    ]
    if deal.expected_signing and "expected_signing" not in row.values:
        shown.append(("expected_signing", deal.expected_signing.isoformat()))
    return shown


# --- commit ---------------------------------------------------------------------------------


def commit_opportunities(ctx: Context, sheet: Sheet, counts: Counter[str], source: str) -> None:
    look = Lookups.load(ctx.user)
    work = [r for r in sheet.rows if r.action == CREATE]
    if not work:
        return
    deals = []
    for row in work:
        deal = _resolve(ctx, look, row, sheet)
        if deal is None:
            row.action = FAILED
            return
        deals.append(deal)

    try:
        pipeline.opportunities_import(actor=ctx.user, deals=deals, source=source, step=ctx.steps)
    except ValidationError as exc:  # the data changed since the check above: say where
        fail_lot(work, exc, sheet.headers)
        return
    counts["opportunities_created"] += len(deals)
