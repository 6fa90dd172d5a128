from typing import Any

from django.http import HttpRequest

from .notifications import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The bell's count of unread notifications (kept on the user row: no query)."""
    return {"unread_notifications": unread_count(getattr(request, "user", None))}
