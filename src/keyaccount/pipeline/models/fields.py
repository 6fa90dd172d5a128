"""Field helpers shared by the pipeline's models."""

from decimal import Decimal
from typing import Any

from django.db import models


def money_field(label: Any, **kwargs: Any) -> "models.DecimalField[Decimal | None, Decimal]":
    """Money in yuan (or the record's currency): 18 digits, two places (rule 5)."""
    return models.DecimalField(label, max_digits=18, decimal_places=2, **kwargs)
