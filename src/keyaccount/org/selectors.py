"""Reads about the organisation, all scoped to the asking user."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Value, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils.translation import gettext, ngettext

from keyaccount.core.lookup import get_or_404
from keyaccount.core.request_cache import memo

from .models import ApiToken, OrgUnit, Region, RoleAssignment, User, shown_name
from .rules import NO_SCOPE, RoleCode, Scope, ancestors, build_scope, descendants


def unit_parents() -> dict[int, int | None]:
    """The whole org tree as unit → parent (one small query: org trees are small), read once
    per request: the scope, the capabilities and the team filters all ask. Not to be changed
    by the caller."""
    return memo(
        ("org.unit_parents",),
        lambda: dict(OrgUnit.objects.order_by().values_list("id", "parent_id")),
    )


def grants(user: Any) -> tuple[list[tuple[str, int | None]], list[int]]:
    """``user``'s role assignments as (role code, unit) and the units they manage: what the
    scope and the capabilities are built from, read once per request."""

    def read() -> tuple[list[tuple[str, int | None]], list[int]]:
        # one query: the managed units come as rows with no role code (codes are never blank)
        roles = RoleAssignment.objects.filter(user_id=user.pk).values_list("role__code", "unit_id")
        managed = (
            OrgUnit.objects.filter(manager_id=user.pk)
            .annotate(code=Value(""))
            .values_list("code", "id")
        )
        rows = list(roles.order_by().union(managed.order_by(), all=True))
        return [r for r in rows if r[0]], [unit for code, unit in rows if not code]

    return memo(("org.grants", user.pk), read)


def scope_for(user: Any) -> Scope:
    """The visibility scope of ``user`` (SPEC §2). Three small queries, no per-row work, once
    per request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    return memo(("scope", user.pk, user.is_superuser), lambda: _scope(user))


def _scope(user: Any) -> Scope:
    role_units, managed = grants(user)
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
    return {code for code, _unit in grants(user)[0]}


def visible_unit_ids(user: Any, scope: Scope | None = None) -> frozenset[int] | None:
    """The ids of the units ``user`` may see (``org_units_visible``), or None for every unit.
    Once per request, like the scope (``scope_for(user)``, when the caller has it) it comes
    from."""
    scope = scope_for(user) if scope is None else scope
    if scope.everything:
        return None
    if scope.is_empty:
        return frozenset()
    return memo(("visible_units", user.pk, user.unit_id), lambda: _visible_ids(user, scope))


def _visible_ids(user: Any, scope: Scope) -> frozenset[int]:
    ids = set(scope.unit_ids)
    own = user.unit_id
    if own is not None:
        ids.add(own)
    if ids:
        parent_of = unit_parents()
        for unit in list(ids):
            ids.update(ancestors(parent_of, unit))
    return frozenset(ids)


def org_units_visible(*, user: Any) -> QuerySet[OrgUnit]:
    """Units a user may see: those in their scope, their own unit, and the chain above them."""
    return _units_in(visible_unit_ids(user))


def _units_in(ids: frozenset[int] | None) -> QuerySet[OrgUnit]:
    if ids is None:
        return OrgUnit.objects.all()
    if not ids:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(id__in=sorted(ids))


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


# --- the org tree page ----------------------------------------------------------------------

#: People listed under one opened unit; more are counted, and found by the search.
MEMBERS_SHOWN = 100
#: People, and units, a search lists at most.
SEARCH_SHOWN = 50


@dataclass(frozen=True, slots=True)
class TreeUnit:
    """What the tree shows of a unit: read as plain values (a department's 200 teams as model
    instances cost more than the rest of the page)."""

    pk: int
    name: str
    parent_id: int | None
    manager: str  # the manager's shown name, or ""


@dataclass(slots=True)
class UnitRow:
    """One unit of the org tree as the page shows it: counts always, its people only when open.

    ``people``: active people directly in the unit; ``total``: those and the people of every
    unit below it that the user may see (a unit the user may not see is not counted either).
    ``closes``: how many open units end after this row (the template closes their lists).
    What the row shows is worked out here, once, as plain text: the page's 200 rows then
    render in one cheap template pass (tags and filters per row cost more than the queries)."""

    unit: TreeUnit
    depth: int
    people: int
    total: int
    has_children: bool
    open: bool = False
    current: bool = False
    members: list[User] = field(default_factory=list)
    closes: int = 0
    id: str = field(init=False)
    name: str = field(init=False)
    can_open: bool = field(init=False)
    nests: bool = field(init=False)
    expanded: str = field(init=False)
    toggle: str = field(init=False)
    meta: str = field(init=False)  # "Manager: 周建 · 2,003 people in all · 3 here"

    def __post_init__(self) -> None:
        unit = self.unit
        self.id = str(unit.pk)
        self.name = unit.name
        self.can_open = self.has_children or self.people > 0
        self.nests = self.open and self.has_children  # its child units follow it, inside it
        self.expanded = "true" if self.open else "false"
        # Without JavaScript the button asks for the page with the unit open, or, when it is
        # open, with its parent open (which folds it).
        parent = "" if unit.parent_id is None else str(unit.parent_id)
        self.toggle = parent if self.open else self.id
        counts = _counts(self.people, self.total, self.has_children)
        manager = gettext("Manager: %(name)s") % {"name": unit.manager} if unit.manager else ""
        self.meta = f"{manager} · {counts}" if manager else counts

    @property
    def more_members(self) -> int:
        return max(self.people - len(self.members), 0) if self.open else 0

    @property
    def closing(self) -> range:
        return range(self.closes)


def _counts(people: int, total: int, has_children: bool) -> str:
    if not has_children:
        return ngettext("%(count)s person", "%(count)s people", people) % {"count": people}
    text = ngettext("%(count)s person in all", "%(count)s people in all", total) % {"count": total}
    if people:
        text += " · " + ngettext("%(count)s here", "%(count)s here", people) % {"count": people}
    return text


@dataclass(frozen=True)
class _Tree:
    scope: Scope
    units: dict[int, TreeUnit]
    children: dict[int | None, list[TreeUnit]]
    people: dict[int, int]
    total: dict[int, int]


#: Up to this many units, people are counted in the listed units only; above it, in all.
COUNT_BY_LIST = 50


def _tree(user: Any) -> _Tree:
    """The units ``user`` may see with their people counts: two queries (units, one count per
    unit by ``GROUP BY``) whatever the size of the tree; the totals are summed up the tree."""
    scope = scope_for(user)
    rows = (
        _units_in(visible_unit_ids(user, scope))
        .order_by("name", "id")
        .values_list(
            "id", "name", "parent_id", "manager__display_name", "manager__first_name",
            "manager__last_name", "manager__username",
        )
    )  # fmt: skip
    units = {
        pk: TreeUnit(pk, name, parent, shown_name(d, f, la, u) if u else "")
        for pk, name, parent, d, f, la, u in rows
    }
    people_qs = User.objects.filter(is_active=True)
    if len(units) > COUNT_BY_LIST:
        # A department's 200 teams or more: one pass over people grouped by unit is cheaper
        # than a list of 200 ids; the units the user may not see are dropped below.
        people_qs = people_qs.filter(unit__isnull=False)
    else:
        people_qs = people_qs.filter(unit_id__in=sorted(units))
    counted = people_qs.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    people = {unit: n for unit, n in counted if unit in units}
    children: dict[int | None, list[TreeUnit]] = {}
    for unit in units.values():  # by name: the query's order
        children.setdefault(unit.parent_id if unit.parent_id in units else None, []).append(unit)
    total: dict[int, int] = {}

    def add_up(unit_id: int) -> int:
        total[unit_id] = people.get(unit_id, 0) + sum(
            add_up(child.pk) for child in children.get(unit_id, [])
        )
        return total[unit_id]

    for top in children.get(None, []):
        add_up(top.pk)
    return _Tree(scope=scope, units=units, children=children, people=people, total=total)


def _roles() -> "Prefetch[str, QuerySet[RoleAssignment], str]":
    """Each person's roles, in the roles' order, in one query."""
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.select_related("role").order_by("role__order", "role_id"),
    )


#: Up to this many people in the units opened at once, they are read in one plain query;
#: above it (a unit of 2,000 people), the first ``MEMBERS_SHOWN`` of each are ranked in SQL.
PLAIN_MEMBERS = 500


def _members(tree: _Tree, unit_ids: list[int]) -> dict[int, list[User]]:
    """The first ``MEMBERS_SHOWN`` active people of each unit, by pinyin, with their roles: two
    queries for any number of units and people."""
    if not unit_ids:
        return {}
    people = User.objects.filter(is_active=True, unit_id__in=sorted(unit_ids))
    if sum(tree.people.get(u, 0) for u in unit_ids) > PLAIN_MEMBERS:
        people = people.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("unit_id")],
                order_by=[F("pinyin_sort").asc(), F("id").asc()],
            )
        ).filter(rank__lte=MEMBERS_SHOWN)
    members: dict[int, list[User]] = {}
    for member in (
        people.only("id", "unit_id", "display_name", "first_name", "last_name", "username")
        .prefetch_related(_roles())
        .order_by("unit_id", "pinyin_sort", "id")
    ):
        shown = members.setdefault(member.unit_id or 0, [])
        if len(shown) < MEMBERS_SHOWN:
            shown.append(member)
    return members


def _opened(user: Any, tree: _Tree, focus: int | None) -> set[int]:
    """What the page opens: the user's own unit and the units they manage or cover (the top of
    their scope), the unit asked for, and every unit above those; a lone top unit too."""
    anchors = {focus} if focus is not None else set()
    if user.unit_id in tree.units:
        anchors.add(user.unit_id)
    scope = tree.scope
    anchors.update(u for u in scope.unit_ids if tree.units[u].parent_id not in scope.unit_ids)
    tops = tree.children.get(None, [])
    if len(tops) == 1:
        anchors.add(tops[0].pk)
    parent_of = {pk: u.parent_id for pk, u in tree.units.items()}
    opened = set(anchors)
    for unit in anchors:
        opened.update(ancestors(parent_of, unit))
    return opened & tree.units.keys()


def _row(
    tree: _Tree, unit: TreeUnit, depth: int, opened: set[int], focus: int | None = None
) -> UnitRow:
    return UnitRow(
        unit=unit,
        depth=depth,
        people=tree.people.get(unit.pk, 0),
        total=tree.total.get(unit.pk, 0),
        has_children=bool(tree.children.get(unit.pk)),
        open=unit.pk in opened,
        current=unit.pk == focus,
    )


def _rows(
    tree: _Tree, parent: int | None, depth: int, opened: set[int], focus: int | None = None
) -> list[UnitRow]:
    """The rows below ``parent`` in the order the page shows them: each open unit followed by
    its children (and theirs, while open), a folded one alone."""
    rows: list[UnitRow] = []
    for unit in tree.children.get(parent, []):
        row = _row(tree, unit, depth, opened, focus)
        rows.append(row)
        if row.nests:
            rows.extend(_rows(tree, unit.pk, depth + 1, opened, focus))
            rows[-1].closes += 1
    return rows


def org_unit_for(*, user: Any, pk: object) -> OrgUnit:
    """One unit ``user`` may see, or 404 (missing, outside their view and malformed alike)."""
    ids = visible_unit_ids(user)
    if ids is None:
        return get_or_404(OrgUnit.objects.all(), pk=pk)
    # The ids are at hand: one lookup by key rather than a list of a department's 200 teams.
    unit = get_or_404(OrgUnit.objects.all(), pk=pk)
    if unit.pk not in ids:
        raise Http404
    return unit


def org_tree(*, user: Any, focus: OrgUnit | None = None) -> dict[str, Any]:
    """The org tree page: every unit ``user`` may see with its manager and people counts,
    folded below the units that concern them (their own, the ones they manage or cover, and
    ``focus``), which are open with their people. A fixed number of queries for any size."""
    tree = _tree(user)
    focus_id = focus.pk if focus else None
    rows = _rows(tree, None, 0, _opened(user, tree, focus_id), focus_id)
    members = _members(tree, [r.unit.pk for r in rows if r.open])
    for row in rows:
        if row.open:
            row.members = members.get(row.unit.pk, [])
    return {"rows": rows, "focus": focus}


def org_unit_body(*, user: Any, unit: OrgUnit) -> dict[str, Any]:
    """What opening ``unit`` shows: its people (the first ``MEMBERS_SHOWN``) and the child
    units ``user`` may see, folded, with their counts. ``unit`` is one they may see
    (``org_unit_for``)."""
    tree = _tree(user)
    row = _row(tree, tree.units[unit.pk], 0, {unit.pk})
    row.members = _members(tree, [unit.pk]).get(unit.pk, [])
    return {"row": row, "rows": _rows(tree, unit.pk, 1, set())}


def org_search(*, user: Any, text: str) -> dict[str, Any]:
    """People (by name, full pinyin or initials, as every people picker finds them) and units
    (by name) that ``user`` may see, the first ``SEARCH_SHOWN`` of each."""
    from .typeahead import people_matching  # typeahead builds on this module

    visible = org_units_visible(user=user)
    people = list(
        User.objects.filter(is_active=True, unit__in=visible)
        .filter(people_matching(text))
        .select_related("unit")
        .only("id", "display_name", "first_name", "last_name", "username", "unit_id", "unit__name")
        .prefetch_related(_roles())
        .order_by("pinyin_sort", "id")[: SEARCH_SHOWN + 1]
    )
    units = list(
        visible.filter(name__icontains=text)
        .select_related("parent")
        .only("id", "name", "parent_id", "parent__name")
        .order_by("name", "id")[: SEARCH_SHOWN + 1]
    )
    return {
        "people": people[:SEARCH_SHOWN],
        "people_more": len(people) > SEARCH_SHOWN,
        "units": units[:SEARCH_SHOWN],
        "units_more": len(units) > SEARCH_SHOWN,
        "found": min(len(people), SEARCH_SHOWN) + min(len(units), SEARCH_SHOWN),
        "shown": SEARCH_SHOWN,
    }


def people_list(
    *, user: Any, unit_id: int | None = None, text: str = "", active: bool | None = True
) -> QuerySet[User]:
    """People of the units ``user`` may see (the org tree's members), sorted by pinyin:
    optionally those of one unit and the units below it, whose name, username or pinyin
    holds ``text``, active or not."""
    ids = visible_unit_ids(user)
    people = User.objects.all() if ids is None else User.objects.filter(unit_id__in=sorted(ids))
    if unit_id is not None:
        below = descendants(unit_parents(), [unit_id])
        people = people.filter(unit_id__in=sorted(below))
    if active is not None:
        people = people.filter(is_active=active)
    text = text.strip()
    if text:
        folded = text.lower()
        people = people.filter(
            Q(username__icontains=text)
            | Q(display_name__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(pinyin__startswith=folded)
            | Q(pinyin_full__contains=folded.replace(" ", ""))
        )
    return people.select_related("unit").prefetch_related(_roles()).order_by("pinyin_sort", "id")
