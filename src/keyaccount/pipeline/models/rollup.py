"""``OpportunityRollup``: the count and sums of deals per (owner's unit, owner, status, stage,
currency), and ``OpportunityUnitRollup``, the same per (owner's unit, status, stage, currency),
kept by database triggers (``pipeline.rollup``) so the list's totals, its count and the board's
sums read a few hundred rows instead of every visible deal."""

from typing import ClassVar

from django.db import models

OWNER_KEY = ("unit_id", "owner_id", "status", "stage_id", "currency")
UNIT_KEY = ("unit_id", "status", "stage_id", "currency")


class DealGroup(models.Model):
    """One group of deals, keyed by the columns of ``KEY``. Ids are plain integers (no foreign
    keys: the triggers write them with the deal, whatever the order of deletes); ``unit_id`` 0
    stands for "no unit"; amounts are in cents, so adding and taking away never drifts."""

    KEY: ClassVar[tuple[str, ...]]

    unit_id = models.IntegerField()
    status = models.CharField(max_length=12)
    stage_id = models.IntegerField()
    currency = models.CharField(max_length=3)
    n = models.IntegerField(default=0)
    amount = models.BigIntegerField(default=0)  # cents
    weighted = models.BigIntegerField(default=0)  # cents

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return "/".join(str(getattr(self, col)) for col in self.KEY)


class OpportunityRollup(DealGroup):
    """The deals of one owner (in one unit, status, stage and currency)."""

    KEY = OWNER_KEY

    owner_id = models.IntegerField()

    class Meta:
        db_table = "pipeline_opportunity_rollup"
        constraints = [models.UniqueConstraint(fields=list(OWNER_KEY), name="opp_rollup_key")]
        # a person's own groups (their totals, and a head's deals outside the units they see)
        indexes = [models.Index(fields=["owner_id", "status"], name="opp_rollup_owner")]


class OpportunityUnitRollup(DealGroup):
    """The deals of one unit, whoever owns them: what a department-wide user's totals add up
    (a few groups per unit they see)."""

    KEY = UNIT_KEY

    class Meta:
        db_table = "pipeline_opportunity_unit_rollup"
        constraints = [models.UniqueConstraint(fields=list(UNIT_KEY), name="opp_unit_rollup_key")]
        # the sums read from the index alone (a department's few thousand groups)
        indexes = [
            models.Index(
                fields=[*UNIT_KEY, "n", "amount", "weighted"], name="opp_unit_rollup_cover"
            )
        ]
