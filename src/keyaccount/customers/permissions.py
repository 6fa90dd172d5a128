"""Who may do what to a customer they can see (SPEC §2). Visibility comes first: these
predicates are only asked about customers already inside ``visible_to(user)``."""

from dataclasses import dataclass
from typing import Any

from keyaccount.core.request_cache import memo
from keyaccount.org.models import OrgUnit, RoleAssignment
from keyaccount.org.rules import GLOBAL_ROLES, RoleCode, descendants
from keyaccount.org.selectors import unit_parents

#: Roles that own customers.
SELLING_ROLES = frozenset({RoleCode.KAM, RoleCode.ACCOUNT_MANAGER, RoleCode.SENIOR_KAM})
_MANAGING_ROLES = frozenset({RoleCode.DEPARTMENT_HEAD, RoleCode.SALES_DIRECTOR})


@dataclass(frozen=True)
class Capabilities:
    user_id: int | None
    roles: frozenset[str]
    everything: bool
    managed_unit_ids: frozenset[int]  # units whose members' customers this user manages
    assisted_unit_ids: frozenset[int]  # units covered as department assistant
    head_unit_ids: frozenset[int]  # units covered as department head
    director_unit_ids: frozenset[int] = frozenset()  # units covered as sales director

    def manages(self, owner_unit_id: int | None) -> bool:
        return self.everything or (
            owner_unit_id is not None and owner_unit_id in self.managed_unit_ids
        )

    @property
    def sells(self) -> bool:
        return bool(self.roles & SELLING_ROLES)


NOBODY = Capabilities(None, frozenset(), False, frozenset(), frozenset(), frozenset())


def capabilities_for(user: Any) -> Capabilities:
    """What ``user`` may do, computed once per request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    return memo(("capabilities", user.pk, user.is_superuser), lambda: _capabilities(user))


def _capabilities(user: Any) -> Capabilities:
    rows = list(RoleAssignment.objects.filter(user_id=user.pk).values_list("role__code", "unit_id"))
    roles = frozenset(code for code, _unit in rows)
    everything = user.is_superuser or bool(roles & GLOBAL_ROLES)
    managed_roots = set(OrgUnit.objects.filter(manager_id=user.pk).values_list("id", flat=True))
    managed_roots |= {u for code, u in rows if code in _MANAGING_ROLES and u is not None}
    assisted_roots = {u for code, u in rows if code == RoleCode.DEPARTMENT_ASSISTANT and u}
    head_roots = {u for code, u in rows if code == RoleCode.DEPARTMENT_HEAD and u}
    director_roots = {u for code, u in rows if code == RoleCode.SALES_DIRECTOR and u}
    parents = unit_parents() if (managed_roots or assisted_roots or head_roots) else {}
    return Capabilities(
        user_id=user.pk,
        roles=roles,
        everything=everything,
        managed_unit_ids=frozenset(descendants(parents, managed_roots)),
        assisted_unit_ids=frozenset(descendants(parents, assisted_roots)),
        head_unit_ids=frozenset(descendants(parents, head_roots)),
        director_unit_ids=frozenset(descendants(parents, director_roots)),
    )


def can_request_registration(caps: Capabilities) -> bool:
    return caps.everything or caps.sells


def can_decide_registration(caps: Capabilities, owner_unit_id: int | None) -> bool:
    return caps.everything or (
        owner_unit_id is not None and owner_unit_id in caps.assisted_unit_ids
    )


def can_edit_profile(caps: Capabilities, owner_id: int, owner_unit_id: int | None) -> bool:
    """The owner, their managers, and the assistant (who keeps master data clean)."""
    return (
        caps.user_id == owner_id
        or caps.manages(owner_unit_id)
        or (owner_unit_id is not None and owner_unit_id in caps.assisted_unit_ids)
    )


def can_score(caps: Capabilities, owner_id: int, owner_unit_id: int | None) -> bool:
    """The owner fills the scorecard; their managers may too. The assistant may not."""
    return caps.user_id == owner_id or caps.manages(owner_unit_id)


def can_grade(caps: Capabilities, owner_unit_id: int | None) -> bool:
    """A manager sets the grade: team manager, department head, director, administrator."""
    return caps.manages(owner_unit_id)


def can_allocate(caps: Capabilities, owner_unit_id: int | None) -> bool:
    """The department head allocates and reallocates customers (and administrators)."""
    return caps.everything or (owner_unit_id is not None and owner_unit_id in caps.head_unit_ids)


def can_edit_contacts(caps: Capabilities, owner_id: int, owner_unit_id: int | None) -> bool:
    return can_edit_profile(caps, owner_id, owner_unit_id)


def can_evaluate(caps: Capabilities, owner_id: int, owner_unit_id: int | None) -> bool:
    return can_score(caps, owner_id, owner_unit_id)
