"""The access matrix for notifications (issue 8): pages and API. Each person sees and changes
only their own: someone else's notification is a 404, the same as a missing one, and stays
unread."""

from typing import Any

from keyaccount.org import notifications
from keyaccount.org.models import Notification

from ..conftest import Cast
from .registry import Ctx, Redirect, api, page, per_role


def kam_notification(c: Cast) -> dict[str, Any]:
    """An unread notification of ``kam`` (a customer allocated to them by the head); made
    directly, so that it exists even when a test has made ``kam`` inactive."""
    made = Notification.objects.create(
        recipient=c.kam,
        kind="customers.allocated_to_you",
        params={"customer": "矩阵客户", "actor": "周健", "reason": "矩阵", "old_owner": "孙丽"},
        url="/customers/",
        actor=c.head,
    )
    return {"notification": made}


def _read_only_by_its_recipient(ctx: Ctx) -> None:
    n = Notification.objects.get(pk=ctx.o.notification.pk)
    assert (n.read_at is not None) == (not ctx.denied and ctx.role == "kam"), ctx.role


def _saved_for_the_caller(ctx: Ctx) -> None:
    if ctx.denied or ctx.user is None:
        return
    saved = {r["group"]: r for r in notifications.settings_for(ctx.user)}
    assert saved["customers.registration"]["email"] is False


def _mine_only(ctx: Ctx) -> None:
    if ctx.response.status_code != 200:
        return
    if ctx.route.api:
        shown = any("矩阵客户" in n["text"] for n in ctx.response.json()["results"])
    else:
        shown = "矩阵客户" in ctx.response.content.decode()
    assert shown == (ctx.role == "kam"), ctx.role


OPEN = lambda c, o: f"/notifications/{o.notification.pk}/open/"  # noqa: E731

NOTIFICATION_ROUTES = [
    page("notifications.list", "/notifications/", setup=kam_notification, verify=_mine_only),
    page(
        "notifications.list.unread",
        "/notifications/?show=unread",
        setup=kam_notification,
        verify=_mine_only,
    ),
    page(
        "notifications.open",
        OPEN,
        method="POST",
        setup=kam_notification,
        roles=per_role({"kam"}, yes=Redirect("/customers/")),
        verify=_read_only_by_its_recipient,
    ),
    page(
        "notifications.read_all",
        "/notifications/read/",
        method="POST",
        setup=kam_notification,
        signed_in=Redirect("/notifications/"),
        verify=_read_only_by_its_recipient,
    ),
    page("notifications.settings", "/settings/notifications/"),
    page(
        "notifications.settings.save",
        "/settings/notifications/",
        method="POST",
        body={"customers.registration.in_app": "on"},
        signed_in=Redirect("/settings/notifications/"),
        verify=_saved_for_the_caller,
    ),
    api("api.notifications", "/api/notifications", setup=kam_notification, verify=_mine_only),
    api(
        "api.notifications.read",
        lambda c, o: f"/api/notifications/{o.notification.pk}/read",
        method="POST",
        setup=kam_notification,
        roles=per_role({"kam"}),
        verify=_read_only_by_its_recipient,
    ),
    api(
        "api.notifications.read_all",
        "/api/notifications/read",
        method="POST",
        setup=kam_notification,
        verify=_read_only_by_its_recipient,
    ),
    api("api.notifications.settings", "/api/notifications/settings"),
    api(
        "api.notifications.settings.save",
        "/api/notifications/settings",
        method="PUT",
        body={"groups": [{"group": "customers.registration", "in_app": True, "email": False}]},
        verify=_saved_for_the_caller,
    ),
    api(
        "api.notifications.read.missing",
        "/api/notifications/987654321/read",
        method="POST",
        signed_in=404,
    ),
]
