"""Reads about the organisation, all scoped to the asking user."""

from typing import Any

from django.db.models import F, QuerySet

from keyaccount.core.request_cache import memo

from .models import ApiToken, OrgUnit, Region, RoleAssignment, User
from .rules import NO_SCOPE, RoleCode, Scope, ancestors, build_scope, descendants


def unit_parents() -> dict[int, int | None]:
    """The whole org tree as unit → parent (one small query: org trees are small)."""
    return dict(OrgUnit.objects.values_list("id", "parent_id"))


def scope_for(user: Any) -> Scope:
    """The visibility scope of ``user`` (SPEC §2). Three small queries, no per-row work, once
    per request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    return memo(("scope", user.pk, user.is_superuser), lambda: _scope(user))


def _scope(user: Any) -> Scope:
    role_units = list(
        RoleAssignment.objects.filter(user_id=user.pk).values_list("role__code", "unit_id")
    )
    managed = list(OrgUnit.objects.filter(manager_id=user.pk).values_list("id", flat=True))
    parent_of = unit_parents() if (managed or any(u for _, u in role_units)) else {}
    return build_scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        role_units=role_units,
        managed_units=managed,
        parent_of=parent_of,
    )


def region_subtree(region_id: int) -> list[int]:
    """The region and every region below it (江苏 under 华东 under 中国), as sorted ids."""
    parents = dict(Region.objects.values_list("id", "parent_id"))
    return sorted(descendants(parents, [region_id]))


def directors_covering(unit_id: int | None) -> list[User]:
    """The active sales directors whose covered unit is ``unit_id`` or a unit above it: who
    decides a high-risk deal owned there."""
    if unit_id is None:
        return []
    units = [unit_id, *ancestors(unit_parents(), unit_id)]
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role__code=RoleCode.SALES_DIRECTOR,
            role_assignments__unit_id__in=units,
        ).distinct()
    )


def role_codes(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(RoleAssignment.objects.filter(user_id=user.pk).values_list("role__code", flat=True))


def org_units_visible(*, user: Any) -> QuerySet[OrgUnit]:
    """Units a user may see: those in their scope, their own unit, and the chain above them."""
    scope = scope_for(user)
    if scope.everything:
        return OrgUnit.objects.all()
    if scope.is_empty:
        return OrgUnit.objects.none()
    ids = set(scope.unit_ids)
    own = user.unit_id
    if own is not None:
        ids.add(own)
    if ids:
        parent_of = unit_parents()
        for unit in list(ids):
            ids.update(ancestors(parent_of, unit))
    return OrgUnit.objects.filter(id__in=ids)


def teams_for_filter(*, user: Any) -> QuerySet[OrgUnit]:
    """The org units a list can be filtered by: those the user may see."""
    return org_units_visible(user=user).order_by("name")


def org_unit_list(*, user: Any) -> QuerySet[OrgUnit]:
    # Top units first on every database (PostgreSQL sorts NULL last by default, SQLite first).
    return (
        org_units_visible(user=user)
        .select_related("parent", "manager", "region")
        .order_by(F("parent_id").asc(nulls_first=True), "name")
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def home_summary(*, user: Any) -> dict[str, Any]:
    """The home page: who I am here, what I can see, and my colleagues."""
    from .models import Role

    assignments = list(
        RoleAssignment.objects.filter(user_id=user.pk)
        .select_related("role", "unit")
        .order_by("role__order")
    )
    scope = scope_for(user)
    units = list(org_units_visible(user=user).order_by("name")) if not scope.everything else []
    colleagues = (
        list(
            User.objects.filter(unit_id=user.unit_id, is_active=True)
            .exclude(pk=user.pk)
            .order_by("pinyin_sort", "id")[:12]
        )
        if user.unit_id
        else []
    )
    return {
        "assignments": assignments,
        "scope": scope,
        "scope_unit_count": len(scope.unit_ids),
        "visible_units": units,
        "colleagues": colleagues,
        "role_count": Role.objects.count(),
    }


def org_tree(*, user: Any) -> dict[str, Any]:
    """The part of the org tree a user may see, as nested rows with members and roles."""
    units = list(org_unit_list(user=user))
    ids = {u.pk for u in units}
    members: dict[int, list[User]] = {}
    for member in (
        User.objects.filter(unit_id__in=ids, is_active=True)
        .prefetch_related("role_assignments__role")
        .order_by("pinyin_sort", "id")
    ):
        members.setdefault(member.unit_id or 0, []).append(member)
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)

    rows: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent, []), key=lambda u: u.name):
            rows.append(
                {
                    "unit": unit,
                    "depth": depth,
                    "indent": min(depth, 4),
                    "members": members.get(unit.pk, []),
                }
            )
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return {"rows": rows}
