"""The words the playbook and the opportunities share: key evaluation elements and how well each
is known, buying roles, attitudes and influence in the customer's organisation (SPEC §6).

They live in the process app because the playbook speaks of them (element requirements, evidence
criteria such as "a decision maker is on the power map"); the pipeline records them per deal.
"""

from django.db import models
from django.utils.translation import gettext_lazy


class Element(models.TextChoices):
    """The key evaluation elements (关键评估元素) of SPEC §6, in their order."""

    NEED = "need", gettext_lazy("Need")
    SCHEDULE = "schedule", gettext_lazy("Project / procurement schedule")
    BUDGET = "budget", gettext_lazy("Budget")
    COMPETITION = "competition", gettext_lazy("Competition")
    DECISION = "decision", gettext_lazy("Decision (process and makers)")
    PRIORITY_ITEMS = "priority_items", gettext_lazy("Priority evaluation items")


class Knowledge(models.TextChoices):
    UNKNOWN = "unknown", gettext_lazy("Unknown")
    PARTLY = "partly", gettext_lazy("Partly known")
    CONFIRMED = "confirmed", gettext_lazy("Confirmed")


KNOWLEDGE_RANK = {Knowledge.UNKNOWN: 0, Knowledge.PARTLY: 1, Knowledge.CONFIRMED: 2}


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", gettext_lazy("Decision maker")
    TECHNICAL_EVALUATOR = "technical_evaluator", gettext_lazy("Technical evaluator")
    USER = "user", gettext_lazy("User")
    COACH = "coach", gettext_lazy("Coach / insider")
    GATEKEEPER = "gatekeeper", gettext_lazy("Gatekeeper")
    INFLUENCER = "influencer", gettext_lazy("Influencer")


class Influence(models.TextChoices):
    HIGH = "high", gettext_lazy("High")
    MEDIUM = "medium", gettext_lazy("Medium")
    LOW = "low", gettext_lazy("Low")


class Attitude(models.TextChoices):
    SUPPORTER = "supporter", gettext_lazy("Supporter")
    NEUTRAL = "neutral", gettext_lazy("Neutral")
    OPPONENT = "opponent", gettext_lazy("Opponent")
    UNKNOWN = "unknown", gettext_lazy("Unknown")
