"""Who may do what to an opportunity they can see (SPEC §2). Visibility comes first: these
predicates are only asked about opportunities already inside ``visible_to(user)``.

- The owner and the managers of the owner's unit run the deal: edit it, move it through the
  gates, close it, keep its team, contract and milestones.
- Team members (consultants and others) work on it: the checklist, key evaluation elements,
  competitors, buying roles, follow-up entries and risk assessments.
- A sales director covering the owner's unit overrides gates and decides high-risk deals.
- The department assistant sees the department's deals but does not edit them.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from keyaccount.org.capabilities import SELLING_ROLES, Capabilities, capabilities_for

__all__ = ["SELLING_ROLES", "Capabilities", "DealAccess", "capabilities_for", "deal_access"]


@dataclass(frozen=True)
class DealAccess:
    run: bool  # edit fields, move stages, outcomes, team, contract, milestones
    work: bool  # checklist, elements, competitors, buying roles, follow-ups, risk assessments
    override: bool  # override a gate, decide a high-risk deal

    def as_dict(self) -> dict[str, bool]:
        return {"run": self.run, "work": self.work, "override": self.override}


def deal_access(
    caps: Capabilities, *, owner_id: int, owner_unit_id: int | None, member_ids: Iterable[int] = ()
) -> DealAccess:
    run = caps.user_id == owner_id or caps.manages(owner_unit_id)
    work = run or (caps.user_id is not None and caps.user_id in set(member_ids))
    override = caps.everything or (
        owner_unit_id is not None and owner_unit_id in caps.director_unit_ids
    )
    return DealAccess(run=run, work=work, override=override)


def can_open_deal(caps: Capabilities, *, customer_owner_id: int, owner_unit_id: int | None) -> bool:
    """A deal is opened on a registered customer by its owner or the owner's managers."""
    return caps.user_id == customer_owner_id or caps.manages(owner_unit_id)


def may_open_deals(caps: Capabilities) -> bool:
    """Whether the user could open a deal on some customer: they sell (their own customers),
    manage a unit (its members' customers), or administer everything."""
    return caps.everything or caps.sells or bool(caps.managed_unit_ids)


def may_register_competitors(caps: Capabilities) -> bool:
    """Sales staff add companies to the competitor catalogue: those who sell, manage a unit or
    administer everything (the people who may open deals)."""
    return may_open_deals(caps)


def can_import_deal(caps: Capabilities, *, owner_unit_id: int | None) -> bool:
    """Deals with their stage, owner and history come in through an administrator, or the
    sales director covering the owner's unit, or an integration's API token an administrator
    allowed to import: nobody else puts a deal past a gate."""
    return (
        caps.everything
        or caps.imports_deals
        or (owner_unit_id is not None and owner_unit_id in caps.director_unit_ids)
    )


def may_import_deals(caps: Capabilities) -> bool:
    """Whether the user could import deals for some owner (``can_import_deal``)."""
    return caps.everything or caps.imports_deals or bool(caps.director_unit_ids)


def can_reassign(caps: Capabilities, *, owner_unit_id: int | None) -> bool:
    """The deal's owner's managers hand it to someone else (``services.opportunity_reassign``)."""
    return caps.manages(owner_unit_id)


#: A deal-team role counts as the org role of the same work when a step names who is
#: responsible for it.
TEAM_ROLE_AS_ROLE = {
    "consultant": "consultant",
    "senior_kam": "senior_kam",
    "account_manager": "account_manager",
    "director": "sales_director",
}


def roles_held(caps: Capabilities, team_role: str | None) -> frozenset[str]:
    """The role codes a person brings to a deal: their own roles and their part on its team."""
    extra = TEAM_ROLE_AS_ROLE.get(team_role or "")
    return caps.roles | {extra} if extra else caps.roles


def may_tick(acc: DealAccess, *, responsible: frozenset[str], held: frozenset[str]) -> bool:
    """Who ticks a manual exit criterion: the deal's owner or their managers, or someone on the
    deal team holding a role its step names as responsible. A criterion of the stage as a
    whole (no step) is the owner's and their managers' to tick."""
    return acc.run or (acc.work and bool(responsible & held))


def can_review_overrides(caps: Capabilities, *, owner_unit_id: int | None) -> bool:
    """The department head covering the deal owner's unit reviews the gates a sales director
    overrode there (and administrators anywhere)."""
    return caps.everything or (owner_unit_id is not None and owner_unit_id in caps.head_unit_ids)


def reviews_overrides(caps: Capabilities) -> bool:
    """Whether the user reviews overrides anywhere (the page and the pending work)."""
    return caps.everything or bool(caps.head_unit_ids)
