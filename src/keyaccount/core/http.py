"""Small answers to questions every page asks of its request.

``wants_fragment``: does the page answer with an htmx fragment or the whole page?
``safe_next``: may the user be sent back to the ``next`` they posted?
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a fragment; a history restore needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    """``candidate`` when it leads back to this site (same host, no scheme downgrade), else
    ``default``: a posted ``next`` never sends the user elsewhere (open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
