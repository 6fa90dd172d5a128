"""Deciding many registration requests at once (the assistant after an import): the service,
the page and the API. All of them or none; each requester told once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from keyaccount.customers import notices, services
from keyaccount.customers.models import (
    Customer,
    OwnerChange,
    RegistrationRequest,
    RegistrationStatus,
)
from keyaccount.org.models import Notification

from ..api_support import Api
from .test_services import code, request

QUEUE = "/customers/registrations/"
DECIDE_MANY = "/customers/registrations/decide/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def pending(cast, n: int, actor=None, first: int = 0) -> list[RegistrationRequest]:
    actor = actor or cast.kam
    made = [
        request(actor, f"批量审批{i}号有限公司", credit_code=code(500 + i)).request
        for i in range(first, first + n)
    ]
    return [r for r in made if r is not None]


def test_the_assistant_approves_many_and_each_requester_is_told_once(cast):
    mine = pending(cast, 3)
    theirs = pending(cast, 1, cast.north_kam, first=10)
    decided = services.registrations_decide(
        actor=cast.assistant, requests=[*mine, *theirs], approve=True
    )
    assert len(decided) == 4
    assert set(
        Customer.objects.filter(name__startswith="批量审批").values_list("status", flat=True)
    ) == {RegistrationStatus.REGISTERED}
    assert OwnerChange.objects.filter(changed_by=cast.assistant).count() == 4
    kam_notes = Notification.objects.filter(recipient=cast.kam)
    assert list(kam_notes.values_list("kind", flat=True)) == [notices.REGISTRATIONS_APPROVED_MANY]
    assert kam_notes.get().params["count"] == 3
    north = Notification.objects.get(recipient=cast.north_kam)
    assert north.kind == notices.REGISTRATION_APPROVED  # one request: the usual notice


def test_a_rejection_batch_takes_one_reason(cast):
    requests = pending(cast, 2)
    with pytest.raises(ValidationError) as refused:
        services.registrations_decide(actor=cast.assistant, requests=requests, approve=False)
    assert "reason" in refused.value.message_dict
    services.registrations_decide(
        actor=cast.assistant, requests=requests, approve=False, reason="重复导入"
    )
    assert set(RegistrationRequest.objects.values_list("decision", "reason")) == {
        ("rejected", "重复导入")
    }


def test_one_decided_meanwhile_refuses_the_batch_naming_it(cast):
    requests = pending(cast, 3)
    services.registration_decide(actor=cast.assistant, request=requests[1], approve=True)
    with pytest.raises(ValidationError, match="批量审批1号有限公司"):
        services.registrations_decide(actor=cast.assistant, requests=requests, approve=True)
    assert RegistrationRequest.objects.filter(decision="pending").count() == 2  # none changed


def test_only_the_assistant_decides_a_batch(cast):
    requests = pending(cast, 2)
    for actor in (cast.kam, cast.head):
        with pytest.raises(PermissionDenied):
            services.registrations_decide(actor=actor, requests=requests, approve=True)
    assert RegistrationRequest.objects.filter(decision="pending").count() == 2


def test_the_page_decides_the_ticked_requests(cast, client_for):
    requests = pending(cast, 3)
    cast.assistant.language = "en"
    cast.assistant.save()
    client = client_for(cast.assistant)
    page = client.get(QUEUE).content.decode()
    assert page.count('data-testid="select-request"') == 3
    assert 'data-testid="bulk-decide"' in page
    ticked = [str(r.pk) for r in requests[:2]]
    refused = client.post(DECIDE_MANY, {"decision": "reject", "requests": ticked})
    assert refused.status_code == 400
    content = refused.content.decode()
    assert "Say why the registration is rejected." in content
    assert content.count("checked") >= 2  # the ticks are kept
    done = client.post(DECIDE_MANY, {"decision": "approve", "requests": ticked}, follow=True)
    assert "2 customers registered." in done.content.decode()
    assert RegistrationRequest.objects.filter(decision="pending").count() == 1
    none = client.post(DECIDE_MANY, {"decision": "approve"})
    assert none.status_code == 400 and "Tick the requests to decide." in none.content.decode()
    stale = client.post(DECIDE_MANY, {"decision": "approve", "requests": ticked})
    assert stale.status_code == 400 and "decided meanwhile" in stale.content.decode()


def test_the_page_hides_the_bulk_form_from_who_does_not_decide(cast, client_for):
    pending(cast, 1)
    page = client_for(cast.kam).get(QUEUE).content.decode()
    assert 'data-testid="bulk-decide"' not in page
    assert 'data-testid="select-request"' not in page


def test_an_invisible_or_unknown_request_is_a_404(cast, client_for):
    requests = pending(cast, 1)
    client = client_for(cast.assistant)
    for bad in ("987654321", "x", "-1"):
        response = client.post(
            DECIDE_MANY, {"decision": "approve", "requests": [str(requests[0].pk), bad]}
        )
        assert response.status_code == 404
    assert RegistrationRequest.objects.get().decision == "pending"


def test_the_api_decides_many(cast):
    requests = pending(cast, 3)
    api = Api(cast.assistant)
    body = {"request_ids": [r.pk for r in requests], "approve": False, "reason": ""}
    assert api.post("/api/customers/registrations/decisions", body).status_code == 422
    body["reason"] = "信息不全"
    answer = api.post("/api/customers/registrations/decisions", body)
    assert answer.status_code == 200
    assert answer.json()["decided"] == 3
    assert {r["decision"] for r in answer.json()["requests"]} == {"rejected"}
    again = api.post("/api/customers/registrations/decisions", body)
    assert again.status_code == 422  # already decided: nothing changed
    missing = {**body, "request_ids": [987654321]}
    assert api.post("/api/customers/registrations/decisions", missing).status_code == 404
