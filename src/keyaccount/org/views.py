"""Pages about me and my organisation: home, language, API tokens, notifications, the org tree."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyaccount.core.http import wants_fragment
from keyaccount.core.pending import pending_for

from . import notifications, selectors, services
from .access import notification_for
from .forms import ApiTokenForm, LanguageForm
from .models import ApiToken
from .requests import AuthenticatedRequest


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = selectors.home_summary(user=request.user)
    context["pending"] = pending_for(request.user)
    return render(request, "core/home.html", context)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user (and in a cookie for the login)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unknown language."), status=400)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data.get("next")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=True,
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    issued = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_token_create(
                actor=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm()
    status = 400 if request.method == "POST" and issued is None else 200
    return render(
        request,
        "org/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": selectors.api_token_list(user=request.user),  # type: ignore[arg-type]
        },
        status=status,
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's token is a 404, the same as a missing one.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("org:api_tokens")


#: What a search looks for at most (a name, its pinyin): longer text is cut, not refused.
SEARCH_MAX_LENGTH = 50


@login_required
@require_GET
def org_units(request: HttpRequest) -> HttpResponse:
    """The org tree: units with their counts, people on demand, and a search.

    ``?unit=<id>`` opens one unit: htmx gets only what opening it shows (its people and its
    child units), the whole page (no JavaScript) the tree with that unit open. ``?q=`` finds
    people and units; htmx gets only the results (or, for an empty search, the tree). A unit
    the user may not see is a 404, as a missing one."""
    text = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    asked = request.GET.get("unit", "").strip()
    focus = selectors.org_unit_for(user=request.user, pk=asked) if asked else None
    fragment = wants_fragment(request)
    if focus is not None and fragment:
        context = selectors.org_unit_body(user=request.user, unit=focus)
        template = "org/units.html#unit_body"
    else:
        if text:
            context = selectors.org_search(user=request.user, text=text)
        else:
            context = selectors.org_tree(user=request.user, focus=focus)
        template = "org/units.html#main" if fragment else "org/units.html"
    context["q"] = text
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- notifications --------------------------------------------------------------------------

NOTIFICATIONS_PER_PAGE = 50


@login_required
@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(
        notifications.notifications_for(user=request.user, unread_only=unread_only),
        NOTIFICATIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    rows = [{"n": n, "text": notifications.render(n)} for n in page.object_list]
    return render(
        request,
        "org/notifications.html",
        {"page": page, "rows": rows, "unread_only": unread_only},
    )


@login_required
@require_POST
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points (someone else's is a 404)."""
    notification = notification_for(request.user, pk)
    notifications.mark_read(actor=request.user, notification=notification)
    target = notification.url if notification.url.startswith("/") else ""
    return HttpResponseRedirect(_safe_next(request, target or reverse("org:notifications")))


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = notifications.mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked read.", "%(count)s notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect("org:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedRequest) -> HttpResponse:
    rows = notifications.settings_for(request.user)
    if request.method == "POST":
        choices = {
            row["group"]: (
                request.POST.get(f"{row['group']}.in_app") == "on",
                request.POST.get(f"{row['group']}.email") == "on",
            )
            for row in rows
        }
        notifications.settings_save(actor=request.user, choices=choices)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("org:notification_settings")
    return render(request, "org/notification_settings.html", {"rows": rows})
