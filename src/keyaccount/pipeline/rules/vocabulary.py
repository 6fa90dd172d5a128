"""The pipeline's words: a deal's status, competitors' strength, team roles, sources,
currencies, risk levels and decisions, kinds of moves, health flags. The words the playbook
shares with the pipeline (key evaluation elements, buying roles, attitudes …) live in
``process.vocabulary`` and are re-exported here."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy

from keyaccount.process.vocabulary import (
    KNOWLEDGE_RANK,
    Attitude,
    BuyingRole,
    Element,
    Influence,
    Knowledge,
)

__all__ = [
    "HEALTH_LABELS",
    "KNOWLEDGE_RANK",
    "Attitude",
    "BuyingRole",
    "Currency",
    "Element",
    "Health",
    "Influence",
    "Knowledge",
    "Move",
    "RiskDecision",
    "RiskLevel",
    "Source",
    "Status",
    "Strength",
    "TeamRole",
]


class Status(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    WON = "won", gettext_lazy("Won")
    LOST = "lost", gettext_lazy("Lost")
    ABANDONED = "abandoned", gettext_lazy("Abandoned")


class Strength(models.TextChoices):
    STRONGER = "stronger", gettext_lazy("Stronger than us")
    EQUAL = "equal", gettext_lazy("About equal")
    WEAKER = "weaker", gettext_lazy("Weaker than us")


class TeamRole(models.TextChoices):
    CONSULTANT = "consultant", gettext_lazy("Consultant / technical support")
    SENIOR_KAM = "senior_kam", gettext_lazy("Senior KAM")
    ACCOUNT_MANAGER = "account_manager", gettext_lazy("Account manager")
    DIRECTOR = "director", gettext_lazy("Sales director")
    OTHER = "other", gettext_lazy("Other")


class Source(models.TextChoices):
    MARKETING = "marketing", gettext_lazy("Marketing campaign")
    CUSTOMER = "customer", gettext_lazy("Existing customer")
    REFERRAL = "referral", gettext_lazy("Referral")
    PARTNER = "partner", gettext_lazy("Partner / channel")
    TENDER_NOTICE = "tender_notice", gettext_lazy("Published tender notice")
    OWN = "own", gettext_lazy("Own prospecting")
    OTHER = "other", gettext_lazy("Other")


class Currency(models.TextChoices):
    CNY = "CNY", gettext_lazy("CNY (yuan)")
    USD = "USD", gettext_lazy("USD")
    EUR = "EUR", gettext_lazy("EUR")
    HKD = "HKD", gettext_lazy("HKD")
    JPY = "JPY", gettext_lazy("JPY")


class RiskLevel(models.TextChoices):
    LOW = "low", gettext_lazy("Low risk")
    MEDIUM = "medium", gettext_lazy("Medium risk")
    HIGH = "high", gettext_lazy("High risk")


class RiskDecision(models.TextChoices):
    NOT_NEEDED = "not_needed", gettext_lazy("No decision needed")
    PENDING = "pending", gettext_lazy("Awaiting risk decision")
    CONTINUE = "continue", gettext_lazy("Continue")
    ABANDON = "abandon", gettext_lazy("Abandon")


class Move(models.TextChoices):
    """What a transition row records."""

    CREATED = "created", gettext_lazy("Created")
    STEP = "step", gettext_lazy("Next step")
    ADVANCE = "advance", gettext_lazy("Advanced")
    BACK = "back", gettext_lazy("Moved back")
    WON = "won", gettext_lazy("Won")
    LOST = "lost", gettext_lazy("Lost")
    ABANDONED = "abandoned", gettext_lazy("Abandoned")
    REOPENED = "reopened", gettext_lazy("Reopened")
    #: brought in from another system at its stage and status, dated by the file; no gate run
    IMPORTED = "imported", gettext_lazy("Imported")


class Health(StrEnum):
    """Flags shown on cards and filterable in the list."""

    OVERDUE_STAGE = "overdue_stage"  # longer in the stage than its norm
    PAST_SIGNING = "past_signing"  # expected signing date passed while open
    RISK_PENDING = "risk_pending"  # high risk awaiting a director's decision
    HIGH_RISK = "high_risk"  # latest assessment high (decided or not)
    SLIPPED = "slipped"  # expected signing date moved later at least once


HEALTH_LABELS = {
    Health.OVERDUE_STAGE: gettext_lazy("Over the stage norm"),
    Health.PAST_SIGNING: gettext_lazy("Signing date passed"),
    Health.RISK_PENDING: gettext_lazy("Awaiting risk decision"),
    Health.HIGH_RISK: gettext_lazy("High risk"),
    Health.SLIPPED: gettext_lazy("Signing date slipped"),
}
