"""Customers (客户档案表), registration (备案登记), scoring and grades, evaluations."""

import uuid
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyaccount.core.i18n import Localized
from keyaccount.core.models import TimeStampedModel, VersionedModel
from keyaccount.core.pinyin import MAX_FULL, MAX_INITIALS, MAX_SORT
from keyaccount.org.ownership import OwnerUnitMixin
from keyaccount.org.visibility import VisibilityRule, VisibleQuerySet

from .rules import Grade


def money_field(label: Any) -> Any:
    return models.DecimalField(label, max_digits=18, decimal_places=2, null=True, blank=True)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting registration")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")


class Customer(OwnerUnitMixin, VersionedModel):
    # identity
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, default=""
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    industry = models.ForeignKey(
        "org.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    # size
    revenue = money_field(_("annual revenue (yuan)"))
    profit = money_field(_("annual profit (yuan)"))
    budget = money_field(_("IT / solution budget (yuan)"))
    actual_spend = money_field(_("actual spend (yuan)"))
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    technical_staff = models.PositiveIntegerField(_("technical staff"), null=True, blank=True)
    # needs
    segment_trend = models.TextField(_("segment trend and financial performance"), blank=True)
    sourcing_policy = models.TextField(_("in-house capability / outsourcing policy"), blank=True)
    solution_importance = models.TextField(
        _("importance of our solution to their business"), blank=True
    )
    # key-account specifics
    supplier_attitude = models.TextField(_("attitude and behaviour towards suppliers"), blank=True)
    key_buying_factors = models.TextField(_("key buying factors"), blank=True)
    key_decision_makers = models.TextField(_("key decision makers"), blank=True)
    solution_familiarity = models.TextField(
        _("familiarity with / acceptance of our solution and service model"), blank=True
    )
    demand_characteristics = models.TextField(_("demand characteristics"), blank=True)
    incumbent_suppliers = models.TextField(_("incumbent suppliers"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # ownership, registration, grade
    owner = models.ForeignKey(
        "org.User", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="customers"
    )
    status = models.CharField(
        _("registration"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
        db_index=True,
    )
    grade = models.CharField(
        _("grade"), max_length=1, choices=Grade.choices, blank=True, db_index=True
    )
    score = models.DecimalField(
        _("score"), max_digits=4, decimal_places=1, null=True, blank=True, db_index=True
    )
    suggested_grade = models.CharField(
        _("suggested grade"), max_length=1, choices=Grade.choices, blank=True
    )
    # derived keys for search, sorting and duplicate checks (kept by ``services.refresh_keys``)
    name_key = models.CharField(max_length=120, db_index=True, editable=False)
    core_key = models.CharField(max_length=120, db_index=True, editable=False)
    pinyin = models.CharField(max_length=MAX_INITIALS, db_index=True, editable=False, blank=True)
    pinyin_full = models.CharField(max_length=MAX_FULL, editable=False, blank=True)
    pinyin_sort = models.CharField(max_length=MAX_SORT, editable=False, blank=True)

    history = HistoricalRecords(
        excluded_fields=[
            "name_key", "core_key", "pinyin", "pinyin_full", "pinyin_sort", "owner_unit"
        ]
    )  # fmt: skip
    visibility = VisibilityRule(owner="owner", unit="owner_unit")
    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["pinyin_sort", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code="") & ~Q(status="rejected"),
                name="customer_unique_credit_code",
            ),
            models.UniqueConstraint(
                fields=["name_key"],
                condition=~Q(status="rejected"),
                name="customer_unique_name_key",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="customer_owner_status"),
            # visibility by unit, read from the row itself (``org.ownership``)
            models.Index(fields=["owner_unit", "owner", "status"], name="customer_unit_status"),
            # the KA list sorted by name walks this index instead of sorting (id breaks ties)
            models.Index(fields=["pinyin_sort", "id"], name="customer_pinyin_sort"),
        ]

    def __str__(self) -> str:
        return self.name


class RegistrationRequest(TimeStampedModel):
    """A KAM's request to register a customer; the assistant approves or rejects it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    requested_by = models.ForeignKey(
        "org.User", verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_not_duplicate = models.BooleanField(_("confirmed not a duplicate"), default=False)
    duplicates_shown = models.JSONField(_("likely duplicates shown"), default=list, blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=20,
        choices=Decision.choices,
        default=Decision.PENDING,
        db_index=True,
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
    reason = models.TextField(_("reason"), blank=True)

    visibility = VisibilityRule(owner="customer__owner", unit="customer__owner_unit")
    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.customer} ({self.get_decision_display()})"


class OwnerChange(models.Model):
    """Every allocation and reallocation: who, when, why (rule 3)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="owner_changes",
    )
    old_owner = models.ForeignKey(
        "org.User",
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_owner = models.ForeignKey(
        "org.User", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        "org.User",
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("owner change")
        verbose_name_plural = _("owner changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer}: {self.old_owner} → {self.new_owner}"


class ScoringFactor(models.Model):
    """A factor of the key-account scorecard (SPEC §5); weights are configurable."""

    class Group(models.TextChoices):
        FEASIBILITY = "feasibility", _("Feasibility test")
        ATTRACTIVENESS = "attractiveness", _("Attractiveness / serviceability")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80)
    question_zh = models.CharField(_("question (Chinese)"), max_length=200, blank=True)
    question_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    name = Localized()
    question = Localized()

    class Meta:
        verbose_name = _("scoring factor")
        verbose_name_plural = _("scoring factors")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class GradingPolicy(models.Model):
    """Grade thresholds on the weighted score (0–100). One row."""

    threshold_a = models.DecimalField(_("A from"), max_digits=4, decimal_places=1, default=80)
    threshold_b = models.DecimalField(_("B from"), max_digits=4, decimal_places=1, default=65)
    threshold_c = models.DecimalField(_("C from"), max_digits=4, decimal_places=1, default=45)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grading policy")
        verbose_name_plural = _("grading policy")

    def __str__(self) -> str:
        return f"A ≥ {self.threshold_a}, B ≥ {self.threshold_b}, C ≥ {self.threshold_c}"


class FactorScore(models.Model):
    """A customer's current score on one factor, with a short justification."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="scores"
    )
    factor = models.ForeignKey(
        ScoringFactor, verbose_name=_("factor"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    justification = models.CharField(_("justification"), max_length=300)
    scored_by = models.ForeignKey(
        "org.User",
        verbose_name=_("scored by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("factor score")
        verbose_name_plural = _("factor scores")
        constraints = [
            models.UniqueConstraint(fields=["customer", "factor"], name="factorscore_unique"),
            models.CheckConstraint(condition=Q(score__lte=5), name="factorscore_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.factor}: {self.score}"


class GradeChange(models.Model):
    """Every grade set on a customer: old, new, the suggestion at the time, who, when, why."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="grade_changes",
    )
    old_grade = models.CharField(_("from"), max_length=1, blank=True)
    new_grade = models.CharField(_("to"), max_length=1, choices=Grade.choices)
    suggested_grade = models.CharField(_("suggested"), max_length=1, blank=True)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, null=True)
    changed_by = models.ForeignKey(
        "org.User",
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer}: {self.old_grade or '—'} → {self.new_grade}"


class Evaluation(TimeStampedModel):
    """Comprehensive customer evaluation (客户综合评估表): dated, scored, all kept."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    evaluated_on = models.DateField(_("date"))
    relationship = models.PositiveSmallIntegerField(
        _("relationship depth"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    needs_clarity = models.PositiveSmallIntegerField(
        _("clarity of needs"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    competitive_position = models.PositiveSmallIntegerField(
        _("our competitive position"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    solution_fit = models.PositiveSmallIntegerField(
        _("fit of our solution"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    payment_ability = models.PositiveSmallIntegerField(
        _("ability to pay"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    summary = models.TextField(_("summary"))
    next_steps = models.TextField(_("next steps"), blank=True)
    evaluated_by = models.ForeignKey(
        "org.User", verbose_name=_("evaluated by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    visibility = VisibilityRule(owner="customer__owner", unit="customer__owner_unit")
    objects = VisibleQuerySet.as_manager()

    DIMENSIONS = (
        "relationship", "needs_clarity", "competitive_position", "solution_fit", "payment_ability",
    )  # fmt: skip

    class Meta:
        verbose_name = _("comprehensive customer evaluation")
        verbose_name_plural = _("comprehensive customer evaluations")
        ordering = ["-evaluated_on", "-id"]

    def __str__(self) -> str:
        return f"{self.customer} {self.evaluated_on}"

    @property
    def total(self) -> int:
        return sum(getattr(self, d) for d in self.DIMENSIONS)


class ImportBatch(models.Model):
    """An import from its preview to its result: the parsed, validated rows (never the file),
    kept in the database so any app server shows it and any worker commits it. Created per
    upload: reading and checking the file runs as a background job (``state``: reading →
    previewed, or refused with the reason when the file cannot be read), and so does the
    commit (previewed → queued → running → done, or back to previewed with the reasons when
    nothing could be written); a preview is
    kept for a day, a result for a week (``transfer.importing.BATCH_LIFETIME``,
    ``RESULT_LIFETIME``)."""

    class State(models.TextChoices):
        READING = "reading", _("checking the file")
        REFUSED = "refused", _("refused")
        PREVIEWED = "previewed", _("previewed")
        QUEUED = "queued", _("waiting to be imported")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        "org.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    file_name = models.CharField(_("file"), max_length=200)
    payload = models.JSONField(_("validated rows"), default=dict)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PREVIEWED
    )
    skip_errors = models.BooleanField(_("rows in error left out"), default=False)
    #: what the commit did: {"counts": {...}, "rejected": [...], "message": "..."}
    result = models.JSONField(_("result"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: the uploaded file while the preview may be mapped again (cleared once imported)
    source = models.BinaryField(_("uploaded file"), null=True, blank=True, editable=False)
    #: how the file is read: per sheet, the kind, the columns and the values mapped by hand
    #: (``transfer.importing.mapping``)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ImportMapping(models.Model):
    """A column and value mapping saved by name, for files of another system that come back
    (``transfer.importing.mapping``): file headers → columns of one kind of record, and cell
    texts → values the import understands. Shared by everyone who imports; changed by the
    person who saved it or an administrator."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind of records"), max_length=20)
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    values = models.JSONField(_("values"), default=dict, blank=True)
    units = models.JSONField(_("units of amounts"), default=dict, blank=True)
    rates = models.JSONField(_("exchange rates of amounts"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "org.User", verbose_name=_("saved by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
