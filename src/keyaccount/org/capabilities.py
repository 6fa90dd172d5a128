"""What a user may do, from their roles and the units they manage or cover (SPEC §2).

Every app's permission predicates take a ``Capabilities``: computed once per request from the
role assignments and the org tree, and then asked questions without another query.
"""

from dataclasses import dataclass
from typing import Any

from keyaccount.core.request_cache import memo

from .rules import GLOBAL_ROLES, RoleCode, descendants
from .selectors import grants, unit_parents

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
    #: called with an API token an administrator allowed to import (``ApiToken.can_import``)
    imports_deals: bool = False

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
    token_imports = bool(getattr(user, "token_imports", False))
    return memo(
        ("capabilities", user.pk, user.is_superuser, token_imports), lambda: _capabilities(user)
    )


def _capabilities(user: Any) -> Capabilities:
    rows, managed = grants(user)
    roles = frozenset(code for code, _unit in rows)
    everything = user.is_superuser or bool(roles & GLOBAL_ROLES)
    managed_roots = set(managed)
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
        imports_deals=bool(getattr(user, "token_imports", False)),
    )
