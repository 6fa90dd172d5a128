"""Pure rules of the organisation: roles, scopes, trees. No database here."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    """The eight roles of SPEC §2."""

    KAM = "kam", _("Key account manager")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    SENIOR_KAM = "senior_kam", _("Senior key account manager")
    SALES_DIRECTOR = "sales_director", _("Sales director")
    CONSULTANT = "consultant", _("Consultant / technical support")
    DEPARTMENT_HEAD = "department_head", _("KA department head")
    DEPARTMENT_ASSISTANT = "department_assistant", _("KA department assistant")
    ADMINISTRATOR = "administrator", _("Administrator")


#: Roles that see every record owned inside the org unit they are assigned to (and below it).
UNIT_WIDE_ROLES = frozenset(
    {RoleCode.DEPARTMENT_HEAD, RoleCode.DEPARTMENT_ASSISTANT, RoleCode.SALES_DIRECTOR}
)
#: Roles that see everything.
GLOBAL_ROLES = frozenset({RoleCode.ADMINISTRATOR})


def role_needs_unit(role: str) -> bool:
    """A unit-wide role means nothing without the unit it covers."""
    return role in UNIT_WIDE_ROLES


@dataclass(frozen=True)
class Scope:
    """What a user may see: their own records, records owned in ``unit_ids``, or everything."""

    user_id: int | None
    everything: bool = False
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    #: ``unit_ids`` is every unit there is: "owned in one of them" is "owned by someone in a
    #: unit", which the database answers without a list
    all_units: bool = field(default=False, compare=False)  # derived from unit_ids and the tree

    @property
    def is_empty(self) -> bool:
        return self.user_id is None and not self.everything


NO_SCOPE = Scope(user_id=None)


def descendants(parent_of: Mapping[int, int | None], roots: Iterable[int]) -> set[int]:
    """The units in ``roots`` and every unit below them. ``parent_of`` maps unit → parent."""
    children: dict[int, list[int]] = {}
    for unit, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    seen: set[int] = set()
    stack = [r for r in roots if r in parent_of]
    while stack:
        unit = stack.pop()
        if unit in seen:
            continue
        seen.add(unit)
        stack.extend(children.get(unit, ()))
    return seen


def ancestors(parent_of: Mapping[int, int | None], unit: int) -> list[int]:
    """The chain above ``unit``, nearest first. Stops on a cycle rather than looping."""
    chain: list[int] = []
    current = parent_of.get(unit)
    while current is not None and current not in chain and current != unit:
        chain.append(current)
        current = parent_of.get(current)
    return chain


def would_create_cycle(parent_of: Mapping[int, int | None], unit: int, new_parent: int) -> bool:
    """Moving ``unit`` under ``new_parent`` would make it its own ancestor."""
    return new_parent == unit or unit in ancestors(parent_of, new_parent)


def build_scope(
    *,
    user_id: int,
    is_superuser: bool,
    role_units: Iterable[tuple[str, int | None]],
    managed_units: Iterable[int],
    parent_of: Mapping[int, int | None],
) -> Scope:
    """Combine role assignments and managed units into one scope (SPEC §2).

    - administrators (and superusers) see everything;
    - unit-wide roles (head, assistant, director) see their unit's subtree;
    - a unit's manager sees that unit's subtree;
    - everyone sees what they own (and, per model, what their team is on).
    """
    roots: set[int] = set(managed_units)
    for role, unit in role_units:
        if role in GLOBAL_ROLES:
            return Scope(user_id=user_id, everything=True)
        if role in UNIT_WIDE_ROLES and unit is not None:
            roots.add(unit)
    if is_superuser:
        return Scope(user_id=user_id, everything=True)
    unit_ids = frozenset(descendants(parent_of, roots))
    return Scope(
        user_id=user_id,
        unit_ids=unit_ids,
        all_units=bool(unit_ids) and unit_ids >= parent_of.keys(),
    )
