"""``OpportunityRollup``: the count and sums of deals per (owner's unit, owner, status, stage,
currency), and ``OpportunityUnitRollup``, the same per (owner's unit, status, stage, currency),
kept by database triggers (``pipeline.rollup``) so the list's totals, its count and the board's
sums read a few hundred rows instead of every visible deal."""

from django.db import models


class OpportunityRollup(models.Model):
    """One group of deals. Ids are plain integers (no foreign keys: the triggers write them
    with the deal, whatever the order of deletes); ``unit_id`` 0 stands for "no unit"; amounts
    are in cents, so adding and taking away never drifts."""

    unit_id = models.IntegerField()
    owner_id = models.IntegerField()
    status = models.CharField(max_length=12)
    stage_id = models.IntegerField()
    currency = models.CharField(max_length=3)
    n = models.IntegerField(default=0)
    amount = models.BigIntegerField(default=0)  # cents
    weighted = models.BigIntegerField(default=0)  # cents

    class Meta:
        db_table = "pipeline_opportunity_rollup"
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "owner_id", "status", "stage_id", "currency"],
                name="opp_rollup_key",
            )
        ]
        # a person's own groups (their totals, and a head's deals outside the units they see)
        indexes = [models.Index(fields=["owner_id", "status"], name="opp_rollup_owner")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.owner_id}/{self.status}/{self.stage_id}/{self.currency}"


class OpportunityUnitRollup(models.Model):
    """One group of deals per unit (``unit_id`` 0: owners without a unit), whoever owns them:
    what a department-wide user's totals add up (a few groups per unit they see)."""

    unit_id = models.IntegerField()
    status = models.CharField(max_length=12)
    stage_id = models.IntegerField()
    currency = models.CharField(max_length=3)
    n = models.IntegerField(default=0)
    amount = models.BigIntegerField(default=0)  # cents
    weighted = models.BigIntegerField(default=0)  # cents

    class Meta:
        db_table = "pipeline_opportunity_unit_rollup"
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "status", "stage_id", "currency"], name="opp_unit_rollup_key"
            )
        ]
        # the sums read from the index alone (a department's few thousand groups)
        indexes = [
            models.Index(
                fields=["unit_id", "status", "stage_id", "currency", "n", "amount", "weighted"],
                name="opp_unit_rollup_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.status}/{self.stage_id}/{self.currency}"
