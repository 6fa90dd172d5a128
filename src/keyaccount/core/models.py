"""Base classes for business models. No domain models live here."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A business record edited by several people: saves go through ``core.versioning``.

    ``version`` grows by one on every save; a save that starts from an older version is refused
    (rule 4 of the house: no lost updates).
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def version_token(self) -> dict[str, Any]:
        return {"version": self.version}
