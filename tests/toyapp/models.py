"""A toy business model to test the visibility core and versioning before real ones exist."""

from django.db import models
from simple_history.models import HistoricalRecords

from keyaccount.core.models import VersionedModel
from keyaccount.org.visibility import VisibilityRule, VisibleQuerySet


class Deal(VersionedModel):
    name = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    owner = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    team_members = models.ManyToManyField("org.User", blank=True, related_name="+")
    history = HistoricalRecords()

    visibility = VisibilityRule(owner="owner", team="team_members")
    objects = VisibleQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class Note(models.Model):
    """Visible through its deal's owner (a lookup path across a relation)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="notes")
    text = models.CharField(max_length=100)

    visibility = VisibilityRule(owner="deal__owner", team="deal__team_members")
    objects = VisibleQuerySet.as_manager()

    def __str__(self) -> str:
        return self.text
