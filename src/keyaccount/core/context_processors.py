from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import navigation_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page of the shell needs: navigation and the language list."""
    user = getattr(request, "user", None)
    return {
        "nav_items": navigation_for(user, request.path) if user is not None else [],
        "product_name": "keyaccount",
        "production_mode": settings.PRODUCTION,
    }
