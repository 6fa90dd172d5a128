"""The opportunity and what the stage-gate process records on it: the deal team, stage
transitions, criterion checks, key evaluation elements, competitors, buying roles, forecast
changes and the KA follow-up entries (SPEC §4)."""

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyaccount.core.models import VersionedModel
from keyaccount.org.ownership import OwnerUnitMixin
from keyaccount.org.visibility import VisibilityRule, VisibleQuerySet
from keyaccount.pipeline.rules import (
    Attitude,
    BuyingRole,
    Currency,
    Element,
    Influence,
    Knowledge,
    Move,
    RiskDecision,
    RiskLevel,
    Source,
    Status,
    Strength,
    TeamRole,
    weighted_amount,
)

from .catalog import Competitor, LossReason
from .fields import money_field

#: The visibility rule's columns, then what the list's totals sum per currency: totals and
#: counts the rollup does not answer (``aggregates.totals``) read only this index.
TOTALS_INDEX = [
    "status", "owner_unit", "currency", "stage", "owner", "amount", "weighted", "id"
]  # fmt: skip


class Opportunity(OwnerUnitMixin, VersionedModel):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    name = models.CharField(_("name"), max_length=160)
    amount = money_field(_("amount"), validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    expected_signing = models.DateField(_("expected signing date"), db_index=True)
    products = models.TextField(_("products / solutions"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    strategic_fit = models.BooleanField(_("fits company strategy"), default=False)
    strategic_note = models.TextField(_("strategic fit note"), blank=True)
    owner = models.ForeignKey(
        "org.User",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    stage = models.ForeignKey(
        "process.Stage", verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+"
    )
    step = models.ForeignKey(
        "process.Step",
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    probability_override = models.PositiveSmallIntegerField(
        _("probability override (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    probability_reason = models.TextField(_("probability override reason"), blank=True)
    # closing
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    loss_reason = models.ForeignKey(
        LossReason,
        verbose_name=_("loss reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    winner = models.ForeignKey(
        Competitor,
        verbose_name=_("winner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wins",
    )
    close_reason = models.TextField(_("reason / lessons"), blank=True)
    # risk (kept by services from the latest assessment, for fast lists and the gate)
    risk_level = models.CharField(
        _("risk"), max_length=10, choices=RiskLevel.choices, blank=True, db_index=True
    )
    risk_decision = models.CharField(
        _("risk decision"),
        max_length=12,
        choices=RiskDecision.choices,
        blank=True,
        db_index=True,
    )
    signing_slips = models.PositiveSmallIntegerField(_("signing date slips"), default=0)
    # the forecast, kept by ``save`` and by ``pipeline.forecast`` when a stage's probability
    # changes: lists, totals and the board sum a column instead of joining every stage
    forecast_probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, editable=False
    )
    weighted = money_field(_("weighted amount"), default=Decimal(0), editable=False)

    history = HistoricalRecords(excluded_fields=["owner_unit", "forecast_probability", "weighted"])
    visibility = VisibilityRule(owner="owner", unit="owner_unit", team="members__user")
    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_signing", "id"]
        indexes = [
            # the lists' default order (signing date), also per stage (the board's columns),
            # walks these indexes and stops after a page instead of sorting every row
            models.Index(
                fields=["status", "stage", "expected_signing", "id"],
                name="opp_status_stage_signing",
            ),
            models.Index(fields=["status", "expected_signing", "id"], name="opp_status_signing"),
            models.Index(fields=["owner", "status"], name="opp_owner_status"),
            # visibility by unit, read from the row itself (``org.ownership``)
            models.Index(fields=["owner_unit", "status"], name="opp_unit_status"),
            models.Index(fields=TOTALS_INDEX, name="opp_totals"),
            # the board's sums per stage and currency
            models.Index(
                fields=["status", "stage", "currency", "amount", "weighted", "owner_unit", "owner"],
                name="opp_board",
            ),
            # the major-project list (open and won deals from an amount up): its totals and
            # its largest-first order from the amount, its signing-date order from the date,
            # with what its filter and the visibility rule read, so neither sorts the list
            models.Index(
                fields=["amount", "status", "owner_unit", "owner", "currency", "weighted"],
                name="opp_major",
            ),
            models.Index(
                fields=["expected_signing", "id", "status", "amount", "owner_unit", "owner"],
                name="opp_signing_cover",
            ),
            # one stage by amount (the list filtered by stage, largest first)
            models.Index(
                fields=["status", "stage", "amount", "id", "owner_unit", "owner"],
                name="opp_stage_amount",
            ),
            models.Index(fields=["customer", "status"], name="opp_customer_status"),
            # not partial: SQLite cannot match a partial index's condition to bound parameters
            models.Index(fields=["risk_decision", "status", "owner"], name="opp_risk_decision"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opp_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(probability_override__isnull=True) | Q(probability_override__lte=100),
                name="opp_probability_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    #: the fields the stored forecast is computed from
    FORECAST_INPUTS = frozenset({"amount", "stage", "stage_id", "probability_override"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or self.FORECAST_INPUTS & set(fields):
            self.forecast_probability = self.probability
            self.weighted = weighted_amount(self.amount, self.forecast_probability)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "forecast_probability", "weighted"}
        super().save(*args, **kwargs)

    @property
    def prob(self) -> int:
        """The stored probability (the override, else the stage's), as lists show it."""
        return self.forecast_probability

    @property
    def probability(self) -> int:
        if self.probability_override is not None:
            return self.probability_override
        return self.stage.probability

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN


class OpportunityMember(models.Model):
    """Someone on the deal team besides the owner (consultants and others), with a role."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        "org.User", verbose_name=_("user"), on_delete=models.PROTECT, related_name="deal_teams"
    )
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="oppmember_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class StageTransition(models.Model):
    """Every move of an opportunity (rule 3): time in stage and conversion are queries on this."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    kind = models.CharField(_("move"), max_length=12, choices=Move.choices)
    from_stage = models.ForeignKey(
        "process.Stage",
        verbose_name=_("from stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_step = models.ForeignKey(
        "process.Step",
        verbose_name=_("from step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        "process.Stage", verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+"
    )
    to_step = models.ForeignKey(
        "process.Step",
        verbose_name=_("to step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(_("from status"), max_length=12, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        "org.User", verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    overridden = models.BooleanField(_("gate overridden"), default=False)
    missing = models.JSONField(_("missing at the gate"), default=list, blank=True)
    # an override is reviewed afterwards by the department head (who, when, a note)
    reviewed_by = models.ForeignKey(
        "org.User",
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("stage transition")
        verbose_name_plural = _("stage transitions")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "at"], name="transition_opp_at"),
            models.Index(
                fields=["at"],
                condition=Q(overridden=True, reviewed_at__isnull=True),
                name="transition_unreviewed",
            ),
            models.Index(fields=["at"], condition=Q(overridden=True), name="transition_overridden"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


class CriterionCheck(models.Model):
    """An exit criterion checked off for one opportunity: who, when, with an optional note."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="checks"
    )
    criterion = models.ForeignKey(
        "process.ExitCriterion",
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    checked_by = models.ForeignKey(
        "org.User", verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion check")
        verbose_name_plural = _("criterion checks")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "criterion"], name="check_unique")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}/{self.criterion_id}"


class KeyElement(models.Model):
    """One key evaluation element (关键评估元素) of an opportunity: status and notes."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="elements",
    )
    element = models.CharField(_("element"), max_length=20, choices=Element.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Knowledge.choices, default=Knowledge.UNKNOWN
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        "org.User",
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key evaluation element")
        verbose_name_plural = _("key evaluation elements")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "element"], name="element_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_element_display()}: {self.get_status_display()}"


class OpportunityCompetitor(models.Model):
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="competitors",
    )
    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.PROTECT, related_name="+"
    )
    strength = models.CharField(_("strength vs us"), max_length=10, choices=Strength.choices)
    their_strategy = models.TextField(_("their likely strategy"), blank=True)
    our_strategy = models.TextField(_("our strategy against them"), blank=True)
    updated_by = models.ForeignKey(
        "org.User",
        verbose_name=_("updated by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competitor on a deal")
        verbose_name_plural = _("competitors on deals")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "competitor"], name="oppcompetitor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.competitor} ({self.get_strength_display()})"


class BuyingRoleEntry(models.Model):
    """A customer contact's part in one opportunity (organisational politics, personal motives)."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="buying_roles",
    )
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("buying role"), max_length=24, choices=BuyingRole.choices)
    influence = models.CharField(_("influence"), max_length=10, choices=Influence.choices)
    attitude = models.CharField(
        _("attitude to us"), max_length=10, choices=Attitude.choices, default=Attitude.UNKNOWN
    )
    personal_motives = models.TextField(_("personal motives"), blank=True)
    organisational_goals = models.TextField(_("organisational goals"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        "org.User",
        verbose_name=_("updated by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("buying role")
        verbose_name_plural = _("buying roles")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact"], name="buyingrole_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact}: {self.get_role_display()}"


class ForecastChange(models.Model):
    """A change of amount, expected signing date or probability (slip detection needs these)."""

    class Field(models.TextChoices):
        AMOUNT = "amount", _("Amount")
        SIGNING = "expected_signing", _("Expected signing date")
        PROBABILITY = "probability", _("Probability")

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="forecast_changes",
    )
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    old_value = models.CharField(_("from"), max_length=40, blank=True)
    new_value = models.CharField(_("to"), max_length=40, blank=True)
    changed_by = models.ForeignKey(
        "org.User",
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), db_index=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("forecast change")
        verbose_name_plural = _("forecast changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.old_value} → {self.new_value}"


class FollowUp(models.Model):
    """An entry of the KA follow-up form (大客户跟进表): progress, next steps, support needed."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    on = models.DateField(_("date"))
    progress = models.TextField(_("progress"))
    next_steps = models.TextField(_("next steps"), blank=True)
    support_needed = models.TextField(_("support needed"), blank=True)
    author = models.ForeignKey(
        "org.User", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up entry")
        verbose_name_plural = _("follow-up entries")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on}: {self.progress[:40]}"
