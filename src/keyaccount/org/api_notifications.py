"""A person's notifications over REST: list, mark read, and the settings of what they get.

Every route is about the caller's own notifications: anyone else's is a 404."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from keyaccount.core.api_errors import errors
from keyaccount.core.schemas import Id, InSchema, PageQuery, UserRef

from . import notifications
from .access import notification_for
from .models import Notification
from .requests import AuthenticatedRequest

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str = Field(description="The notification in your language.")
    url: str = Field(description="Where it points in the product (a path), or empty.")
    actor: UserRef | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    results: list[NotificationOut]


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="Only the unread ones.")


class ReadAllOut(Schema):
    marked: int


class SettingOut(Schema):
    group: str
    label: str
    in_app: bool
    email: bool


class SettingIn(InSchema):
    group: str = Field(max_length=60)
    in_app: bool
    email: bool


class SettingsIn(InSchema):
    groups: list[SettingIn] = Field(max_length=100)


def notification_out(n: Notification) -> NotificationOut:
    actor = n.actor
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        text=notifications.render(n),
        url=n.url,
        actor=UserRef(id=actor.pk, username=actor.username, name=str(actor)) if actor else None,
        created_at=n.created_at,
        read_at=n.read_at,
    )


@router.get(
    "/notifications",
    response={200: NotificationPage, **errors(422)},
    summary="My notifications, newest first",
)
def notification_list(
    request: AuthenticatedRequest, query: Query[NotificationQuery]
) -> NotificationPage:
    qs = notifications.notifications_for(user=request.auth, unread_only=query.unread)
    offset, limit = query.window()
    return NotificationPage(
        count=qs.count(),
        unread=notifications.notifications_for(user=request.auth, unread_only=True).count(),
        results=[notification_out(n) for n in qs[offset : offset + limit]],
    )


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **errors(404, 422)},
    summary="Mark one notification read",
)
def notification_read(request: AuthenticatedRequest, notification_id: Id) -> NotificationOut:
    notification = notification_for(request.auth, notification_id)
    return notification_out(notifications.mark_read(actor=request.auth, notification=notification))


@router.post(
    "/notifications/read",
    response={200: ReadAllOut},
    summary="Mark all my notifications read",
)
def notification_read_all(request: AuthenticatedRequest) -> ReadAllOut:
    return ReadAllOut(marked=notifications.mark_all_read(actor=request.auth))


@router.get(
    "/notifications/settings",
    response={200: list[SettingOut]},
    summary="What I am told, and how (in the app, by e-mail)",
)
def settings_get(request: AuthenticatedRequest) -> list[SettingOut]:
    return [
        SettingOut(
            group=str(row["group"]),
            label=str(row["label"]),
            in_app=bool(row["in_app"]),
            email=bool(row["email"]),
        )
        for row in notifications.settings_for(request.auth)
    ]


@router.put(
    "/notifications/settings",
    response={200: list[SettingOut], **errors(422)},
    summary="Change what I am told, and how",
)
def settings_put(request: AuthenticatedRequest, payload: SettingsIn) -> Status[list[SettingOut]]:
    """Only the groups sent change; an unknown group is a 422."""
    notifications.settings_save(
        actor=request.auth, choices={s.group: (s.in_app, s.email) for s in payload.groups}
    )
    return Status(200, settings_get(request))
