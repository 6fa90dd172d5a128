"""Records keep their owner's org unit, so visibility is read from one table.

The visibility rule (``org.visibility``) asks "is the record's owner in one of my units?". Asked
through the owner (``owner__unit``), every query joins each record to the user table; a
department-wide list then joins tens of thousands of rows only to test a unit. A record that
keeps ``owner_unit`` itself answers from its own row and its own indexes.

``OwnerUnitMixin`` gives a model that field and keeps it in step on every save that sets the
owner. When a person moves to another unit, ``User.save`` calls ``follow_owner``, which moves
every record they own along, set-based, for each model registered here: an app registers its
own models from its ``apps.py`` (``register``), as with the other registries, so ``org`` neither
imports nor discovers the apps above it. ``drift`` counts the rows that disagree with the
truth; the tests keep it at zero.
"""

from typing import Any

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _


class OwnerUnitMixin(models.Model):
    """``owner_unit``: the owner's org unit, copied from ``owner`` whenever the owner is saved."""

    owner_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("owner's org unit"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or "owner" in fields or "owner_id" in fields:
            owner = getattr(self, "owner", None) if getattr(self, "owner_id", None) else None
            self.owner_unit_id = owner.unit_id if owner is not None else None
            if fields is not None:
                kwargs["update_fields"] = {*fields, "owner_unit"}
        super().save(*args, **kwargs)


_MODELS: list[tuple[type[models.Model], str, str]] = []  # model, owner lookup, unit field


def register(model: type[models.Model]) -> None:
    """Keep ``model``'s stored unit in step when people move (its visibility rule must read a
    unit the record keeps itself, e.g. ``VisibilityRule(owner="owner", unit="owner_unit")``)."""
    rule = getattr(model, "visibility", None)
    if rule is None or not rule.stores_unit:
        raise TypeError(f"{model.__name__}'s visibility rule stores no unit")
    entry = (model, rule.owner, rule.unit)
    if entry not in _MODELS:
        _MODELS.append(entry)


def stored_unit_models() -> list[tuple[type[models.Model], str, str]]:
    """Each registered model, with the lookup of its owner and the name of its unit field."""
    return list(_MODELS)


def follow_owner(user: Any) -> int:
    """Move the records ``user`` owns to ``user``'s unit; answer how many rows changed."""
    changed = 0
    for model, owner, unit in stored_unit_models():
        rows = model._default_manager.filter(**{f"{owner}_id": user.pk})
        if user.unit_id is None:
            rows = rows.filter(**{f"{unit}__isnull": False})
        else:
            rows = rows.filter(Q(**{f"{unit}__isnull": True}) | ~Q(**{f"{unit}_id": user.unit_id}))
        changed += rows.update(**{f"{unit}_id": user.unit_id})
    return changed


def drift() -> dict[str, int]:
    """Per model, the rows whose stored unit differs from their owner's unit (should be none)."""
    counts = {}
    for model, owner, unit in stored_unit_models():
        rows = model._default_manager.exclude(
            Q(**{f"{unit}_id": F(f"{owner}__unit_id")})
            | Q(**{f"{unit}__isnull": True, f"{owner}__unit__isnull": True})
        )
        counts[model._meta.label] = rows.count()
    return counts


def backfill(model: type[models.Model], user_model: type[models.Model], *, using: str) -> int:
    """Set ``owner_unit`` of every row of ``model`` from its owner, in one UPDATE (for the data
    migrations that add the field; ``model`` and ``user_model`` are the migration's)."""
    unit = user_model._default_manager.filter(pk=OuterRef("owner_id")).values("unit_id")[:1]
    return model._default_manager.using(using).update(owner_unit_id=Subquery(unit))
