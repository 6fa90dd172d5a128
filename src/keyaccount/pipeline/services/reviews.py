"""Reviewing a gate override afterwards: the department head looks at every gate a sales
director passed without its criteria, and records that it was reviewed, with a note."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.org.models import User

from .. import permissions
from ..models import StageTransition
from ._common import require


@transaction.atomic
def override_review(*, actor: User, transition: StageTransition, note: str = "") -> StageTransition:
    """Mark an overridden move reviewed (who, when, an optional note). Reviewing twice is
    refused, naming who reviewed it first."""
    row = (
        StageTransition.objects.select_for_update(of=("self",))
        .select_related("opportunity__owner", "reviewed_by")
        .get(pk=transition.pk)
    )
    caps = permissions.capabilities_for(actor)
    require(
        permissions.can_review_overrides(caps, owner_unit_id=row.opportunity.owner.unit_id),
        _("Only the KA department head reviews gate overrides."),
    )
    if not row.overridden:
        raise ValidationError(_("This move passed its gate: there is no override to review."))
    if row.reviewed_at is not None:
        raise ValidationError(
            _("This override was reviewed already by %(who)s.") % {"who": row.reviewed_by}
        )
    row.reviewed_by, row.reviewed_at, row.review_note = actor, timezone.now(), note.strip()[:2000]
    row.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    return row
