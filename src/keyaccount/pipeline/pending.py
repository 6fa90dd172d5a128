"""The pipeline's part of the home page's pending work (``core.pending``): high-risk deals
awaiting a sales director, one's own deals over their stage norm or past their signing date,
and gate overrides awaiting the department head's review. A few indexed counts, only for the
roles that can have that work."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyaccount.core.pending import PendingItem

from . import permissions, rules, selectors
from .models import Opportunity, StageTransition


def pending_work(user: Any) -> list[PendingItem]:
    caps = permissions.capabilities_for(user)
    items: list[PendingItem] = []
    deals = reverse("pipeline:list")
    if caps.everything or caps.director_unit_ids:
        # the few deals awaiting a decision (index opp_risk_decision), then the director's units
        units = (
            Opportunity.objects.filter(
                status=rules.Status.OPEN, risk_decision=rules.RiskDecision.PENDING
            )
            .order_by()
            .values_list("owner_unit_id", flat=True)
        )
        waiting = sum(1 for unit in units if caps.everything or unit in caps.director_unit_ids)
        items.append(
            PendingItem(
                key="pipeline.risk_decisions",
                label=_("High-risk deals awaiting my decision"),
                count=waiting,
                url=f"{deals}?health={rules.Health.RISK_PENDING}",
                hint=_("Continue or abandon each, with a reason; the deal waits until then."),
                tone="danger",
                order=20,
            )
        )
    if permissions.reviews_overrides(caps):
        # the few unreviewed overrides, through their partial index, then the head's units
        moves = (
            StageTransition.objects.filter(overridden=True, reviewed_at__isnull=True)
            .order_by()
            .values_list("opportunity__owner_unit_id", flat=True)
        )
        count = sum(1 for unit in moves if caps.everything or unit in caps.head_unit_ids)
        items.append(
            PendingItem(
                key="pipeline.overrides",
                label=_("Gate overrides awaiting my review"),
                count=count,
                url=reverse("pipeline:overrides"),
                hint=_("A sales director passed these gates without everything they ask for."),
                tone="warning",
                order=30,
            )
        )
    if caps.sells:
        mine = Opportunity.objects.filter(owner_id=user.pk, status=rules.Status.OPEN)
        now, norms = timezone.now(), selectors.stage_norms()
        for flag, label, hint, tone, order in (
            (
                rules.Health.PAST_SIGNING,
                _("My deals past their expected signing date"),
                _("Sign, move the date with a reason, or close them."),
                "danger",
                40,
            ),
            (
                rules.Health.OVERDUE_STAGE,
                _("My deals over their stage's normal duration"),
                _("Move them on through the gate, or say what holds them up."),
                "warning",
                50,
            ),
        ):
            condition = selectors.health_condition(flag, stages=norms, now=now)
            items.append(
                PendingItem(
                    key=f"pipeline.{flag}",
                    label=label,
                    count=mine.filter(condition).count(),
                    url=f"{deals}?owner={user.pk}&health={flag}",
                    hint=hint,
                    tone=tone,
                    order=order,
                )
            )
    return items
