"""Customer contacts and their reporting lines (the customer's org chart)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyaccount.core.models import VersionedModel
from keyaccount.core.pinyin import MAX_FULL, MAX_INITIALS, MAX_SORT
from keyaccount.org.visibility import VisibilityRule, VisibleQuerySet


class Contact(VersionedModel):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=80, blank=True)
    department = models.CharField(_("department"), max_length=80, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("still there"), default=True)
    # the name's pinyin (``core.pinyin``), kept by ``services``: lists sort and search by it
    pinyin = models.CharField(max_length=MAX_INITIALS, editable=False, blank=True)
    pinyin_full = models.CharField(max_length=MAX_FULL, editable=False, blank=True)
    pinyin_sort = models.CharField(max_length=MAX_SORT, editable=False, blank=True)
    history = HistoricalRecords(excluded_fields=["pinyin", "pinyin_full", "pinyin_sort"])

    visibility = VisibilityRule(owner="customer__owner", unit="customer__owner_unit")
    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer_id", "pinyin_sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reports_to=models.F("id")), name="contact_not_own_manager"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "pinyin_sort", "id"], name="contact_customer_pinyin")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name
