"""The one fetch-or-404 per object type of the organisation app: a notification is its
recipient's alone, and anyone else's is the same 404 as a missing one."""

from keyaccount.core.lookup import get_or_404

from .models import Notification, User


def notification_for(user: User, pk: object) -> Notification:
    return get_or_404(Notification.objects.filter(recipient_id=user.pk), pk=pk)
