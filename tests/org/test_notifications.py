"""Notifications (``org.notifications``): people learn of what concerns them, in the app and by
e-mail, each switchable; rendered in the reader's language; nobody else sees them."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer
from keyaccount.org import notifications
from keyaccount.org.models import Notification, User


def registered(cast, owner, name):
    result = customer_services.registration_request(
        actor=owner, data={"name": name}, confirm_not_duplicate=True
    )
    customer_services.registration_decide(
        actor=cast.assistant, request=result.request, approve=True
    )
    return Customer.objects.get(pk=result.request.customer_id)


def unread(user):
    return User.objects.get(pk=user.pk).unread_notifications


def truth(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@pytest.fixture
def emails(cast):
    for user in (cast.kam, cast.colleague, cast.head, cast.assistant, cast.director):
        user.email = f"{user.username}@example.cn"
        user.language = "en"
        user.save()


def test_a_reallocation_tells_the_old_and_the_new_owner_once_each(
    cast, emails, django_capture_on_commit_callbacks
):
    customer = registered(cast, cast.kam, "华东电网运营公司")
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.customers_allocate(
            actor=cast.head, customers=[customer], new_owner=cast.colleague, reason="客户调整"
        )
    rows = Notification.objects.filter(pk__gt=0).order_by("pk")[before:]
    assert {n.recipient for n in rows} == {cast.kam, cast.colleague}
    with translation.override("en"):
        texts = {n.recipient.username: notifications.render(n) for n in rows}
    assert "allocated 华东电网运营公司 to you" in texts["colleague"]
    assert "reallocated 华东电网运营公司 from you to" in texts["kam"]
    assert {m.to[0] for m in mail.outbox} >= {"kam@example.cn", "colleague@example.cn"}
    assert unread(cast.kam) == truth(cast.kam) and unread(cast.colleague) == 1


def test_many_customers_moved_make_one_notification_each(cast, emails):
    customers = [registered(cast, cast.kam, f"测试客户{i}号有限公司") for i in range(5)]
    before = Notification.objects.filter(recipient=cast.colleague).count()
    customer_services.customers_allocate(
        actor=cast.head, customers=customers, new_owner=cast.colleague, reason="调整"
    )
    assert Notification.objects.filter(recipient=cast.colleague).count() == before + 1
    latest = Notification.objects.filter(recipient=cast.colleague).first()
    with translation.override("zh-hans"):
        assert "5" in notifications.render(latest)


def test_the_requester_learns_of_the_registration_decision_in_their_own_language(cast, emails):
    result = customer_services.registration_request(
        actor=cast.kam, data={"name": "江苏港口集团"}, confirm_not_duplicate=True
    )
    customer_services.registration_decide(
        actor=cast.assistant, request=result.request, approve=False, reason="重复登记"
    )
    n = Notification.objects.get(recipient=cast.kam, kind="customers.registration_rejected")
    with translation.override("en"):
        assert notifications.render(n).startswith(f"{cast.assistant} rejected your registration")
    with translation.override("zh-hans"):
        zh = notifications.render(n)
    assert "江苏港口集团" in zh and "重复登记" in zh and "rejected" not in zh


def test_nobody_is_told_of_what_they_did_themselves(cast):
    customer = registered(cast, cast.kam, "苏州工业园区管委会")
    notifications.notify(
        kind="customers.allocated_to_you",
        recipients=[cast.head],
        params={"customer": customer.name},
        actor=cast.head,
    )
    assert not Notification.objects.filter(recipient=cast.head).exists()


def test_each_group_is_switchable_in_the_app_and_by_email(
    cast, emails, django_capture_on_commit_callbacks
):
    notifications.settings_save(
        actor=cast.colleague, choices={"customers.allocation": (False, True)}
    )
    notifications.settings_save(actor=cast.kam, choices={"customers.allocation": (True, False)})
    customer = registered(cast, cast.kam, "南京地铁集团")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.customers_allocate(
            actor=cast.head, customers=[customer], new_owner=cast.colleague, reason="轮岗"
        )
    assert [m.to for m in mail.outbox] == [["colleague@example.cn"]]
    assert unread(cast.colleague) == 0  # e-mail only: nothing waits in the bell
    assert unread(cast.kam) == truth(cast.kam) >= 1


def test_an_unknown_group_is_refused_and_changes_nothing(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=r"no\.such"):
        notifications.settings_save(actor=cast.kam, choices={"no.such": (True, True)})
    assert not cast.kam.notification_settings.exists()


def test_marking_read_keeps_the_bell_count_true(cast):
    for _ in range(3):
        notifications.notify(
            kind="customers.allocated_to_you_many",
            recipients=[cast.kam],
            params={"count": 2, "names": "甲、乙"},
            actor=cast.head,
        )
    assert unread(cast.kam) == 3
    first = Notification.objects.filter(recipient=cast.kam).first()
    notifications.mark_read(actor=cast.kam, notification=first)
    notifications.mark_read(actor=cast.kam, notification=first)  # twice: still one less
    assert unread(cast.kam) == truth(cast.kam) == 2
    assert notifications.mark_all_read(actor=cast.kam) == 2
    assert unread(cast.kam) == 0


# --- pages and API ---------------------------------------------------------------------------


@pytest.fixture
def one(cast):
    (n,) = notifications.notify(
        kind="customers.allocated_to_you",
        recipients=[cast.kam],
        params={"customer": "宁波港口", "actor": "周健", "reason": "调整", "old_owner": "孙丽"},
        url="/customers/",
        actor=cast.head,
    )
    return n


def test_the_bell_shows_the_unread_count_and_the_page_the_sentence(cast, client_for, one):
    client = client_for(cast.kam)
    home = client.get("/").content.decode()
    assert 'data-testid="bell-count">1<' in home
    page = client.get(reverse("org:notifications")).content.decode()
    assert "宁波港口" in page


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(cast, client_for, one):
    response = client_for(cast.kam).post(reverse("org:notification_open", args=[one.pk]))
    assert response.status_code == 302 and response["Location"] == "/customers/"
    one.refresh_from_db()
    assert one.read_at is not None and unread(cast.kam) == 0


def test_someone_elses_notification_is_a_404_and_stays_unread(cast, client_for, one):
    assert (
        client_for(cast.colleague).post(reverse("org:notification_open", args=[one.pk])).status_code
        == 404
    )
    api = client_for(cast.colleague).post(f"/api/notifications/{one.pk}/read")
    assert api.status_code == 404
    one.refresh_from_db()
    assert one.read_at is None


def test_the_api_lists_my_notifications_in_my_language(cast, client_for, one):
    cast.kam.language = "en"
    cast.kam.save()
    body = client_for(cast.kam).get("/api/notifications").json()
    assert body["count"] == 1 and body["unread"] == 1
    assert body["results"][0]["text"].startswith("周健 allocated 宁波港口 to you")
    assert client_for(cast.colleague).get("/api/notifications").json()["count"] == 0


def test_the_settings_page_saves_each_switch(cast, client_for):
    client = client_for(cast.kam)
    response = client.post(
        reverse("org:notification_settings"),
        {"customers.allocation.in_app": "on", "customers.registration.email": "on"},
    )
    assert response.status_code == 302
    saved = {r["group"]: (r["in_app"], r["email"]) for r in notifications.settings_for(cast.kam)}
    assert saved["customers.allocation"] == (True, False)
    assert saved["customers.registration"] == (False, True)


def test_the_api_changes_settings_and_refuses_an_unknown_group(cast, client_for):
    client = client_for(cast.kam)
    ok = client.put(
        "/api/notifications/settings",
        {"groups": [{"group": "customers.registration", "in_app": False, "email": False}]},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert {"group": "customers.registration", "in_app": False, "email": False}.items() <= next(
        r for r in ok.json() if r["group"] == "customers.registration"
    ).items()
    bad = client.put(
        "/api/notifications/settings",
        {"groups": [{"group": "nope", "in_app": True, "email": True}]},
        content_type="application/json",
    )
    assert bad.status_code == 422
