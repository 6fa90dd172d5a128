from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404


def get_or_404[M: models.Model](queryset: models.QuerySet[M], **lookup: Any) -> M:
    """One record of an already-scoped queryset, or 404."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
