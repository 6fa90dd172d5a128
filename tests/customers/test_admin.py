"""The scorecard back office: weights and thresholds are editable, breaking edits refused,
and every customer's suggestion follows at once."""

from decimal import Decimal

import pytest

from keyaccount.customers import services
from keyaccount.customers.models import Customer, GradingPolicy, ScoringFactor
from tests.core.html_forms import form_data, submit

from .test_services import code, registered


def save(client, url, capture, **changes):
    data = form_data(
        client, url, "gradingpolicy_form" if "gradingpolicy" in url else "scoringfactor_form"
    )
    data.update({k: [v] for k, v in changes.items()})
    with capture(execute=True):
        return submit(client, url, data)


@pytest.fixture
def scored(cast):
    customer = registered(cast, cast.kam, "华扬科技有限公司", credit_code=code(1))
    scores = {f.code: (4, "渠道稳定") for f in ScoringFactor.objects.filter(is_active=True)}
    scores["size"] = (0, "规模小")
    services.scores_save(actor=cast.kam, customer=customer, scores=scores)
    customer.refresh_from_db()
    return customer


def test_raising_threshold_a_recomputes_every_suggestion(
    cast, client_for, scored, django_capture_on_commit_callbacks
):
    assert (scored.score, scored.suggested_grade) == (Decimal("76.0"), "B")
    client = client_for(cast.admin)
    policy = GradingPolicy.objects.get()
    url = f"/admin/customers/gradingpolicy/{policy.pk}/change/"
    response = save(
        client,
        url,
        django_capture_on_commit_callbacks,
        threshold_a="90",
        threshold_b="75",
        threshold_c="50",
    )
    assert response.status_code == 302
    scored.refresh_from_db()
    assert (scored.score, scored.suggested_grade) == (Decimal("76.0"), "B")
    assert (
        save(
            client,
            url,
            django_capture_on_commit_callbacks,
            threshold_a="70",
            threshold_b="60",
            threshold_c="50",
        ).status_code
        == 302
    )
    scored.refresh_from_db()
    assert scored.suggested_grade == "A"


def test_thresholds_out_of_order_are_refused_and_nothing_changes(
    cast, client_for, scored, django_capture_on_commit_callbacks
):
    client = client_for(cast.admin)
    policy = GradingPolicy.objects.get()
    url = f"/admin/customers/gradingpolicy/{policy.pk}/change/"
    response = save(
        client,
        url,
        django_capture_on_commit_callbacks,
        threshold_a="50",
        threshold_b="65",
        threshold_c="45",
    )
    assert response.status_code == 200
    assert "100 ≥ A &gt; B &gt; C ≥ 0" in response.content.decode()
    policy.refresh_from_db()
    assert policy.threshold_a == Decimal("80.0")


def test_a_zero_weight_on_size_changes_the_score(
    cast, client_for, scored, django_capture_on_commit_callbacks
):
    client = client_for(cast.admin)
    size = ScoringFactor.objects.get(code="size")
    url = f"/admin/customers/scoringfactor/{size.pk}/change/"
    assert save(client, url, django_capture_on_commit_callbacks, weight="0").status_code == 302
    scored.refresh_from_db()
    assert scored.score == Decimal("80.0")
    assert Customer.objects.get(pk=scored.pk).suggested_grade == "A"


def test_factors_cannot_be_deleted(cast, client_for):
    size = ScoringFactor.objects.get(code="size")
    response = client_for(cast.admin).get(f"/admin/customers/scoringfactor/{size.pk}/delete/")
    assert response.status_code == 403
