"""Users, the org tree, roles, regions and industries."""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keyaccount.core.i18n import Localized
from keyaccount.core.models import TimeStampedModel
from keyaccount.core.money import MoneyUnit
from keyaccount.core.pinyin import MAX_FULL, MAX_INITIALS, MAX_SORT
from keyaccount.core.pinyin import keys as pinyin_keys

from .rules import RoleCode


class OrgUnit(TimeStampedModel):
    """A node of the company tree: company → department → team, any depth."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")
        GROUP = "group", _("Group")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        "org.User",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_units",
        help_text=_("Sees every record owned by members of this unit and the units below it."),
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="orgunit_unique_name_in_parent"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="orgunit_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


#: what ``str(user)`` is made of, and the keys derived from it
NAME_FIELDS = frozenset({"display_name", "first_name", "last_name", "username"})
KEY_FIELDS = ("pinyin", "pinyin_full", "pinyin_sort")


def shown_name(display_name: str, first_name: str, last_name: str, username: str) -> str:
    """How a person is shown (``str(user)``): the shown name, else the full name, else the
    login. Pages that read users as values (``values()``) call it with the same four fields."""
    return display_name or f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    """A person who signs in. Custom from the first migration so it can grow."""

    #: not stored: true for a request made with an API token allowed to import deals
    #: (``ApiToken.can_import``, read by ``capabilities_for``)
    token_imports: bool = False

    display_name = models.CharField(
        _("display name"), max_length=60, blank=True, help_text=_("Full name as colleagues see it.")
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("interface language"),
        max_length=10,
        choices=[("zh-hans", "中文"), ("en", "English")],
        default="zh-hans",
    )
    money_unit = models.CharField(
        _("show amounts in"), max_length=10, choices=MoneyUnit.choices, default=MoneyUnit.AUTO
    )
    #: kept by ``org.notifications`` (always the count of unread rows): the bell needs no query
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    #: the pinyin (``core.pinyin``) of the name colleagues see (``str(user)``), kept by ``save``
    #: (people are also edited in the back office): lists of people sort by ``pinyin_sort``
    pinyin = models.CharField(max_length=MAX_INITIALS, editable=False, blank=True)
    pinyin_full = models.CharField(max_length=MAX_FULL, editable=False, blank=True)
    pinyin_sort = models.CharField(max_length=MAX_SORT, editable=False, blank=True, db_index=True)
    history = HistoricalRecords(
        excluded_fields=[
            "password", "last_login", "unread_notifications", "pinyin", "pinyin_full",
            "pinyin_sort",
        ],
        user_related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]  # the back office; the product's lists sort by ``pinyin_sort``

    def __str__(self) -> str:
        return shown_name(self.display_name, self.first_name, self.last_name, self.username)

    def refresh_name_keys(self) -> None:
        """Derive the pinyin keys from the shown name; bulk writes call it before
        ``bulk_create``/``bulk_update`` (which skip ``save``)."""
        self.pinyin_sort, self.pinyin_full, self.pinyin = pinyin_keys(str(self))

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived key, not a business rule: kept wherever the name is saved from.
        self.refresh_name_keys()
        fields = kwargs.get("update_fields")
        if fields is not None and not NAME_FIELDS.isdisjoint(fields):
            kwargs["update_fields"] = {*fields, *KEY_FIELDS}
        super().save(*args, **kwargs)
        if fields is None or "unit" in fields or "unit_id" in fields:
            from .ownership import follow_owner

            follow_owner(self)  # the records they own keep their unit (``org.ownership``)


class Role(models.Model):
    """One of the eight roles of SPEC §2; names and descriptions are editable, codes are fixed."""

    code = models.CharField(_("code"), max_length=40, unique=True, choices=RoleCode.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    name = Localized()
    description = Localized()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(TimeStampedModel):
    """A user holds a role; unit-wide roles cover the given unit and everything below it."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("covers unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text=_("Required for the department head, assistant and sales director."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=models.Q(unit__isnull=False),
                name="roleassignment_unique_in_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(unit__isnull=True),
                name="roleassignment_unique_without_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role}" + (f" · {self.unit}" if self.unit_id else "")


class Region(models.Model):
    """Where a customer is: global regions, China's sales regions, provinces (a tree)."""

    class Kind(models.TextChoices):
        GLOBAL = "global", _("Global region")
        COUNTRY = "country", _("Country")
        SALES_REGION = "sales_region", _("Sales region")
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    name = Localized()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    name = Localized()

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("starts with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    #: granted by an administrator (the admin site) to an integration's token: deals come in
    #: through it with their stage, owner and dates, as an administrator imports them
    can_import = models.BooleanField(
        _("imports deals with their history"),
        default=False,
        help_text=_(
            "Deals created or imported with this token keep the stage, owner and dates they "
            "are given, for any owner, as an administrator's would."
        ),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Notification(models.Model):
    """Something that concerns one person (a customer reallocated to them, a risk decision
    awaiting them …). Stored as a kind and parameters and rendered in the reader's language
    (``org.notifications``); read when they open it or mark it read."""

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("caused by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.kind}"


class NotificationSetting(models.Model):
    """A person's choice for one group of notifications: in the app, by e-mail, both or none.
    Without a row, the group's defaults apply."""

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    group = models.CharField(_("notifications"), max_length=60)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="notificationsetting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.group}"
