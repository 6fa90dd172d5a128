"""``OpportunityRollup``: the count and sums of deals per (owner's unit, owner, status, stage,
currency), kept by database triggers (``pipeline.rollup``) so the list's totals, its count and
the board's sums read a few thousand rows instead of every visible deal."""

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

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.owner_id}/{self.status}/{self.stage_id}/{self.currency}"
