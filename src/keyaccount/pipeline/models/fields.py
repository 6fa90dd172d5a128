"""Field helpers shared by the pipeline's models."""

from django.db import models


def money_field(label: object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(label, max_digits=18, decimal_places=2, **kwargs)  # type: ignore[arg-type]
