"""Every write about customers: registration, profile edits, allocation, scoring, grading,
evaluations. Keyword-only, atomic, ``actor=`` first; state changes leave rows (rule 3)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core import events, pinyin
from keyaccount.core.versioning import save_versioned
from keyaccount.org import notifications
from keyaccount.org.models import User

from . import notices, permissions, rules
from .models import (
    Customer,
    Evaluation,
    FactorScore,
    GradeChange,
    GradingPolicy,
    OwnerChange,
    RegistrationRequest,
    RegistrationStatus,
    ScoringFactor,
)
from .selectors import DuplicateView, find_exact_duplicates, find_likely_duplicates

PROFILE_FIELDS = (
    "name", "short_name", "credit_code", "region", "industry", "address", "website",
    "revenue", "profit", "budget", "actual_spend", "employees", "technical_staff",
    "segment_trend", "sourcing_policy", "solution_importance", "supplier_attitude",
    "key_buying_factors", "key_decision_makers", "solution_familiarity",
    "demand_characteristics", "incumbent_suppliers", "notes",
)  # fmt: skip


#: Customer fields written by scoring and grading, never by a profile edit.
_SET_ELSEWHERE = ("grade", "score", "suggested_grade")


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _owner_unit(customer: Customer) -> int | None:
    return customer.owner.unit_id


def refresh_keys(customer: Customer) -> None:
    """Normalise the name and credit code and derive the keys that search, sort and find
    duplicates by (``name_key``, ``core_key``; pinyin: ``core.pinyin``). Every write of a name
    goes through here: registration, profile edits and so the import."""
    customer.credit_code = rules.normalize_credit_code(customer.credit_code)
    customer.name = " ".join((customer.name or "").split())
    customer.name_key = rules.name_key(customer.name)
    customer.core_key = rules.core_key(customer.name)
    customer.pinyin_sort, customer.pinyin_full, customer.pinyin = pinyin.keys(customer.name)


def validate_profile(customer: Customer) -> None:
    errors: dict[str, list[str]] = {}
    if not customer.name.strip():
        errors.setdefault("name", []).append(_("The customer needs a name."))
    elif not customer.name_key:
        errors.setdefault("name", []).append(
            _("“%(name)s” has nothing left once the legal form is removed.")
            % {"name": customer.name}
        )
    if customer.credit_code:
        problem = rules.credit_code_problem(customer.credit_code)
        if problem:
            errors.setdefault("credit_code", []).append(problem)
    for field in ("revenue", "profit", "budget", "actual_spend"):
        value = getattr(customer, field)
        if value is not None and field != "profit" and value < 0:
            errors.setdefault(field, []).append(_("An amount here cannot be negative."))
    if errors:
        raise ValidationError(errors)


def _exact_duplicate_error(dup: DuplicateView) -> ValidationError:
    return ValidationError(
        {
            "name": _(
                "This company is already in the system as “%(name)s” (%(status)s), "
                "owned by %(owner)s. "
                "Two managers cannot own the same company: talk to them or to your "
                "department head."
            )
            % {"status": dup.status_label, "name": dup.name, "owner": dup.owner_name}
        }
    )


@dataclass(frozen=True)
class RegistrationResult:
    request: RegistrationRequest | None
    duplicates: list[DuplicateView]
    needs_confirmation: bool


@transaction.atomic
def registration_request(
    *,
    actor: User,
    data: Mapping[str, Any],
    confirm_not_duplicate: bool = False,
    duplicates: Sequence[DuplicateView] | None = None,
) -> RegistrationResult:
    """A KAM asks to register a customer. Exact duplicates are refused (the first request or
    registration is shown); likely duplicates must be confirmed as different first.

    ``duplicates``: the likely duplicates the caller already found and showed (a set-based
    import checks thousands of rows at once); exact duplicates are still looked up here."""
    caps = permissions.capabilities_for(actor)
    if not permissions.can_request_registration(caps):
        raise _deny(_("Only account managers and key account managers register customers."))
    customer = Customer(owner=actor, status=RegistrationStatus.PENDING)
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(customer, field, data[field])
    refresh_keys(customer)
    validate_profile(customer)
    if duplicates is None:
        found = find_likely_duplicates(
            name=customer.name, credit_code=customer.credit_code, exclude_id=None
        )
    else:
        exact_now = find_exact_duplicates(name=customer.name, credit_code=customer.credit_code)
        found = [*exact_now, *(d for d in duplicates if not d.exact)]
    exact = [d for d in found if d.exact]
    if exact:
        raise _exact_duplicate_error(exact[0])
    if found and not confirm_not_duplicate:
        return RegistrationResult(request=None, duplicates=found, needs_confirmation=True)
    customer._history_user = actor  # type: ignore[attr-defined]
    try:
        # The unique constraints are left to the database (caught below): checking them here
        # too costs two queries per row, which an import of thousands of rows feels.
        customer.full_clean(exclude=["owner"], validate_constraints=False)
        with transaction.atomic():
            customer.save()
    except (ValidationError, IntegrityError) as exc:
        # A concurrent request for the same company won the race (committed after our
        # duplicate check): name its owner rather than a constraint.
        again = find_likely_duplicates(name=customer.name, credit_code=customer.credit_code)
        if again and again[0].exact:
            raise _exact_duplicate_error(again[0]) from exc
        raise
    request = RegistrationRequest.objects.create(
        customer=customer,
        requested_by=actor,
        confirmed_not_duplicate=bool(found),
        duplicates_shown=[d.as_json() for d in found],
    )
    return RegistrationResult(request=request, duplicates=found, needs_confirmation=False)


@transaction.atomic
def registration_decide(
    *, actor: User, request: RegistrationRequest, approve: bool, reason: str = ""
) -> RegistrationRequest:
    """The department assistant approves (the requester owns it) or rejects with a reason."""
    request = (
        RegistrationRequest.objects.select_for_update()
        .select_related("customer__owner")
        .get(pk=request.pk)
    )
    _check_decidable(permissions.capabilities_for(actor), request)
    reason = _decision_reason(approve, reason)
    _decide(actor, request, approve, reason)
    _notify_decisions(actor, [request], approve, reason)
    return request


@transaction.atomic
def registrations_decide(
    *, actor: User, requests: Sequence[RegistrationRequest], approve: bool, reason: str = ""
) -> list[RegistrationRequest]:
    """Approve, or reject with one reason, many requests at once: all of them or none (a
    request someone decided meanwhile, or one the actor may not decide, refuses the batch,
    naming it). Each requester is told once, however many of theirs were decided."""
    ids = sorted({r.pk for r in requests})
    locked = list(
        RegistrationRequest.objects.select_for_update(of=("self",))
        .select_related("customer__owner", "decided_by", "requested_by")
        .filter(pk__in=ids)
        .order_by("created_at", "id")
    )
    if not locked:
        raise ValidationError(_("Choose the requests to decide."))
    caps = permissions.capabilities_for(actor)
    for request in locked:
        _require_decider(caps, request)
    decided = [r for r in locked if r.decision != RegistrationRequest.Decision.PENDING]
    if decided:
        raise ValidationError(
            _("Already decided, so nothing was changed: %(names)s.")
            % {"names": "、".join(r.customer.name for r in decided[:10])}
        )
    reason = _decision_reason(approve, reason)
    for request in locked:
        _decide(actor, request, approve, reason)
    _notify_decisions(actor, locked, approve, reason)
    return locked


def _decision_reason(approve: bool, reason: str) -> str:
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the registration is rejected.")})
    return reason


def _require_decider(caps: permissions.Capabilities, request: RegistrationRequest) -> None:
    if not permissions.can_decide_registration(caps, _owner_unit(request.customer)):
        raise _deny(_("Registration requests are decided by the KA department assistant."))


def _check_decidable(caps: permissions.Capabilities, request: RegistrationRequest) -> None:
    _require_decider(caps, request)
    if request.decision != RegistrationRequest.Decision.PENDING:
        raise ValidationError(
            _("This request was already decided (%(decision)s) by %(who)s.")
            % {"decision": request.get_decision_display(), "who": request.decided_by}
        )


def _decide(actor: User, request: RegistrationRequest, approve: bool, reason: str) -> None:
    customer = request.customer
    request.decision = (
        RegistrationRequest.Decision.APPROVED if approve else RegistrationRequest.Decision.REJECTED
    )
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.reason = reason
    request.save()
    customer.status = RegistrationStatus.REGISTERED if approve else RegistrationStatus.REJECTED
    customer.version += 1
    customer._history_user = actor  # type: ignore[attr-defined]
    # A reason the system supplies is stored as an event: shown in the reader's language.
    approved_event = events.event(notices.EVENT_REGISTRATION_APPROVED)
    customer._change_reason = reason or approved_event  # type: ignore[attr-defined]
    customer.save(update_fields=["status", "version", "updated_at"])
    if approve:
        OwnerChange.objects.create(
            customer=customer,
            old_owner=None,
            new_owner=customer.owner,
            changed_by=actor,
            reason=reason or approved_event,
        )


def _notify_decisions(
    actor: User, requests: Sequence[RegistrationRequest], approve: bool, reason: str
) -> None:
    """One notification per requester: of the one request, or of how many (with names)."""
    by_requester: dict[int, list[RegistrationRequest]] = {}
    for request in requests:
        by_requester.setdefault(request.requested_by_id, []).append(request)
    for mine in by_requester.values():
        first = mine[0]
        if len(mine) == 1:
            notifications.notify(
                kind=notices.REGISTRATION_APPROVED if approve else notices.REGISTRATION_REJECTED,
                recipients=[first.requested_by],
                params={"customer": first.customer.name, "actor": str(actor), "reason": reason},
                url=reverse("customers:detail", args=[first.customer.pk]) if approve else "",
                actor=actor,
            )
            continue
        notifications.notify(
            kind=(
                notices.REGISTRATIONS_APPROVED_MANY
                if approve
                else notices.REGISTRATIONS_REJECTED_MANY
            ),
            recipients=[first.requested_by],
            params={
                "count": len(mine),
                "names": "、".join(r.customer.name for r in mine[:3]),
                "actor": str(actor),
                "reason": reason,
            },
            url=reverse("customers:registrations") + "?tab=decided",
            actor=actor,
        )


@transaction.atomic
def customer_update(
    *, actor: User, customer: Customer, data: Mapping[str, Any], expected_version: int
) -> Customer:
    """Edit the profile. Refused if someone saved since ``expected_version`` (no lost update)."""
    caps = permissions.capabilities_for(actor)
    if not permissions.can_edit_profile(caps, customer.owner_id, _owner_unit(customer)):
        raise _deny(_("You may not edit this customer's profile."))
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(customer, field, data[field])
    refresh_keys(customer)
    validate_profile(customer)
    exact = find_exact_duplicates(
        name=customer.name, credit_code=customer.credit_code, exclude_id=customer.pk
    )
    if exact:
        raise _exact_duplicate_error(exact[0])
    # Scores and grades change without a version bump (they are not profile fields): take them
    # from the locked row so that saving a form opened earlier does not undo them.
    current = (
        Customer.objects.select_for_update().filter(pk=customer.pk).values(*_SET_ELSEWHERE).first()
    )
    for field, value in (current or {}).items():
        setattr(customer, field, value)
    return save_versioned(customer, expected_version=expected_version, actor=actor)  # type: ignore[return-value]


def _allocatable(user: User) -> bool:
    return (
        user.is_active
        and user.role_assignments.filter(role__code__in=permissions.SELLING_ROLES).exists()
    )


@transaction.atomic
def customers_allocate(
    *, actor: User, customers: Sequence[Customer], new_owner: User, reason: str
) -> int:
    """Allocate or reallocate registered customers to ``new_owner`` (bulk). Each change is a
    row. ``customers`` must come from the actor's visible set (views and the API ensure it)."""
    caps = permissions.capabilities_for(actor)
    ids = [c.pk for c in customers]
    locked = list(Customer.objects.select_for_update().select_related("owner").filter(pk__in=ids))
    refused = [c.name for c in locked if not permissions.can_allocate(caps, c.owner.unit_id)]
    if refused:
        raise _deny(
            _("Only the department head allocates customers; not allowed for: %(names)s")
            % {"names": "、".join(refused[:5])}
        )
    unregistered = [c.name for c in locked if c.status != RegistrationStatus.REGISTERED]
    if unregistered:
        raise ValidationError(
            _("Only registered customers are allocated; not yet registered: %(names)s")
            % {"names": "、".join(unregistered[:5])}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the customers are (re)allocated.")})
    if not _allocatable(new_owner):
        raise ValidationError(
            {
                "new_owner": _(
                    "%(user)s does not sell: choose a key account manager or account manager."
                )
                % {"user": new_owner}
            }
        )
    if not caps.everything and new_owner.unit_id not in caps.head_unit_ids:
        raise ValidationError(
            {"new_owner": _("%(user)s is not in your department.") % {"user": new_owner}}
        )
    moved = [c for c in locked if c.owner_id != new_owner.pk]
    OwnerChange.objects.bulk_create(
        [
            OwnerChange(
                customer=c, old_owner=c.owner, new_owner=new_owner, changed_by=actor, reason=reason
            )
            for c in moved
        ]
    )
    _notify_allocation(actor, moved, new_owner, reason)
    for c in moved:
        c.owner = new_owner
        c.version += 1
        c._history_user = actor  # type: ignore[attr-defined]
        c._change_reason = reason  # type: ignore[attr-defined]
        c.save(update_fields=["owner", "version", "updated_at"])
    return len(moved)


def _notify_allocation(
    actor: User, moved: Sequence[Customer], new_owner: User, reason: str
) -> None:
    """The new owner learns what they received, each old owner what was taken from them: one
    notification each, however many customers moved."""
    if not moved:
        return
    by_old: dict[int, list[Customer]] = {}
    for c in moved:
        by_old.setdefault(c.owner_id, []).append(c)

    def about(customers: Sequence[Customer]) -> tuple[str, dict[str, object], str]:
        if len(customers) == 1:
            one = customers[0]
            return "", {"customer": one.name}, reverse("customers:detail", args=[one.pk])
        names = "、".join(c.name for c in customers[:3])
        url = reverse("customers:list") + f"?owner={new_owner.pk}"
        return "_many", {"count": len(customers), "names": names}, url

    suffix, params, url = about(moved)
    olds = {str(c.owner) for c in moved}
    notifications.notify(
        kind=notices.ALLOCATED_TO_YOU + suffix,
        recipients=[new_owner],
        params={**params, "actor": str(actor), "reason": reason, "old_owner": "、".join(olds)},
        url=url,
        actor=actor,
    )
    for customers in by_old.values():
        suffix, params, _url = about(customers)
        notifications.notify(
            kind=notices.REALLOCATED_AWAY + suffix,
            recipients=[customers[0].owner],
            params={**params, "actor": str(actor), "reason": reason, "new_owner": str(new_owner)},
            actor=actor,
        )


def grading_policy() -> GradingPolicy:
    policy = GradingPolicy.objects.order_by("pk").first()
    return policy if policy is not None else GradingPolicy.objects.create()


def thresholds() -> rules.Thresholds:
    p = grading_policy()
    return rules.Thresholds(a=p.threshold_a, b=p.threshold_b, c=p.threshold_c)


def active_weights() -> dict[str, Decimal]:
    return dict(ScoringFactor.objects.filter(is_active=True).values_list("code", "weight"))


def recompute_score(customer: Customer) -> tuple[Decimal | None, str]:
    scores = dict(
        FactorScore.objects.filter(customer=customer).values_list("factor__code", "score")
    )
    score = rules.weighted_score(scores, active_weights())
    suggested = rules.suggest_grade(score, thresholds()) or ""
    Customer.objects.filter(pk=customer.pk).update(score=score, suggested_grade=suggested)
    customer.score, customer.suggested_grade = score, suggested
    return score, suggested


@transaction.atomic
def scorecard_recompute_all() -> int:
    """Recompute every customer's weighted score and suggested grade after the weights or
    thresholds changed. Set-based: two reads and batched updates, whatever the size."""
    weights = active_weights()
    limits = thresholds()
    by_customer: dict[int, dict[str, int]] = {}
    for customer_id, code, value in FactorScore.objects.values_list(
        "customer_id", "factor__code", "score"
    ).iterator(chunk_size=5000):
        by_customer.setdefault(customer_id, {})[code] = value
    changed = []
    for customer in Customer.objects.only("id", "score", "suggested_grade").iterator(
        chunk_size=5000
    ):
        score = rules.weighted_score(by_customer.get(customer.pk, {}), weights)
        suggested = rules.suggest_grade(score, limits) or ""
        if (customer.score, customer.suggested_grade) != (score, suggested):
            customer.score, customer.suggested_grade = score, suggested
            changed.append(customer)
    Customer.objects.bulk_update(changed, ["score", "suggested_grade"], batch_size=1000)
    return len(changed)


@transaction.atomic
def scores_save(
    *, actor: User, customer: Customer, scores: Mapping[str, tuple[int, str]]
) -> tuple[Decimal | None, str]:
    """Save factor scores (0–5, each with a justification); returns (score, suggested grade)."""
    caps = permissions.capabilities_for(actor)
    if not permissions.can_score(caps, customer.owner_id, _owner_unit(customer)):
        raise _deny(_("Only the owner and their managers score this customer."))
    factors = {f.code: f for f in ScoringFactor.objects.filter(is_active=True)}
    errors: dict[str, list[str]] = {}
    for code, (score, justification) in scores.items():
        if code not in factors:
            errors.setdefault(code, []).append(_("Unknown scoring factor."))
            continue
        if not 0 <= score <= rules.MAX_FACTOR_SCORE:
            errors.setdefault(code, []).append(_("A score is between 0 and 5."))
        if not (justification or "").strip():
            errors.setdefault(code, []).append(_("Give a short justification for the score."))
    if errors:
        raise ValidationError(errors)
    for code, (score, justification) in scores.items():
        row, _created = FactorScore.objects.get_or_create(
            customer=customer,
            factor=factors[code],
            defaults={"score": score, "justification": justification.strip(), "scored_by": actor},
        )
        if not _created and (row.score, row.justification) != (score, justification.strip()):
            row.score, row.justification, row.scored_by = score, justification.strip(), actor
            row._history_user = actor  # type: ignore[attr-defined]
            row.save()
    return recompute_score(customer)


@transaction.atomic
def grade_set(*, actor: User, customer: Customer, grade: str, reason: str = "") -> GradeChange:
    """A manager sets the grade; differing from the suggestion needs a reason. Kept as a row."""
    caps = permissions.capabilities_for(actor)
    if not permissions.can_grade(caps, _owner_unit(customer)):
        raise _deny(_("Grades are set by the team manager, department head or sales director."))
    if grade not in rules.Grade.values:
        raise ValidationError({"grade": _("A grade is A, B, C or D.")})
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    reason = reason.strip()
    if rules.grade_needs_reason(new_grade=grade, suggested=locked.suggested_grade or None) and (
        not reason
    ):
        raise ValidationError(
            {
                "reason": _(
                    "The scorecard suggests %(suggested)s: "
                    "say why the customer is graded %(grade)s."
                )
                % {"suggested": locked.suggested_grade, "grade": grade}
            }
        )
    change = GradeChange.objects.create(
        customer=locked,
        old_grade=locked.grade,
        new_grade=grade,
        suggested_grade=locked.suggested_grade,
        score=locked.score,
        changed_by=actor,
        reason=reason,
    )
    Customer.objects.filter(pk=locked.pk).update(grade=grade)
    customer.grade = grade
    return change


@transaction.atomic
def evaluation_create(*, actor: User, customer: Customer, data: Mapping[str, Any]) -> Evaluation:
    caps = permissions.capabilities_for(actor)
    if not permissions.can_evaluate(caps, customer.owner_id, _owner_unit(customer)):
        raise _deny(_("Only the owner and their managers evaluate this customer."))
    evaluation = Evaluation(customer=customer, evaluated_by=actor, **data)
    if evaluation.evaluated_on is None:
        evaluation.evaluated_on = timezone.localdate()
    if isinstance(evaluation.evaluated_on, date) and evaluation.evaluated_on > timezone.localdate():
        raise ValidationError({"evaluated_on": _("An evaluation cannot be dated in the future.")})
    evaluation.full_clean()
    evaluation._history_user = actor  # type: ignore[attr-defined]
    evaluation.save()
    return evaluation
