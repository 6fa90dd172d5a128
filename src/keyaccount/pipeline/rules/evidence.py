"""Evidence criteria, pure: whether the record satisfies a criterion's facts.

The vocabulary of facts and its documentation are the playbook's (``process.evidence``);
``pipeline.gate.gate_input`` reads what the record says about one deal into ``EvidenceData``
in a fixed number of queries, and the gate (``rules.gate``) asks ``evidence_met`` for every
criterion that has evidence instead of looking for a tick.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from keyaccount.process.evidence import Fact

from .vocabulary import KNOWLEDGE_RANK, Element, Knowledge


@dataclass(frozen=True)
class EvidenceData:
    """What the record says about one deal, as far as evidence criteria ask."""

    forms: frozenset[str] = frozenset()  # form codes on file (the stage's required-form test)
    risk_cleared: bool = False  # assessed, and not high risk unless a director said continue
    elements: Mapping[str, str] = field(default_factory=dict)  # element -> Knowledge
    contacts: Sequence[tuple[str, str]] = ()  # (buying role, attitude) per power-map entry
    customer_graded: bool = False
    strategic_fit: bool = False
    contract_signed: bool = False
    milestones: Sequence[tuple[bool, bool]] = ()  # (accepted, fully collected) per milestone
    new_opportunity: bool = False


def _matches(contact: tuple[str, str], matcher: Mapping[str, Any]) -> bool:
    role, attitude = contact
    return bool(matcher.get("role", role) == role and matcher.get("attitude", attitude) == attitude)


def _elements_met(fact: Mapping[str, Any], data: EvidenceData) -> bool:
    wanted = Element.values if fact.get("elements") == "all" else list(fact.get("elements") or [])
    needed = KNOWLEDGE_RANK.get(Knowledge(fact.get("minimum", Knowledge.CONFIRMED)), 2)
    return bool(wanted) and all(
        KNOWLEDGE_RANK.get(Knowledge(data.elements.get(e, Knowledge.UNKNOWN)), 0) >= needed
        for e in wanted
    )


def _contacts_met(fact: Mapping[str, Any], data: EvidenceData) -> bool:
    if "all" in fact:
        return all(any(_matches(c, m) for c in data.contacts) for m in fact["all"])
    matchers = fact.get("any") or []
    found = sum(1 for c in data.contacts if any(_matches(c, m) for m in matchers))
    return bool(matchers) and found >= int(fact.get("min", 1))


def _milestones_met(fact: Mapping[str, Any], data: EvidenceData) -> bool:
    index = 0 if fact.get("state") == "accepted" else 1
    states = [m[index] for m in data.milestones]
    if fact.get("which") == "all":
        return bool(states) and all(states)
    return any(states)


def fact_met(fact: Mapping[str, Any], data: EvidenceData) -> bool:
    """Whether one fact holds. A fact the vocabulary does not know never holds."""
    kind = fact.get("fact")
    if kind == Fact.FORM:
        return fact.get("form") in data.forms
    if kind == Fact.RISK_CLEARED:
        return data.risk_cleared
    if kind == Fact.ELEMENTS:
        return _elements_met(fact, data)
    if kind == Fact.BUYING_ROLES:
        return _contacts_met(fact, data)
    if kind == Fact.CUSTOMER_GRADED:
        return data.customer_graded
    if kind == Fact.STRATEGIC_FIT:
        return data.strategic_fit
    if kind == Fact.CONTRACT_SIGNED:
        return data.contract_signed
    if kind == Fact.MILESTONES:
        return _milestones_met(fact, data)
    if kind == Fact.NEW_OPPORTUNITY:
        return data.new_opportunity
    return False


def evidence_met(evidence: Sequence[Mapping[str, Any]], data: EvidenceData) -> bool:
    """A criterion with evidence is met when every one of its facts holds."""
    return bool(evidence) and all(fact_met(f, data) for f in evidence)


def unmet(evidence: Sequence[Mapping[str, Any]], data: EvidenceData) -> list[Mapping[str, Any]]:
    """The facts that do not hold yet (what the checklist says is still missing)."""
    return [f for f in evidence if not fact_met(f, data)]
