"""Risk assessments (风险评估表, SPEC §6): the dated form and its score per factor."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyaccount.pipeline.rules import RiskDecision, RiskLevel

from .catalog import RiskFactor
from .opportunity import Opportunity


class RiskAssessment(models.Model):
    """A dated risk assessment form (风险评估表); all kept, the latest counts."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="risk_assessments",
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        "org.User", verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    total = models.DecimalField(_("risk score (%)"), max_digits=4, decimal_places=1)
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    summary = models.TextField(_("summary"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=12, choices=RiskDecision.choices, default=RiskDecision.NOT_NEEDED
    )
    decided_by = models.ForeignKey(
        "org.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.assessed_on} {self.get_level_display()} ({self.total})"


class RiskScore(models.Model):
    assessment = models.ForeignKey(
        RiskAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    factor = models.ForeignKey(
        RiskFactor, verbose_name=_("factor"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="riskscore_unique"),
            models.CheckConstraint(condition=Q(score__lte=5), name="riskscore_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.factor}: {self.score}"
