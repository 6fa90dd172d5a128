"""Evidence criteria: exit criteria the system answers from its own data.

A criterion of the playbook is either *manual* (a person who may judge it ticks it) or has
*evidence*: a list of facts, all of which must hold, that the gate evaluates from the record
(``pipeline.rules.evidence_met``). Such a criterion is shown as met or not met with a link to
its evidence and cannot be ticked by hand, so the checklist never contradicts the record.

The vocabulary of facts is small and fixed; an administrator composes criteria from it in the
back office (``ExitCriterion.evidence``, a JSON list), and ``validate`` refuses what it does not
know. Each fact is an object with ``"fact"`` and its parameters:

``{"fact": "form", "form": <form code>}``
    the form is on file for the deal (customer profile, KA follow-up form, risk assessment,
    comprehensive evaluation, daily contact log, weekly report) — the same test as the
    stage's required forms.
``{"fact": "risk_cleared"}``
    a risk assessment is on file and the latest is not high risk, or a sales director decided
    to continue.
``{"fact": "elements", "elements": [<element>, …] or "all", "minimum": "partly"|"confirmed"}``
    the key evaluation elements are known at least that well.
``{"fact": "buying_roles", "all": [<matcher>, …]}`` or ``{"fact": "buying_roles", "any":
[<matcher>, …], "min": n}``
    the power map has, for ``all``, a contact matching each matcher; for ``any``, at least ``n``
    contacts (default 1) matching one of them. A matcher is ``{"role": <buying role>}``,
    ``{"attitude": <attitude>}`` or both (both must match).
``{"fact": "customer_graded"}``
    the customer has a grade (A/B/C/D).
``{"fact": "strategic_fit"}``
    the deal is recorded as fitting the company's strategy.
``{"fact": "contract_signed"}``
    the deal's contract is recorded (number, amount, date, payment milestones). Recording the
    contract — the won outcome — is what satisfies it, so it never blocks the win itself.
``{"fact": "milestones", "state": "accepted"|"collected", "which": "any"|"all"}``
    payment milestones are accepted (an acceptance date) or fully collected; ``all`` needs at
    least one milestone.
``{"fact": "new_opportunity"}``
    the customer has an opportunity opened after this deal was won (a new need registered).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import FormCode
from .vocabulary import Attitude, BuyingRole, Element, Knowledge


class Fact(models.TextChoices):
    FORM = "form", gettext_lazy("A form is on file")
    RISK_CLEARED = "risk_cleared", gettext_lazy("Risk assessed and cleared")
    ELEMENTS = "elements", gettext_lazy("Key evaluation elements known")
    BUYING_ROLES = "buying_roles", gettext_lazy("Contacts on the power map")
    CUSTOMER_GRADED = "customer_graded", gettext_lazy("The customer is graded")
    STRATEGIC_FIT = "strategic_fit", gettext_lazy("Fits the company's strategy")
    CONTRACT_SIGNED = "contract_signed", gettext_lazy("The contract is recorded")
    MILESTONES = "milestones", gettext_lazy("Payment milestones reached")
    NEW_OPPORTUNITY = "new_opportunity", gettext_lazy("A new opportunity is registered")


MILESTONE_STATES = ("accepted", "collected")


def _matcher_problems(matcher: Any, where: str) -> list[str]:
    if not isinstance(matcher, Mapping) or not matcher or set(matcher) - {"role", "attitude"}:
        return [
            _("%(where)s: a contact is described by a role and/or an attitude.") % {"where": where}
        ]
    problems = []
    if "role" in matcher and matcher["role"] not in BuyingRole.values:
        problems.append(
            _("%(where)s: unknown buying role “%(value)s”.")
            % {"where": where, "value": matcher["role"]}
        )
    if "attitude" in matcher and matcher["attitude"] not in Attitude.values:
        problems.append(
            _("%(where)s: unknown attitude “%(value)s”.")
            % {"where": where, "value": matcher["attitude"]}
        )
    return problems


#: the keys each fact may have besides "fact"
_KEYS = {
    Fact.FORM: {"form"},
    Fact.ELEMENTS: {"elements", "minimum"},
    Fact.BUYING_ROLES: {"all", "any", "min"},
    Fact.MILESTONES: {"state", "which"},
}


def _fact_problems(fact: Any, where: str) -> list[str]:
    if isinstance(fact, Mapping) and fact.get("fact") in Fact.values:
        extra = sorted(set(fact) - {"fact"} - _KEYS.get(fact["fact"], set()))
        if extra:
            return [
                _("%(where)s: “%(fact)s” takes no %(keys)s.")
                % {"where": where, "fact": fact["fact"], "keys": ", ".join(extra)}
            ]
    if not isinstance(fact, Mapping) or fact.get("fact") not in Fact.values:
        return [
            _("%(where)s: not a known fact (one of %(facts)s).")
            % {"where": where, "facts": ", ".join(Fact.values)}
        ]
    kind = fact["fact"]
    problems: list[str] = []
    if kind == Fact.FORM and fact.get("form") not in FormCode.values:
        problems.append(
            _("%(where)s: name the form (one of %(forms)s).")
            % {"where": where, "forms": ", ".join(FormCode.values)}
        )
    elif kind == Fact.ELEMENTS:
        elements = fact.get("elements")
        if elements != "all" and not (
            isinstance(elements, list) and elements and set(elements) <= set(Element.values)
        ):
            problems.append(
                _('%(where)s: list the elements (%(elements)s) or say "all".')
                % {"where": where, "elements": ", ".join(Element.values)}
            )
        if fact.get("minimum") not in (Knowledge.PARTLY, Knowledge.CONFIRMED):
            problems.append(
                _('%(where)s: the minimum is "partly" or "confirmed".') % {"where": where}
            )
    elif kind == Fact.BUYING_ROLES:
        matchers = fact.get("all", fact.get("any"))
        if ("all" in fact) == ("any" in fact) or not isinstance(matchers, list) or not matchers:
            problems.append(
                _('%(where)s: give "all" or "any" with a list of contacts.') % {"where": where}
            )
        else:
            for i, m in enumerate(matchers, start=1):
                problems.extend(_matcher_problems(m, f"{where}.{i}"))
        minimum = fact.get("min", 1)
        whole = isinstance(minimum, int) and not isinstance(minimum, bool)
        if "any" in fact and not (whole and minimum >= 1):
            problems.append(_('%(where)s: "min" is a whole number from 1.') % {"where": where})
    elif kind == Fact.MILESTONES and (
        fact.get("state") not in MILESTONE_STATES or fact.get("which") not in ("any", "all")
    ):
        problems.append(
            _('%(where)s: say the state ("accepted" or "collected") and which ("any" or "all").')
            % {"where": where}
        )
    return problems


def validate(evidence: Any) -> list[str]:
    """Problems of an evidence list as an administrator typed it; empty means it may be saved.
    An empty list is a manual criterion."""
    if evidence in (None, ""):
        return []
    if not isinstance(evidence, list):
        return [_('Evidence is a list of facts, e.g. [{"fact": "customer_graded"}].')]
    problems: list[str] = []
    for i, fact in enumerate(evidence, start=1):
        problems.extend(_fact_problems(fact, _("fact %(n)s") % {"n": i}))
    return problems


def _mid_sentence(label: object) -> str:
    """A label inside a sentence: "Decision maker" → "decision maker", "KA follow-up form" as it
    is (a leading abbreviation keeps its capitals)."""
    text = str(label)
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _join(items: Sequence[str], last: str) -> str:
    """``a、b and c`` in the active language (``last`` is " and " or " or ")."""
    if len(items) < 2:
        return "".join(items)
    return _(", ").join(items[:-1]) + last + items[-1]


def _matcher_text(m: Mapping[str, str]) -> str:
    role = _mid_sentence(dict(BuyingRole.choices).get(m.get("role", ""), ""))
    attitude = _mid_sentence(dict(Attitude.choices).get(m.get("attitude", ""), ""))
    if role and attitude:
        return _("a %(role)s and %(attitude)s") % {"role": role, "attitude": attitude}
    return _("a %(who)s") % {"who": role or attitude}


def describe_fact(fact: Mapping[str, Any]) -> str:
    """One fact as a sentence for the checklist ("Met: …", "Still missing: …")."""
    kind = fact.get("fact")
    if kind == Fact.FORM:
        label = dict(FormCode.choices).get(fact.get("form", ""), "?")
        return _("the %(form)s is on file") % {"form": _mid_sentence(label)}
    if kind == Fact.RISK_CLEARED:
        return _("a risk assessment is on file, and a high risk has a director's go-ahead")
    if kind == Fact.ELEMENTS:
        elements = fact.get("elements")
        labels = dict(Element.choices)
        what = (
            _("all six key evaluation elements")
            if elements == "all"
            else _join([_mid_sentence(labels.get(e, e)) for e in elements or []], _(" and "))
        )
        level = _mid_sentence(dict(Knowledge.choices).get(fact.get("minimum", ""), "?"))
        return _("%(what)s at least “%(level)s”") % {"what": what, "level": level}
    if kind == Fact.BUYING_ROLES:
        if "all" in fact:
            who = _join([_matcher_text(m) for m in fact["all"]], _(" and "))
            return _("the power map has %(who)s") % {"who": who}
        who = _join([_matcher_text(m) for m in fact.get("any", [])], _(" or "))
        n = int(fact.get("min", 1))
        return ngettext(
            "the power map has at least one contact who is %(who)s",
            "the power map has at least %(n)s contacts, each %(who)s",
            n,
        ) % {"n": n, "who": who}
    if kind == Fact.CUSTOMER_GRADED:
        return _("the customer has a grade")
    if kind == Fact.STRATEGIC_FIT:
        return _("the deal is recorded as fitting the company's strategy")
    if kind == Fact.CONTRACT_SIGNED:
        return _("the contract is recorded (recording the won deal does it)")
    if kind == Fact.MILESTONES:
        if fact.get("state") == "accepted":
            return (
                _("every payment milestone is accepted")
                if fact.get("which") == "all"
                else _("a payment milestone is accepted")
            )
        return (
            _("every payment milestone is fully collected")
            if fact.get("which") == "all"
            else _("a payment milestone is fully collected")
        )
    if kind == Fact.NEW_OPPORTUNITY:
        return _("a new opportunity is opened on the customer after the win")
    return str(kind)


def describe(evidence: Sequence[Mapping[str, Any]]) -> str:
    """The whole evidence list as one sentence."""
    return _("; ").join(describe_fact(f) for f in evidence)
