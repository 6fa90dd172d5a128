"""The contract of a won opportunity and its payment milestones."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyaccount.core.models import VersionedModel
from keyaccount.pipeline.rules import Currency

from .fields import money_field
from .opportunity import Opportunity


class Contract(VersionedModel):
    """The signed contract of a won opportunity."""

    opportunity = models.OneToOneField(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="contract",
    )
    number = models.CharField(_("contract number"), max_length=60, unique=True)
    amount = money_field(_("signed amount"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    signed_on = models.DateField(_("signed on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contract_amount_positive")
        ]

    def __str__(self) -> str:
        return self.number


class PaymentMilestone(VersionedModel):
    """A payment milestone of a contract: due, accepted, invoiced, collected."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="milestones"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=120)
    percentage = models.DecimalField(
        _("percentage of the contract"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    amount = money_field(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    due_on = models.DateField(_("due date"), db_index=True)
    accepted_on = models.DateField(_("acceptance date"), null=True, blank=True)
    invoiced_on = models.DateField(_("invoiced on"), null=True, blank=True)
    invoiced_amount = money_field(_("invoiced amount"), null=True, blank=True)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    collected_amount = money_field(_("collected amount"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment milestone")
        verbose_name_plural = _("payment milestones")
        ordering = ["contract", "order", "due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def outstanding(self) -> Decimal:
        return Decimal(self.amount) - Decimal(self.collected_amount or 0)
