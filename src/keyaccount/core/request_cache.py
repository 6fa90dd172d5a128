"""A cache that lives for one request: values every part of a page asks for again and again
(the user's visibility scope, their capabilities) are computed once per request.

Only a request opens the cache (``RequestCacheMiddleware``); services and commands called
outside a request compute every time, so nothing is ever cached across requests or users.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_cache: ContextVar[dict[Hashable, Any] | None] = ContextVar(
    "keyaccount_request_cache", default=None
)


def memo[T](key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per request for ``key``; every time outside a request."""
    cache = _cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    value: T = cache[key]
    return value


class RequestCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
