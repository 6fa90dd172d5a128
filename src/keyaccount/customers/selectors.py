"""Every read of customers starts from ``visible_to(user)`` (rule 2)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import NullIf
from django.utils.translation import gettext as _

from keyaccount.core import pinyin
from keyaccount.core.sql import IdsIn
from keyaccount.org.forms import industry_choices, region_choices
from keyaccount.org.rules import descendants
from keyaccount.org.selectors import region_subtree, unit_parents

from . import rules
from .filters import DEFAULT_SORT, NOT_GRADED, CustomerFilters, FilterChoices
from .models import Customer, Evaluation, RegistrationRequest, RegistrationStatus


@dataclass(frozen=True)
class DuplicateView:
    """What a registering KAM is shown of a likely duplicate (even one they cannot open)."""

    id: int
    name: str
    owner_name: str
    status: str
    status_label: str
    reason: str
    reason_label: str
    similarity: float

    @property
    def exact(self) -> bool:
        return self.reason in (rules.DuplicateReason.CREDIT_CODE, rules.DuplicateReason.SAME_NAME)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "reason": self.reason,
            "similarity": self.similarity,
        }


def duplicate_view(customer: Customer, reason: str, similarity: float = 1.0) -> DuplicateView:
    """What is shown of ``customer`` (with its owner) as a duplicate for ``reason``."""
    return DuplicateView(
        id=customer.pk,
        name=customer.name,
        owner_name=str(customer.owner),
        status=customer.status,
        status_label=str(customer.get_status_display()),
        reason=reason,
        reason_label=str(dict(rules.DuplicateReason.choices)[reason]),
        similarity=similarity,
    )


def find_likely_duplicates(
    *, name: str, credit_code: str, exclude_id: int | None = None, limit: int = 10
) -> list[DuplicateView]:
    """Likely duplicates among all live customers (not only visible ones: the point of the
    check is to find a company someone else already has). Shows identity, owner and status only."""
    live = Customer.objects.exclude(status=RegistrationStatus.REJECTED)
    if exclude_id is not None:
        live = live.exclude(pk=exclude_id)
    candidates = (
        rules.Candidate(id=i, credit_code=c, name_key=n, core_key=k)
        for i, c, n, k in live.values_list("id", "credit_code", "name_key", "core_key").iterator(
            chunk_size=5000
        )
    )
    matches = rules.find_duplicates(
        credit_code=credit_code, name=name, candidates=candidates, limit=limit
    )
    if not matches:
        return []
    rows = {
        c.pk: c
        for c in Customer.objects.select_related("owner").filter(pk__in=[m.id for m in matches])
    }
    return [duplicate_view(rows[m.id], m.reason, m.similarity) for m in matches if m.id in rows]


def find_exact_duplicates(
    *, name: str, credit_code: str, exclude_id: int | None = None
) -> list[DuplicateView]:
    """Live customers with the same credit code or the same normalised name: two indexed
    lookups instead of the scan of ``find_likely_duplicates`` (edits and imports need only
    these)."""
    code = rules.normalize_credit_code(credit_code)
    key = rules.name_key(name)
    condition = Q(name_key=key) if key else Q(pk__in=[])
    if code:
        condition |= Q(credit_code=code)
    live = Customer.objects.exclude(status=RegistrationStatus.REJECTED).filter(condition)
    if exclude_id is not None:
        live = live.exclude(pk=exclude_id)
    found = []
    for c in live.select_related("owner").order_by("pk")[:10]:
        reason = (
            rules.DuplicateReason.CREDIT_CODE
            if code and c.credit_code == code
            else rules.DuplicateReason.SAME_NAME
        )
        found.append(duplicate_view(c, reason))
    order = list(rules.DuplicateReason.values)
    found.sort(key=lambda d: (order.index(d.reason), d.id))
    return found


_GRADE = NullIf("grade", Value(""))  # ungraded ("") sorts as NULL, i.e. last

# Customers without a grade, score or revenue come last either way, on SQLite and PostgreSQL alike
# (their defaults differ: PostgreSQL puts NULLs first when descending). One per
# ``filters.SORT_KEYS``.
SORTS: dict[str, tuple[Any, ...]] = {
    "name": ("pinyin_sort", "id"),  # by pinyin (``core.pinyin``), walking its index
    "-name": ("-pinyin_sort", "-id"),
    "grade": (_GRADE.asc(nulls_last=True), F("score").desc(nulls_last=True), "id"),
    "-grade": (_GRADE.desc(nulls_last=True), F("score").asc(nulls_last=True), "-id"),
    "score": (F("score").asc(nulls_last=True), "id"),
    "-score": (F("score").desc(nulls_last=True), "id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "revenue": (F("revenue").asc(nulls_last=True), "id"),
    "-revenue": (F("revenue").desc(nulls_last=True), "-id"),
}


def matching(text: str) -> Q:
    """Customers found by what was typed: the name or short name as typed, their pinyin (full:
    "qiantang", "杭州wan"; initials: "qt"), the name without its legal form, the start of the
    credit code."""
    text = text.strip()
    key = rules.name_key(text)
    condition = Q(name__icontains=text) | Q(short_name__icontains=text)
    condition |= pinyin.matching(text)
    if key:
        condition |= Q(name_key__contains=key)
    if text.isascii():
        condition |= Q(credit_code__startswith=rules.normalize_credit_code(text))
    return condition


def customer_list(*, user: Any, filters: CustomerFilters | None = None) -> QuerySet[Customer]:
    """The KA list: visible customers, filtered and sorted. A bounded number of queries."""
    f = filters or CustomerFilters()
    qs = Customer.objects.visible_to(user).select_related("region", "industry", "owner__unit")
    if f.q:
        qs = qs.filter(matching(f.q))
    if f.grades:
        wanted = [g for g in f.grades if g in rules.Grade.values]
        if NOT_GRADED in f.grades:
            qs = qs.filter(Q(grade__in=wanted) | Q(grade=""))
        else:
            qs = qs.filter(grade__in=wanted)
    if f.region:
        qs = qs.filter(region_id__in=region_subtree(f.region))
    if f.industry:
        qs = qs.filter(Q(industry_id=f.industry) | Q(industry__parent_id=f.industry))
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.team:
        units = descendants(unit_parents(), [f.team])
        qs = qs.filter(IdsIn("owner_unit_id", units))
    if f.status in RegistrationStatus.values:
        qs = qs.filter(status=f.status)
    if f.score_min is not None:
        qs = qs.filter(score__gte=f.score_min)
    if f.score_max is not None:
        qs = qs.filter(score__lte=f.score_max)
    return qs.order_by(*SORTS.get(f.sort, SORTS[DEFAULT_SORT]))


def customer_detail_queryset(*, user: Any) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).select_related(
        "region", "industry", "owner__unit", "region__parent"
    )


def registration_queue(*, user: Any, decision: str = "pending") -> QuerySet[RegistrationRequest]:
    qs = RegistrationRequest.objects.visible_to(user).select_related(
        "customer__owner__unit",
        "customer__region",
        "customer__industry",
        "requested_by",
        "decided_by",
    )
    if decision:
        qs = qs.filter(decision=decision)
    if decision == "pending":
        return qs.order_by("created_at", "id")
    # Undecided requests (no decided_at) last on every database.
    return qs.order_by(F("decided_at").desc(nulls_last=True), "-id")


def evaluations_for(*, user: Any, customer: Customer) -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.visible_to(user).filter(customer=customer).select_related("evaluated_by")
    )


def owners_for_filter(*, user: Any) -> QuerySet[Any]:
    """People whose customers the user can see, for the owner filter."""
    from keyaccount.org.models import User

    owns = Customer.objects.visible_to(user).filter(owner_id=OuterRef("pk"))
    return User.objects.filter(Exists(owns)).order_by("pinyin_sort", "id")


def filter_choices(*, user: Any) -> FilterChoices:
    """What the user may pick in the KA list's filters (``filters.parse_filters`` drops the
    rest): owners of customers they can see and the org units they can see (checked for
    ``user``, offered as they type: ``typeahead.py``), active regions and industries."""
    return FilterChoices(user=user, regions=region_choices, industries=industry_choices)


def status_label(status: str) -> str:
    return str(dict(RegistrationStatus.choices).get(status, _("unknown")))
