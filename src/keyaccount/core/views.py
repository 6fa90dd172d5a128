"""Pages of the shell: health check, type-ahead suggestions and error pages."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import typeahead


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Is the database reachable? 200 with ``{"database": "ok"}``, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
@require_GET
def suggest(request: HttpRequest, name: str) -> HttpResponse:
    """A type-ahead's suggestions for ``?q=`` (``core.typeahead``): the options list swapped
    under the search box."""
    found = typeahead.suggestions(name, request.user, request.GET.get("q", ""))
    if found is None:
        raise Http404
    return render(
        request,
        "core/partials/typeahead_options.html",
        {"options": found.options, "more": found.more, "text": found.text},
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the database or anything else may be what failed.
    from django.template import loader

    template = loader.get_template("500.html")
    context: dict[str, Any] = {}
    return HttpResponse(template.render(context), status=500)
