"""Gate overrides reviewed by the department head, the pipeline's notifications (a high-risk
deal awaits a director; a director decided) and the pipeline's part of the home page's pending
work (issue 8)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from keyaccount.customers import services as customer_services
from keyaccount.org import notifications
from keyaccount.org.models import Notification
from keyaccount.pipeline import selectors, services
from keyaccount.pipeline.models import Opportunity
from tests.pipeline_support import high_risk_scores, make_opportunity, registered_customer


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def customer(cast):
    return registered_customer(owner=cast.kam, assistant=cast.assistant)


@pytest.fixture
def opp(cast, customer):
    return make_opportunity(owner=cast.kam, customer=customer)


def overridden(cast, opp):
    return services.opportunity_move(
        actor=cast.director, opportunity=opp, override=True, reason="客户高层已口头确认"
    ).transition


@pytest.mark.usefixtures("english")
def test_the_head_reviews_an_override_once_with_a_note(cast, opp):
    move = overridden(cast, opp)
    assert list(selectors.overrides(user=cast.head)) == [move]
    reviewed = services.override_review(actor=cast.head, transition=move, note="已与总监确认")
    assert (reviewed.reviewed_by, reviewed.review_note) == (cast.head, "已与总监确认")
    assert reviewed.reviewed_at is not None
    assert list(selectors.overrides(user=cast.head)) == []
    assert list(selectors.overrides(user=cast.head, status="reviewed")) == [move]
    with pytest.raises(ValidationError, match="reviewed already"):
        services.override_review(actor=cast.head, transition=move)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("role", ["kam", "team_lead", "director", "assistant"])
def test_only_the_department_head_reviews_and_a_refusal_changes_nothing(cast, opp, role):
    move = overridden(cast, opp)
    with pytest.raises(PermissionDenied, match="department head"):
        services.override_review(actor=getattr(cast, role), transition=move)
    move.refresh_from_db()
    assert move.reviewed_at is None


@pytest.mark.usefixtures("english")
def test_a_move_through_an_open_gate_is_no_override_to_review(cast, opp):
    first = opp.transitions.get()  # "created"
    with pytest.raises(ValidationError, match="no override"):
        services.override_review(actor=cast.head, transition=first)


def test_what_an_override_missed_reads_in_the_readers_language(cast, opp):
    with translation.override("zh-hans"):
        move = overridden(cast, opp)  # written by a Chinese-speaking director
    with translation.override("en"):
        (english,) = selectors.missing_in_my_language([move]).values()
    with translation.override("zh-hans"):
        (chinese,) = selectors.missing_in_my_language([move]).values()
    assert english == ["Customer's intent confirmed"]
    assert chinese == ["客户需求意向已初步确认"]


def test_a_high_risk_assessment_tells_the_directors_covering_the_owner(cast, opp):
    services.risk_assess(
        actor=cast.kam, opportunity=opp, assessed_on=timezone.localdate(), scores=high_risk_scores()
    )
    told = Notification.objects.filter(kind="pipeline.risk_decision_requested")
    assert [n.recipient for n in told] == [cast.director]
    with translation.override("en"):
        text = notifications.render(told.get())
    assert opp.name in text and "high risk" in text and "continue or abandon" in text


def test_the_director_s_decision_tells_the_owner_and_the_assessor(cast, opp):
    services.member_add(actor=cast.kam, opportunity=opp, user=cast.consultant, role="consultant")
    assessment = services.risk_assess(
        actor=cast.consultant,
        opportunity=opp,
        assessed_on=timezone.localdate(),
        scores=high_risk_scores(),
    )
    services.risk_decide(
        actor=cast.director, assessment=assessment, decision="continue", reason="客户资金已落实"
    )
    told = Notification.objects.filter(kind="pipeline.risk_continued")
    assert {n.recipient for n in told} == {cast.kam, cast.consultant}


# --- pending work on the home page ---------------------------------------------------------


def pending(user):
    from keyaccount.core.pending import pending_for

    return {i.key: i.count for i in pending_for(user)}


def test_a_director_is_shown_the_high_risk_deals_awaiting_a_decision(cast, opp):
    services.risk_assess(
        actor=cast.kam, opportunity=opp, assessed_on=timezone.localdate(), scores=high_risk_scores()
    )
    assert pending(cast.director)["pipeline.risk_decisions"] == 1
    assert "pipeline.risk_decisions" not in pending(cast.kam)


def test_the_head_is_shown_the_overrides_awaiting_review(cast, opp):
    assert "pipeline.overrides" not in pending(cast.head)  # nothing waiting: not shown
    overridden(cast, opp)
    assert pending(cast.head)["pipeline.overrides"] == 1
    assert "pipeline.overrides" not in pending(cast.director)


def test_an_owner_is_shown_deals_past_signing_and_over_their_stage_norm(cast, customer):
    late = make_opportunity(
        owner=cast.kam,
        customer=customer,
        name="已过签约期的项目",
        signing=timezone.localdate() - timedelta(days=3),
    )
    Opportunity.objects.filter(pk=late.pk).update(
        stage_entered_at=timezone.now() - timedelta(days=400)
    )
    counts = pending(cast.kam)
    assert counts["pipeline.past_signing"] == 1
    assert counts["pipeline.overdue_stage"] == 1
    assert "pipeline.past_signing" not in pending(cast.colleague)


def test_the_home_page_lists_the_pending_work_with_links(cast, client_for, opp):
    services.risk_assess(
        actor=cast.kam, opportunity=opp, assessed_on=timezone.localdate(), scores=high_risk_scores()
    )
    body = client_for(cast.director).get("/").content.decode()
    assert 'data-testid="pending-pipeline.risk_decisions"' in body
    assert "/pipeline/?health=risk_pending" in body
    customer_services.registration_request(
        actor=cast.kam, data={"name": "待备案的新客户有限公司"}, confirm_not_duplicate=True
    )
    assistant = client_for(cast.assistant).get("/").content.decode()
    assert 'data-testid="pending-customers.registrations"' in assistant
