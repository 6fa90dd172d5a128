"""Property-based fuzzing of the REST API with schemathesis, in process (WSGI, no server).

Every GET operation of the whole API is called as a signed-in key account manager (personal
token) with generated parameters, valid and invalid: no answer may be a server error, and every
answer must match what the OpenAPI schema documents for its status (JSON, right shape).
Hypothesis is derandomised and bounded (``MAX_EXAMPLES`` per operation) so the run is quick and
the same on every machine. A second test calls each GET operation once with the ids of real
records the KAM can see, so that full 200 answers are checked against the schema too.
"""

import inspect
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from keyaccount.contacts.services import contact_create
from keyaccount.customers import services
from keyaccount.customers.models import ScoringFactor
from keyaccount.org.models import Region
from keyaccount.org.services import api_token_create
from keyaccount.pipeline import services as pipeline_services
from keyaccount.process.models import ExitCriterion, Stage
from keyaccount.transfer import importing
from keyaccount.wsgi import application

from . import conftest as root
from .api_support import credit_code, registered
from .pipeline_support import low_risk_scores

MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    negative_data_rejection,
]


def build_world() -> SimpleNamespace:
    """The role cast, a KAM's token, and a customer of theirs with everything a GET route can
    show (scores, grade, evaluation, contacts with a reporting line, a pending request)."""
    cast = inspect.unwrap(root.cast)(None)  # the plain function behind the ``cast`` fixture
    customer = registered(
        cast.kam,
        cast.assistant,
        "江苏省电网运营有限公司",
        credit_code=credit_code(11),
        region=Region.objects.get(code="CN-JS"),
        revenue=Decimal("123456789.50"),
        employees=68000,
    )
    services.scores_save(
        actor=cast.kam,
        customer=customer,
        scores={f.code: (4, "依据") for f in ScoringFactor.objects.filter(is_active=True)},
    )
    services.grade_set(actor=cast.team_lead, customer=customer, grade="A", reason="战略客户")
    services.evaluation_create(
        actor=cast.kam,
        customer=customer,
        data={
            "relationship": 4,
            "needs_clarity": 4,
            "competitive_position": 3,
            "solution_fit": 5,
            "payment_ability": 4,
            "summary": "预算已批",
        },
    )
    boss = contact_create(actor=cast.kam, customer=customer, data={"name": "王总"})
    contact = contact_create(
        actor=cast.kam,
        customer=customer,
        data={"name": "李工", "mobile": "13812345678", "reports_to": boss},
    )
    registered(cast.kam, cast.assistant, "金陵商业银行股份有限公司", approve=False)
    deal = won_deal(cast, customer, contact)
    token = api_token_create(actor=cast.kam, name="fuzz").key
    upload = "客户名称,统一社会信用代码\n导入预览有限公司,\n坏行有限公司,bad\n".encode()
    plan = importing.preview(user=cast.kam, file_name="customers.csv", data=upload)
    batch = importing.save_batch(user=cast.kam, plan=plan)
    return SimpleNamespace(
        headers={"Authorization": f"Bearer {token}"},
        path_ids={
            "customer_id": customer.pk,
            "contact_id": contact.pk,
            "unit_id": cast.east.pk,
            "code": "development",
            "opportunity_id": deal.opp.pk,
            "competitor_id": deal.competitor.pk,
            "assessment_id": deal.assessment.pk,
            "element": "budget",
            "name": "customers",
            "batch_id": str(batch.pk),
            "person_id": cast.colleague.pk,
        },
        query={"customer": customer.pk},
    )


def won_deal(cast: Any, customer: Any, contact: Any) -> SimpleNamespace:
    """Two opportunities of the KAM on the customer: one open, one won (with a contract and
    milestones, a competitor, a buying role, a follow-up and a risk assessment), for the
    pipeline's routes; the won one reached negotiation by a sales director's overrides."""
    today = timezone.localdate()
    data = {"amount": Decimal("6800000.00"), "expected_signing": today + timedelta(days=90)}
    pipeline_services.opportunity_create(
        actor=cast.kam, customer=customer, data={"name": "营销系统二期", **data}
    )
    opp = pipeline_services.opportunity_create(
        actor=cast.kam, customer=customer, data={"name": "调度自动化系统升级", **data}
    )
    competitor = pipeline_services.competitor_register(actor=cast.kam, name="南瑞继保")
    pipeline_services.competitor_set(
        actor=cast.kam, opportunity=opp, competitor=competitor, strength="stronger"
    )
    pipeline_services.buying_role_set(
        actor=cast.kam,
        opportunity=opp,
        contact=contact,
        data={"role": "coach", "influence": "medium", "attitude": "supporter"},
    )
    pipeline_services.follow_up_add(
        actor=cast.kam, opportunity=opp, on=today - timedelta(days=30), progress="拜访信息中心"
    )
    assessment = pipeline_services.risk_assess(
        actor=cast.kam,
        opportunity=opp,
        assessed_on=today - timedelta(days=29),
        scores=low_risk_scores(),
    )
    negotiation = Stage.objects.get(code="negotiation")
    while opp.stage.order < negotiation.order:
        pipeline_services.opportunity_move(
            actor=cast.director, opportunity=opp, override=True, reason="演示"
        )
    for criterion in ExitCriterion.objects.filter(stage=negotiation, evidence=[]):
        pipeline_services.criterion_set(
            actor=cast.kam, opportunity=opp, criterion=criterion, checked=True, note="已完成"
        )
    pipeline_services.opportunity_win(
        actor=cast.kam,
        opportunity=opp,
        contract_number="HT-2026-0001",
        signed_amount=Decimal("6500000.00"),
        signed_on=today - timedelta(days=3),
        milestones=[
            pipeline_services.MilestoneInput(
                "预付款", today + timedelta(days=10), percentage=Decimal(30)
            ),
            pipeline_services.MilestoneInput(
                "验收款", today + timedelta(days=200), amount=Decimal("4550000")
            ),
        ],
    )
    return SimpleNamespace(opp=opp, competitor=competitor, assessment=assessment)


@pytest.fixture(scope="module")
def _shared_world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """Built once for the module inside a transaction rolled back at its end (as the access
    matrix shares its cast); every test still runs in its own savepoint (``db``)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # type: ignore[attr-defined]
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(_shared_world: SimpleNamespace, db) -> Iterator[SimpleNamespace]:
    """The shared world, with requests kept on the test's database connection.

    schemathesis calls Django's WSGI handler itself, which (unlike the test client) closes
    "old" connections at the start and end of every request: inside the test's transaction
    that would close PostgreSQL's connection. Detach that, as ``django.test.Client`` does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _shared_world
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


#: Loaded in process when the module is collected: the schema is public and needs no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.include(method="GET").parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_get_routes_never_fail_and_match_the_schema(case, world):
    case.call_and_validate(headers=world.headers, checks=CHECKS)


def test_get_routes_on_real_records_match_the_schema(world):
    """Each GET operation once on records the KAM can see: 200 and the documented shape."""
    called = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        names = [p.name for p in operation.path_parameters]
        case = operation.Case(
            path_parameters={n: world.path_ids[n] for n in names},
            query={p.name: world.query[p.name] for p in operation.query if p.name in world.query},
        )
        response = case.call_and_validate(
            headers=world.headers, checks=[not_a_server_error, response_schema_conformance]
        )
        assert response.status_code == 200, (operation.label, response.text[:300])
        called.append(operation.path)
    assert "/api/customers/{customer_id}/scorecard" in called
    assert "/api/contacts/{contact_id}" in called
    assert "/api/pipeline/opportunities/{opportunity_id}/contract" in called
    assert "/api/suggest/{name}" in called
    assert len(called) >= 15
