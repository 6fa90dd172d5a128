"""The one way a record is fetched or answered with 404.

Every app's ``access.py`` builds on ``get_or_404`` (through ``org.visibility.get_visible_or_404``
for records with a visibility rule), so pages, the API and exports answer a missing record, one
outside the user's visibility and a malformed or out-of-range id the same way: 404.
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

#: The largest id a database key holds (a signed 64-bit integer): larger ones cannot exist, and
#: SQLite refuses to even compare with them (``OverflowError``).
MAX_ID = 2**63 - 1


def get_or_404[M: models.Model](queryset: models.QuerySet[M], **lookup: Any) -> M:
    """One record of an already-scoped queryset, or 404."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
