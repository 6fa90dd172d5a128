"""The playbook: six stages, their steps, exit criteria and required forms (SPEC §4).

The process is data. It ships as the default playbook (a data migration) and an administrator
edits it in the back office; ``process.rules.validate_playbook`` refuses edits that would break it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyaccount.core.i18n import Localized
from keyaccount.core.models import TimeStampedModel


class FormCode(models.TextChoices):
    """The seed's forms that a stage can require before its gate opens."""

    CUSTOMER_PROFILE = "customer_profile", _("Customer profile form")
    KA_FOLLOW_UP = "ka_follow_up", _("KA follow-up form")
    DAILY_CONTACT_LOG = "daily_contact_log", _("Daily customer contact log")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment form")
    COMPREHENSIVE_EVALUATION = (
        "comprehensive_evaluation",
        _("Comprehensive customer evaluation form"),
    )
    WEEKLY_REPORT = "weekly_report", _("Weekly report")


class PlaybookText(models.Model):
    """The five things the seed says of every stage and step, in both languages."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80)
    objective_zh = models.TextField(_("objective (Chinese)"), blank=True)
    objective_en = models.TextField(_("objective (English)"), blank=True)
    activities_zh = models.TextField(
        _("activities (Chinese)"), blank=True, help_text=_("One item per line.")
    )
    activities_en = models.TextField(
        _("activities (English)"), blank=True, help_text=_("One item per line.")
    )
    results_zh = models.TextField(_("results (Chinese)"), blank=True)
    results_en = models.TextField(_("results (English)"), blank=True)
    reports_zh = models.TextField(_("reporting duties (Chinese)"), blank=True)
    reports_en = models.TextField(_("reporting duties (English)"), blank=True)
    roles = models.ManyToManyField(
        "org.Role", verbose_name=_("responsible roles"), blank=True, related_name="+"
    )

    name = Localized()
    objective = Localized()
    activities = Localized()
    results = Localized()
    reports = Localized()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def activity_list(self) -> list[str]:
        return self._lines(self.activities)

    @property
    def result_list(self) -> list[str]:
        return self._lines(self.results)

    @property
    def report_list(self) -> list[str]:
        return self._lines(self.reports)


class Stage(PlaybookText, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    probability = models.PositiveSmallIntegerField(
        _("default probability (%)"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Used for the weighted forecast unless an opportunity overrides it."),
    )
    norm_days = models.PositiveSmallIntegerField(
        _("normal duration (days)"),
        validators=[MinValueValidator(1)],
        help_text=_("An opportunity in this stage longer than this is flagged."),
    )
    history = HistoricalRecords(m2m_fields=["roles"])

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_0_100"
            ),
            models.CheckConstraint(condition=models.Q(norm_days__gte=1), name="stage_norm_days_1"),
        ]


class Step(PlaybookText, TimeStampedModel):
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="steps"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    history = HistoricalRecords(m2m_fields=["roles"])

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["stage__order", "order"]

    @property
    def number(self) -> str:
        return f"{self.stage.order}.{self.order}"


class ExitCriterion(TimeStampedModel):
    """A result that must be checked off before an opportunity leaves the stage."""

    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="criteria"
    )
    step = models.ForeignKey(
        Step,
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="criteria",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("criterion (Chinese)"), max_length=200)
    text_en = models.CharField(_("criterion (English)"), max_length=200)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    evidence = models.JSONField(
        _("evidence"),
        default=list,
        blank=True,
        help_text=_(
            "Empty: a person ticks it. Otherwise the facts that make it met, checked from the "
            'record, e.g. [{"fact": "elements", "elements": ["budget"], "minimum": '
            '"confirmed"}] (the vocabulary is in docs/process.md).'
        ),
    )
    history = HistoricalRecords()

    text = Localized()

    class Meta:
        verbose_name = _("exit criterion")
        verbose_name_plural = _("exit criteria")
        ordering = ["stage__order", "order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_evidence(self) -> bool:
        return bool(self.evidence)

    def clean(self) -> None:
        from .evidence import validate

        problems = validate(self.evidence)
        if problems:
            raise ValidationError({"evidence": problems})


class RequiredForm(models.Model):
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="required_forms"
    )
    step = models.ForeignKey(
        Step,
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="required_forms",
        help_text=_("Required before leaving this step; empty: before leaving the stage."),
    )
    form = models.CharField(_("form"), max_length=40, choices=FormCode.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("required form")
        verbose_name_plural = _("required forms")
        constraints = [
            models.UniqueConstraint(fields=["stage", "form"], name="requiredform_unique")
        ]

    def __str__(self) -> str:
        return str(self.get_form_display())
