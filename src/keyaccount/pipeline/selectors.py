"""Every read of opportunities starts from ``visible_to(user)`` (rule 2). Lists, the board and
totals are a fixed number of queries whatever the number of opportunities (rule 10)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from keyaccount.contacts.models import Contact
from keyaccount.core.sql import IdsIn
from keyaccount.org.rules import descendants
from keyaccount.org.selectors import region_subtree, unit_parents
from keyaccount.process.models import ExitCriterion, FormCode, Stage

from . import rules, search
from .cards import Card
from .models import (
    BuyingRoleEntry,
    Contract,
    Opportunity,
    OpportunityCompetitor,
    OpportunityMember,
    PaymentMilestone,
    RiskAssessment,
    StageTransition,
)
from .rows import ListRow

SORTS: dict[str, tuple[str, ...]] = {
    "signing": ("expected_signing", "id"),
    "-signing": ("-expected_signing", "-id"),
    "amount": ("amount", "id"),
    "-amount": ("-amount", "-id"),
    "weighted": ("weighted", "id"),
    "-weighted": ("-weighted", "-id"),
    "stage": ("stage__order", "expected_signing", "id"),
    "-stage": ("-stage__order", "expected_signing", "id"),
    "customer": ("customer__name", "id"),
    "name": ("name", "id"),
    "age": ("stage_entered_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


@dataclass
class OpportunityFilters:
    q: str = ""
    status: str = rules.Status.OPEN  # "" = every status
    stages: list[int] = field(default_factory=list)
    owner: int | None = None
    team: int | None = None
    region: int | None = None
    industry: int | None = None
    grades: list[str] = field(default_factory=list)
    customer: int | None = None
    signing_from: date | None = None  # first day of a month, inclusive
    signing_to: date | None = None  # last day of a month, inclusive
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    health: list[str] = field(default_factory=list)
    risk: str = ""
    min_amount_major: Decimal | None = None  # the major-project list
    sort: str = "signing"


def health_condition(flag: str, *, stages: list[tuple[int, int]], now: datetime) -> Q:
    """The SQL condition of one health flag. ``stages``: (stage id, norm days) pairs."""
    open_ = Q(status=rules.Status.OPEN)
    if flag == rules.Health.OVERDUE_STAGE:
        over = Q(pk__in=[])
        for stage_id, norm in stages:
            over |= Q(stage_id=stage_id, stage_entered_at__lt=now - timedelta(days=norm))
        return open_ & over
    if flag == rules.Health.PAST_SIGNING:
        return open_ & Q(expected_signing__lt=timezone.localdate(now))
    if flag == rules.Health.RISK_PENDING:
        return Q(risk_decision=rules.RiskDecision.PENDING)
    if flag == rules.Health.HIGH_RISK:
        return Q(risk_level=rules.RiskLevel.HIGH)
    if flag == rules.Health.SLIPPED:
        return Q(signing_slips__gt=0)
    return Q()


def stage_norms() -> list[tuple[int, int]]:
    return list(Stage.objects.order_by("order").values_list("id", "norm_days"))


def health_flags(
    opp: "Opportunity | Card | ListRow", norms: dict[int, int], now: datetime
) -> list[str]:
    """The flags of one loaded opportunity, list row or board card (no query), same meaning as
    ``health_condition``."""
    flags = []
    if opp.status == rules.Status.OPEN:
        norm = norms.get(opp.stage_id)
        if norm is not None and opp.stage_entered_at < now - timedelta(days=norm):
            flags.append(rules.Health.OVERDUE_STAGE)
        if opp.expected_signing < timezone.localdate(now):
            flags.append(rules.Health.PAST_SIGNING)
    if opp.risk_decision == rules.RiskDecision.PENDING:
        flags.append(rules.Health.RISK_PENDING)
    if opp.risk_level == rules.RiskLevel.HIGH:
        flags.append(rules.Health.HIGH_RISK)
    if opp.signing_slips:
        flags.append(rules.Health.SLIPPED)
    return [str(f) for f in flags]


def visible(user: Any) -> QuerySet[Opportunity]:
    return Opportunity.objects.visible_to(user)


def opportunity_list(
    *, user: Any, filters: OpportunityFilters | None = None
) -> QuerySet[Opportunity]:
    """Visible opportunities, filtered and sorted (each keeps its forecast: ``prob`` and
    ``weighted``)."""
    f = filters or OpportunityFilters()
    qs = filtered(visible(user), f).select_related("customer", "owner", "stage", "step")
    return qs.order_by(*SORTS.get(f.sort, SORTS["signing"]))


def filtered(qs: QuerySet[Opportunity], f: OpportunityFilters) -> QuerySet[Opportunity]:
    """``qs`` narrowed by the list's filters (not by visibility: ``opportunity_list``)."""
    if f.status in rules.Status.values:
        qs = qs.filter(status=f.status)
    if f.q.strip():
        qs = qs.filter(search.matching(f.q))  # through its index (``pipeline.search``)
    if f.stages:
        qs = qs.filter(stage_id__in=f.stages)
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.team:
        qs = qs.filter(IdsIn("owner_unit_id", descendants(unit_parents(), [f.team])))
    if f.region:
        qs = qs.filter(customer__region_id__in=region_subtree(f.region))
    if f.industry:
        qs = qs.filter(
            Q(customer__industry_id=f.industry) | Q(customer__industry__parent_id=f.industry)
        )
    if f.grades:
        wanted = [g for g in f.grades if g != "none"]
        cond = Q(customer__grade__in=wanted)
        if "none" in f.grades:
            cond |= Q(customer__grade="")
        qs = qs.filter(cond)
    if f.customer:
        qs = qs.filter(customer_id=f.customer)
    if f.signing_from:
        qs = qs.filter(expected_signing__gte=f.signing_from)
    if f.signing_to:
        qs = qs.filter(expected_signing__lte=f.signing_to)
    if f.amount_min is not None:
        qs = qs.filter(amount__gte=f.amount_min)
    if f.amount_max is not None:
        qs = qs.filter(amount__lte=f.amount_max)
    if f.min_amount_major is not None:
        qs = qs.filter(amount__gte=f.min_amount_major)
    if f.risk in rules.RiskLevel.values:
        qs = qs.filter(risk_level=f.risk)
    if f.health:
        norms = stage_norms()
        now = timezone.now()
        for flag in f.health:
            if flag in {h.value for h in rules.Health}:
                qs = qs.filter(health_condition(flag, stages=norms, now=now))
    return qs


def detail_queryset(*, user: Any) -> QuerySet[Opportunity]:
    return visible(user).select_related(
        "customer__owner", "customer__region", "customer__industry", "owner__unit", "stage",
        "step", "loss_reason", "winner",
    )  # fmt: skip


def team(opp: Opportunity) -> list[OpportunityMember]:
    return list(opp.members.select_related("user").order_by("role", "user__pinyin_sort", "user_id"))


def competitors(opp: Opportunity) -> list[OpportunityCompetitor]:
    return list(opp.competitors.select_related("competitor", "updated_by").order_by("strength"))


def transitions(opp: Opportunity) -> list[StageTransition]:
    return list(
        StageTransition.objects.filter(opportunity=opp)
        .select_related("from_stage", "to_stage", "from_step", "to_step", "actor")
        .order_by("at", "id")
    )


def missing_in_my_language(rows: Iterable[StageTransition]) -> dict[int, list[str]]:
    """What each overridden move had missing, in the active language (one query for the
    criteria's texts, whatever the number of rows)."""
    rows = [r for r in rows if r.missing]
    ids = {
        int(m["ref"])
        for r in rows
        for m in r.missing
        if isinstance(m, dict) and m.get("kind") == "criterion" and str(m.get("ref", "")).isdigit()
    }
    texts = {str(c.pk): c.text for c in ExitCriterion.objects.filter(pk__in=ids)} if ids else {}
    forms = {code: str(label) for code, label in FormCode.choices}
    elements = {code: str(label) for code, label in rules.Element.choices}
    return {
        r.pk: [
            rules.missing_sentence(m, criteria=texts, forms=forms, elements=elements)
            for m in r.missing
            if isinstance(m, dict)
        ]
        for r in rows
    }


def overrides(*, user: Any, status: str = "awaiting") -> QuerySet[StageTransition]:
    """The overridden moves of the opportunities ``user`` may see: ``awaiting`` review (oldest
    first), ``reviewed`` (newest first) or ``all``."""
    overridden = StageTransition.objects.filter(overridden=True)
    if status == "awaiting":
        overridden = overridden.filter(reviewed_at__isnull=True)
    # Overrides are few among all the moves: found through their partial indexes first, then
    # kept where the deal is visible, so the database never walks every visible deal's moves.
    pairs = list(overridden.order_by().values_list("id", "opportunity_id"))
    shown = set(visible(user).filter(pk__in={o for _, o in pairs}).values_list("pk", flat=True))
    qs = StageTransition.objects.filter(pk__in=[i for i, o in pairs if o in shown]).select_related(
        "opportunity__customer",
        "opportunity__owner__unit",
        "from_stage",
        "from_step",
        "to_stage",
        "to_step",
        "actor",
        "reviewed_by",
    )
    if status == "awaiting":
        return qs.filter(reviewed_at__isnull=True).order_by("at", "id")
    if status == "reviewed":
        qs = qs.filter(reviewed_at__isnull=False)
    return qs.order_by("-at", "-id")


def risk_assessments(opp: Opportunity) -> list[RiskAssessment]:
    return list(
        RiskAssessment.objects.filter(opportunity=opp)
        .select_related("assessed_by", "decided_by")
        .prefetch_related(Prefetch("scores", queryset=_scores()))
        .order_by("-assessed_on", "-id")
    )


def _scores() -> QuerySet[Any]:
    from .models import RiskScore

    return RiskScore.objects.select_related("factor").order_by("factor__order", "factor__code")


def contract_of(opp: Opportunity) -> Contract | None:
    contract = (
        Contract.objects.filter(opportunity=opp)
        .prefetch_related(
            Prefetch("milestones", queryset=PaymentMilestone.objects.order_by("order"))
        )
        .first()
    )
    return contract


def stage_durations(
    rows: list[StageTransition], now: datetime, closed_at: datetime | None = None
) -> list[dict[str, Any]]:
    """Days spent in each stage visit, from the transition rows (time in stage is a query on
    them, not a stored number). Losing or abandoning ends the visit; reopening starts a new
    one in the same stage (the stage clock restarts, as ``stage_entered_at`` does)."""
    visits: list[dict[str, Any]] = []
    for row in rows:
        current = visits[-1] if visits and visits[-1]["end"] is None else None
        if row.kind in (rules.Move.LOST, rules.Move.ABANDONED):
            if current is not None:
                current["end"] = row.at
            continue
        if current is not None and current["stage_id"] == row.to_stage_id:
            continue  # a step move inside the stage
        if current is not None:
            current["end"] = row.at
        visits.append(
            {"stage_id": row.to_stage_id, "stage": row.to_stage, "start": row.at, "end": None}
        )
    last = rows[-1] if rows else None
    closed_on_import = (
        last is not None
        and last.kind == rules.Move.IMPORTED
        and (last.to_status in (rules.Status.LOST, rules.Status.ABANDONED))
    )
    if closed_on_import and visits and visits[-1]["end"] is None and closed_at is not None:
        visits[-1]["end"] = closed_at  # brought in already closed: the visit ended then
    for v in visits:
        end = v["end"] or now
        v["days"] = max(0, (end - v["start"]).days)
    return visits


def power_map(opp: Opportunity) -> dict[str, Any]:
    """The customer's org chart (reporting lines from its contacts) with each contact's part in
    this deal: buying role, influence, attitude. Data for the ECharts tree on the page.

    ``opp`` is already one the user may see: the contacts follow the opportunity's visibility,
    not the customer's, so a consultant on the deal sees its power map without the customer."""
    contacts = list(
        Contact.objects.filter(customer_id=opp.customer_id)
        .order_by("pinyin_sort", "id")
        .values("id", "name", "title", "department", "reports_to_id")
    )
    roles = {r.contact_id: r for r in BuyingRoleEntry.objects.filter(opportunity=opp)}
    by_id = {c["id"]: c for c in contacts}
    children: dict[int | None, list[int]] = defaultdict(list)
    for c in contacts:
        parent = c["reports_to_id"] if c["reports_to_id"] in by_id else None
        children[parent].append(c["id"])

    def node(cid: int, seen: frozenset[int]) -> dict[str, Any]:
        c = by_id[cid]
        r = roles.get(cid)
        return {
            "id": cid,
            "name": c["name"],
            "title": c["title"],
            "department": c["department"],
            "role": r.role if r else "",
            "role_label": str(r.get_role_display()) if r else "",
            "influence": r.influence if r else "",
            "influence_label": str(r.get_influence_display()) if r else "",
            "attitude": r.attitude if r else "",
            "attitude_label": str(r.get_attitude_display()) if r else "",
            "involved": r is not None,
            "children": [node(k, seen | {cid}) for k in children.get(cid, []) if k not in seen],
        }

    roots = [node(cid, frozenset()) for cid in children.get(None, [])]
    # Reporting lines that loop (only possible in data written around the services) have no
    # top: the first contact of each loop, by name, is drawn as a root so nobody disappears.
    drawn: set[int] = set()

    def collect(n: dict[str, Any]) -> None:
        drawn.add(n["id"])
        for child in n["children"]:
            collect(child)

    for root in roots:
        collect(root)
    for c in contacts:
        if c["id"] not in drawn:
            root = node(c["id"], frozenset())
            roots.append(root)
            collect(root)
    return {"roots": roots, "involved": len(roles), "contacts": len(contacts)}


def conversion(*, user: Any) -> list[dict[str, Any]]:
    """Per stage: how many visible opportunities ever entered it (a query on transitions)."""
    rows = (
        StageTransition.objects.filter(opportunity__in=visible(user).values("pk"))
        .values("to_stage_id")
        .annotate(n=Count("opportunity_id", distinct=True))
    )
    entered = {r["to_stage_id"]: r["n"] for r in rows}
    return [{"stage": s, "entered": entered.get(s.pk, 0)} for s in Stage.objects.order_by("order")]


# --- lists and forms of the pipeline pages (added for the list pages) -----------------------

#: The major-project list (大项目名单) holds open and won deals, never lost or abandoned ones.
MAJOR_STATUSES = (rules.Status.OPEN, rules.Status.WON)


def major_projects(
    *, user: Any, filters: OpportunityFilters, threshold: Decimal
) -> QuerySet[Opportunity]:
    """Visible open or won opportunities of at least ``threshold`` (the policy's amount),
    filtered and sorted like the list."""

    f = replace(filters, min_amount_major=threshold)
    if f.status not in MAJOR_STATUSES:
        f.status = ""
    # "not lost or abandoned" rather than "open or won": one condition checked on the index
    # the list walks in its order (``opp_signing_cover``, ``opp_major``), not two ranges merged
    # and sorted; the same rows, as a deal is open, won, lost or abandoned
    closed = set(rules.Status.values) - set(MAJOR_STATUSES)
    return opportunity_list(user=user, filters=f).exclude(status__in=sorted(closed))


def owners_for_filter(*, user: Any) -> QuerySet[Any]:
    """People who own opportunities the user can see, for the owner filter."""
    from keyaccount.org.models import User

    owns = visible(user).filter(owner_id=OuterRef("pk"))
    return User.objects.filter(Exists(owns)).order_by("pinyin_sort", "id")


def customers_for_new_deal(*, user: Any) -> QuerySet[Any]:
    """Registered customers the user sees and may open a deal on: their own and those owned
    inside the units they manage (``permissions.can_open_deal``); all for administrators."""
    from keyaccount.customers.models import Customer, RegistrationStatus

    from .permissions import capabilities_for

    caps = capabilities_for(user)
    qs = Customer.objects.visible_to(user).filter(status=RegistrationStatus.REGISTERED)
    if not caps.everything:
        qs = qs.filter(
            Q(owner_id=caps.user_id) | Q(owner_unit_id__in=sorted(caps.managed_unit_ids))
        )
    return qs.order_by("pinyin_sort", "id")


def for_customer(*, user: Any, customer_id: int, limit: int = 100) -> list[Opportunity]:
    """The visible opportunities of one customer, open ones first, for the customer page."""
    from django.db.models import Case, When

    f = OpportunityFilters(status="", customer=customer_id)
    open_first = Case(When(status=rules.Status.OPEN, then=Value(0)), default=Value(1))
    qs = opportunity_list(user=user, filters=f).order_by(open_first, "expected_signing", "id")
    return list(qs[:limit])
