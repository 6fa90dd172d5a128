"""The stored forecast: each opportunity keeps its probability (the override, else its stage's)
and its weighted amount (amount × probability, in cents rounded half up).

``Opportunity.save`` keeps both in step whenever the amount, the stage or the override is
saved. What changes them from outside a deal's save is a stage's probability, edited in the
playbook: ``stage_changed`` (connected from ``apps.py`` to ``process.Stage``'s ``post_save``)
refreshes that stage's deals set-based. ``refresh_forecast`` does the same for any set of deals
(bulk loads, which skip ``save``, call it); ``drift`` counts the rows that disagree with the
truth, and the tests keep it at zero.
"""

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Round

from keyaccount.process.models import Stage

from .models import Opportunity

MONEY = DecimalField(max_digits=18, decimal_places=2)


def _probability(stage_model: type[models.Model] = Stage) -> Coalesce:
    stage = stage_model._default_manager.filter(pk=OuterRef("stage_id")).values("probability")[:1]
    return Coalesce(
        F("probability_override"), Subquery(stage), Value(0), output_field=IntegerField()
    )


def _weighted(probability: Any) -> Round:
    return Round(
        ExpressionWrapper(F("amount") * probability / Value(Decimal(100)), output_field=MONEY),
        2,
        output_field=MONEY,
    )


def refresh_forecast(deals: QuerySet[Opportunity] | None = None) -> int:
    """Recompute the stored forecast of ``deals`` (every deal by default), in one statement
    per field. Returns the number of rows written."""
    qs = Opportunity.objects.all() if deals is None else deals
    qs.update(forecast_probability=_probability())
    return qs.update(weighted=_weighted(F("forecast_probability")))


def backfill(model: type[models.Model], stage_model: type[models.Model], *, using: str) -> int:
    """Fill the stored forecast of every row of ``model`` (for the data migration that adds
    it; ``model`` and ``stage_model`` are the migration's)."""
    qs = model._default_manager.using(using).all()
    qs.update(forecast_probability=_probability(stage_model))
    return qs.update(weighted=_weighted(F("forecast_probability")))


def stage_changed(sender: type[Stage], instance: Stage, **kwargs: Any) -> None:
    """A stage's probability may have changed: its deals without an override follow."""
    deals = Opportunity.objects.filter(stage_id=instance.pk, probability_override__isnull=True)
    stale = deals.exclude(forecast_probability=instance.probability)
    if stale.exists():
        refresh_forecast(deals)


def drift() -> int:
    """How many deals' stored forecast differs from what their fields give (0 when in step)."""
    truth = Opportunity.objects.annotate(p=_probability()).annotate(w=_weighted(F("p")))
    return truth.filter(~Q(forecast_probability=F("p")) | ~Q(weighted=F("w"))).count()
