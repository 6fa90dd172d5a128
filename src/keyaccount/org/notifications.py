"""Notifications: telling people of what concerns them, in the app and by e-mail.

An app that has news for someone calls ``notify(kind=..., recipients=..., params=...)`` from its
service, inside the service's transaction. Each recipient gets an in-app notification (the bell
in the navigation) and, after the transaction commits, an e-mail through Django's e-mail
backend (the console in development), each switchable per person and per *group* of kinds on
the notification settings page. Nobody is notified of what they did themselves.

Notifications are stored as a kind and parameters and rendered in the reader's language when
shown (or e-mailed), like history events (``core.events``). Apps register their groups and
kinds (``register_group``, ``register_kind``) from their own ``notices.py``.
"""

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .models import Notification, NotificationSetting, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticeGroup:
    """What a person switches on or off: e.g. "a customer of mine is reallocated"."""

    code: str
    label: str | Promise
    order: int = 100
    email: bool = True  # the default for e-mail (in the app is on by default)


@dataclass(frozen=True)
class NoticeKind:
    code: str
    group: str
    message: str | Promise  # lazy translation with %(name)s placeholders from the params
    labels: Mapping[str, Callable[[str], str]] = field(default_factory=dict)

    def render(self, params: Mapping[str, Any]) -> str:
        values = {
            k: self.labels[k](str(v)) if k in self.labels else ("" if v is None else str(v))
            for k, v in params.items()
        }
        try:
            return str(self.message) % values
        except (KeyError, TypeError, ValueError):
            return str(self.message)


_GROUPS: dict[str, NoticeGroup] = {}
#: False while ``without_emails`` is in force (demo data: its people have no real mailbox)
_EMAILS: ContextVar[bool] = ContextVar("keyaccount_notification_emails", default=True)


@contextmanager
def without_emails() -> Iterator[None]:
    """Notify in the app only, sending no e-mail, while the block runs (and commits)."""
    token = _EMAILS.set(False)
    try:
        yield
    finally:
        _EMAILS.reset(token)


_KINDS: dict[str, NoticeKind] = {}


def register_group(group: NoticeGroup) -> None:
    _GROUPS[group.code] = group


def register_kind(kind: NoticeKind) -> None:
    if kind.group not in _GROUPS:
        raise KeyError(f"register the group {kind.group!r} before its kinds")
    _KINDS[kind.code] = kind


def groups() -> list[NoticeGroup]:
    return sorted(_GROUPS.values(), key=lambda g: (g.order, g.code))


def render(notification: Notification) -> str:
    """The notification's sentence in the active language."""
    kind = _KINDS.get(notification.kind)
    if kind is None:
        return notification.kind
    return kind.render(notification.params or {})


# --- reads (a person's own notifications only) --------------------------------------------


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient_id=user.pk).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    """The bell's number: kept on the user row by the writes below, so reading it costs no
    query (the request has loaded the user already)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return int(getattr(user, "unread_notifications", 0) or 0)


def _recount(user_ids: Iterable[int]) -> None:
    """Set each user's unread count to the truth, in the same transaction as the change."""
    unread = (
        Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    User.objects.filter(pk__in=sorted(set(user_ids))).update(
        unread_notifications=Coalesce(Subquery(unread), Value(0))
    )


def settings_for(user: User) -> list[dict[str, Any]]:
    """Every group with the person's choice (or its default)."""
    saved = {s.group: s for s in NotificationSetting.objects.filter(user_id=user.pk)}
    rows = []
    for group in groups():
        row = saved.get(group.code)
        rows.append(
            {
                "group": group.code,
                "label": group.label,
                "in_app": row.in_app if row else True,
                "email": row.email if row else group.email,
            }
        )
    return rows


# --- writes ----------------------------------------------------------------------------------


def _choices(kind: NoticeKind, users: list[User]) -> dict[int, tuple[bool, bool]]:
    group = _GROUPS[kind.group]
    saved = {
        s.user_id: (s.in_app, s.email)
        for s in NotificationSetting.objects.filter(
            user_id__in=[u.pk for u in users], group=kind.group
        )
    }
    return {u.pk: saved.get(u.pk, (True, group.email)) for u in users}


def notify(
    *,
    kind: str,
    recipients: Iterable[User | None],
    params: Mapping[str, Any],
    url: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """Tell ``recipients`` (active people other than ``actor``) about ``kind``. Call it inside
    the service's transaction: the rows are part of it, the e-mails leave after it commits."""
    spec = _KINDS.get(kind)
    if spec is None:
        raise KeyError(f"unknown notification kind {kind!r}")
    people: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active and (actor is None or user.pk != actor.pk):
            people.setdefault(user.pk, user)
    if not people:
        return []
    choices = _choices(spec, list(people.values()))
    now = timezone.now()
    wanted = [u for u in people.values() if any(choices[u.pk])]
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            params=dict(params),
            url=url,
            actor=actor,
            created_at=now,
            # e-mail only: kept for the e-mail and the record, but not waiting in the bell
            read_at=None if choices[user.pk][0] else now,
        )
        for user in wanted
    )
    _recount(n.recipient_id for n in rows)
    mail_ids = [n.pk for n in rows if choices[n.recipient_id][1] and n.recipient.email]
    if not _EMAILS.get():
        mail_ids = []
    if mail_ids:
        transaction.on_commit(lambda: send_emails(mail_ids))
    return [n for n in rows if choices[n.recipient_id][0]]


def send_emails(ids: list[int]) -> int:
    """E-mail the given notifications, each in its recipient's language (after the commit of
    what caused them). A failure is logged, never raised: the notification stays in the app."""
    sent = 0
    site = settings.SITE_URL.rstrip("/")
    for n in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related(
        "recipient"
    ):
        with translation.override(n.recipient.language or settings.LANGUAGE_CODE):
            text = render(n)
            body = text + (f"\n\n{site}{n.url}" if n.url else "")
            body += "\n\n" + _(
                "You can choose which notifications you get, and how, under Notifications in "
                "the user menu."
            )
            subject = f"[keyaccount] {text}"[:180]
        try:
            send_mail(subject, body, None, [n.recipient.email], fail_silently=False)
        except Exception:  # the SMTP server is down, refused the address …
            log.exception("notification %s: the e-mail to %s failed", n.pk, n.recipient.email)
            continue
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@transaction.atomic
def mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is someone else's."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _recount([actor.pk])
    return notification


@transaction.atomic
def mark_all_read(*, actor: User) -> int:
    count = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    _recount([actor.pk])
    return count


@transaction.atomic
def settings_save(*, actor: User, choices: Mapping[str, tuple[bool, bool]]) -> None:
    """Save ``{group: (in_app, email)}`` for ``actor``; an unknown group is refused."""
    unknown = sorted(set(choices) - set(_GROUPS))
    if unknown:
        raise ValidationError(
            {"group": _("Unknown notifications: %(groups)s") % {"groups": ", ".join(unknown)}}
        )
    for group, (in_app, email) in choices.items():
        NotificationSetting.objects.update_or_create(
            user=actor, group=group, defaults={"in_app": bool(in_app), "email": bool(email)}
        )
