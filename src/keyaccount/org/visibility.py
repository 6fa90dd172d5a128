"""The visibility rule: one rule, applied to every queryset that leaves the database for a user.

A model opts in by declaring ``visibility = VisibilityRule(...)`` and using
``VisibleQuerySet.as_manager()``. ``Model.objects.visible_to(user)`` then returns what the user
may see (SPEC §2): what they own, what is owned inside the units they manage or cover by a
unit-wide role, and (when the model has a team) the records whose team they are on.
Administrators see everything; anonymous or inactive users see nothing.

``get_visible_or_404`` answers 404 for a record outside that set, never 403: a user must not
learn that a record they may not see exists.
"""

from dataclasses import dataclass
from typing import Any, Self

from django.db import models
from django.db.models import F, Q

from keyaccount.core.lookup import get_or_404
from keyaccount.core.sql import IdsIn

from .selectors import scope_for


@dataclass(frozen=True)
class VisibilityRule:
    """Where a model keeps its owner, its owning unit and its team, as ORM lookup paths.

    ``owner``: the user who owns the record (``"owner"``).
    ``unit``: the org unit that owns it; defaults to the owner's unit (``"owner__unit"``). A
    field of the record itself (``"owner_unit"``, from ``org.ownership.OwnerUnitMixin``) lets
    the database answer from the record's own row; ``org.ownership`` keeps it in step.
    ``team``: users on the record's team (``"team_members"``), if the model has one.
    """

    owner: str = "owner"
    unit: str | None = None
    team: str | None = None

    @property
    def unit_lookup(self) -> str:
        return self.unit or f"{self.owner}__unit"

    @property
    def stores_unit(self) -> bool:
        """Whether the record keeps its owner's unit itself (a field, not a path)."""
        return self.unit is not None and "__" not in self.unit


#: Up to this many units in a scope (a team lead's team or two), visibility is looked up as a
#: set of ids through the indexes; above it (a department), rows are tested one by one.
SMALL_SCOPE_UNITS = 10


class VisibleQuerySet[M: models.Model](models.QuerySet[M]):
    def visible_to(self, user: Any) -> Self:
        rule: VisibilityRule | None = getattr(self.model, "visibility", None)
        if rule is None:
            raise TypeError(f"{self.model.__name__} declares no visibility rule")
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.is_empty:
            return self.none()
        condition = Q(**{f"{rule.owner}_id": scope.user_id})
        large = len(scope.unit_ids) > SMALL_SCOPE_UNITS
        if scope.all_units:
            in_units = Q(**{f"{rule.unit_lookup}__isnull": False})
        elif large:
            # Most rows match: the database should walk the list's order (or a covering index)
            # and test each row, not gather the rows of 200 units through an index and sort
            # them all. ``unit + 0`` tests the same thing and cannot be looked up in an index.
            in_units = Q(IdsIn(F(f"{rule.unit_lookup}_id") + 0, scope.unit_ids))
        else:
            in_units = Q(**{f"{rule.unit_lookup}__in": sorted(scope.unit_ids)})
        if scope.unit_ids:
            condition |= in_units
        if not rule.team:
            return self.filter(condition)
        manager = self.model._default_manager
        on_team = manager.filter(**{rule.team: scope.user_id}).values("pk")
        if large:
            # A department-wide view sees most rows: testing each row is the cheap way.
            return self.filter(condition | Q(pk__in=on_team))
        # One indexed set of ids (own ∪ owned in the units ∪ on the team) rather than an OR
        # that makes the database test every row of the table.
        own = manager.filter(**{f"{rule.owner}_id": scope.user_id}).values("pk")
        if scope.unit_ids:
            owned_in_units = manager.filter(in_units).values("pk")
            return self.filter(pk__in=own.union(owned_in_units, on_team))
        return self.filter(pk__in=own.union(on_team))


def get_visible_or_404[M: models.Model](
    queryset: models.QuerySet[M], user: Any, **lookup: Any
) -> M:
    """The one record matching ``lookup`` that ``user`` may see, or 404 (same as missing)."""
    visible: models.QuerySet[M] = queryset.visible_to(user)  # type: ignore[attr-defined]
    return get_or_404(visible, **lookup)
