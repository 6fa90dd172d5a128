"""Typed requests: who is asking, as the views and API routes see them.

``login_required`` pages and authenticated API routes always have a signed-in, active ``User``;
annotating their request as ``AuthenticatedRequest`` says so to the type checker, instead of
``Any`` or a cast in every module. ``Viewer`` is whoever a read may be asked for (anonymous
users see nothing).
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .models import User

type Viewer = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    """A request of a signed-in user: a page behind ``login_required`` or an API route behind
    the API's authentication (which sets ``auth`` to the same user)."""

    user: User
    auth: User
