"""What an administrator keeps for the pipeline: the competitor catalogue, loss reasons, risk
factors, the pipeline policy and the playbook's element requirements (SPEC §4, §6)."""

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyaccount.core.i18n import Localized
from keyaccount.core.models import TimeStampedModel
from keyaccount.core.pinyin import MAX_FULL, MAX_INITIALS, MAX_SORT
from keyaccount.core.pinyin import keys as pinyin_keys
from keyaccount.pipeline.rules import Element, Knowledge

from .fields import money_field


class CatalogEntry(models.Model):
    """A bilingual entry of a list an administrator keeps (loss reasons, risk factors)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    name = Localized()

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Competitor(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    strengths = models.TextField(_("typical strengths"), blank=True)
    weaknesses = models.TextField(_("typical weaknesses"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    #: the name's pinyin (``core.pinyin``), kept by ``save`` (the catalogue is also kept in the
    #: back office): the catalogue sorts by ``pinyin_sort``
    pinyin = models.CharField(max_length=MAX_INITIALS, editable=False, blank=True)
    pinyin_full = models.CharField(max_length=MAX_FULL, editable=False, blank=True)
    pinyin_sort = models.CharField(max_length=MAX_SORT, editable=False, blank=True)
    history = HistoricalRecords(excluded_fields=["pinyin", "pinyin_full", "pinyin_sort"])

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["pinyin_sort", "id"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def refresh_name_keys(self) -> None:
        """Derive the pinyin keys from the name; bulk writes call it before ``bulk_create`` or
        ``bulk_update`` (which skip ``save``)."""
        self.pinyin_sort, self.pinyin_full, self.pinyin = pinyin_keys(self.name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived key, not a business rule: kept wherever the name is saved from.
        self.refresh_name_keys()
        fields = kwargs.get("update_fields")
        if fields is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "pinyin", "pinyin_full", "pinyin_sort"}
        super().save(*args, **kwargs)


class LossReason(CatalogEntry):
    history = HistoricalRecords()

    class Meta(CatalogEntry.Meta):
        verbose_name = _("loss reason")
        verbose_name_plural = _("loss reasons")


class RiskFactor(CatalogEntry):
    """A factor of the risk assessment form (SPEC §6), scored 0 (no risk) to 5 (severe)."""

    question_zh = models.CharField(_("question (Chinese)"), max_length=200, blank=True)
    question_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0))],
    )
    history = HistoricalRecords()

    question = Localized()

    class Meta(CatalogEntry.Meta):
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")


class PipelinePolicy(models.Model):
    """Thresholds of the pipeline. One row, edited in the back office."""

    risk_medium_from = models.DecimalField(
        _("medium risk from (%)"), max_digits=4, decimal_places=1, default=Decimal(35)
    )
    risk_high_from = models.DecimalField(
        _("high risk from (%)"), max_digits=4, decimal_places=1, default=Decimal(60)
    )
    major_project_amount = money_field(
        _("major project from (yuan)"),
        default=Decimal(5_000_000),
        help_text=_(
            "Open or won opportunities of at least this amount form the major-project list."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pipeline policy")
        verbose_name_plural = _("pipeline policy")

    def __str__(self) -> str:
        return str(_("Pipeline policy"))


class ElementRequirement(models.Model):
    """The playbook's demand on a key evaluation element before an opportunity leaves a stage
    (e.g. budget confirmed before the tender stage)."""

    stage = models.ForeignKey(
        "process.Stage",
        verbose_name=_("stage"),
        on_delete=models.CASCADE,
        related_name="element_requirements",
    )
    element = models.CharField(_("element"), max_length=20, choices=Element.choices)
    minimum = models.CharField(
        _("at least"), max_length=10, choices=Knowledge.choices, default=Knowledge.CONFIRMED
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("element requirement")
        verbose_name_plural = _("element requirements")
        constraints = [
            models.UniqueConstraint(fields=["stage", "element"], name="elementreq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_element_display()} ≥ {self.get_minimum_display()}"
