"""Optimistic locking for business records (rule 4: no lost updates).

A form or API call carries the ``version`` it was opened at. ``save_versioned`` re-reads the row
under a write lock and refuses the save when somebody else saved in between, naming them.
"""

from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from .i18n import moment
from .models import VersionedModel


class StaleEditError(Exception):
    """The record changed since the editor opened it."""

    def __init__(self, *, changed_by: str, changed_at: datetime | None, current_version: int):
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version
        super().__init__(self.message)

    @property
    def message(self) -> str:
        when = moment(self.changed_at) if self.changed_at else "?"
        return _(
            "%(who)s changed this record at %(when)s after you opened it. "
            "Your changes were not saved: reload to see theirs, then make yours again."
        ) % {"who": self.changed_by, "when": when}


def last_change(instance: models.Model) -> tuple[str, datetime | None]:
    """Who changed the record last, and when, from its history (if it has one)."""
    history = getattr(instance, "history", None)
    if history is not None:
        row = history.order_by("-history_date").select_related("history_user").first()
        if row is not None:
            user = row.history_user
            name = str(user) if user is not None else _("someone")
            return name, row.history_date
    return _("someone"), getattr(instance, "updated_at", None)


@transaction.atomic
def save_versioned(
    instance: VersionedModel,
    *,
    expected_version: int,
    actor: Any,
    reason: str = "",
) -> VersionedModel:
    """Validate and save ``instance`` if the stored version is still ``expected_version``."""
    model = type(instance)
    stored = (
        model._default_manager.select_for_update()
        .filter(pk=instance.pk)
        .values_list("version", flat=True)
        .first()
    )
    if stored is not None and stored != expected_version:
        current = model._default_manager.get(pk=instance.pk)
        who, when = last_change(current)
        raise StaleEditError(changed_by=who, changed_at=when, current_version=stored)
    # Validate before bumping, so a refused save leaves the instance as it was (ready to retry).
    instance.full_clean()
    if stored is not None:
        instance.version = stored + 1
    instance._history_user = actor  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save()
    return instance
