"""No lost updates (rule 4): save_versioned bumps the version or refuses a stale save."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from keyaccount.core.versioning import StaleEditError, last_change, save_versioned
from tests.toyapp.models import Deal


@pytest.fixture
def deal(cast):
    cast.colleague.display_name = "李雷"
    cast.colleague.save()
    return save_versioned(
        Deal(name="ERP upgrade", amount=Decimal("100.00"), owner=cast.kam),
        expected_version=1,
        actor=cast.kam,
    )


def test_a_new_record_starts_at_version_one(deal):
    deal.refresh_from_db()
    assert deal.version == 1
    assert deal.history.count() == 1


def test_save_with_the_current_version_bumps_it(cast, deal):
    deal.name = "ERP upgrade, phase 2"
    saved = save_versioned(deal, expected_version=1, actor=cast.kam)
    assert saved.version == 2
    deal.refresh_from_db()
    assert (deal.name, deal.version) == ("ERP upgrade, phase 2", 2)


def test_each_save_bumps_the_version_by_one(cast, deal):
    for expected in (1, 2, 3):
        save_versioned(deal, expected_version=expected, actor=cast.kam)
    deal.refresh_from_db()
    assert deal.version == 4


def test_save_records_the_actor_and_reason_in_history(cast, deal):
    deal.amount = Decimal("250.00")
    save_versioned(deal, expected_version=1, actor=cast.colleague, reason="price agreed")
    row = deal.history.order_by("-history_date").first()
    assert row.history_user == cast.colleague
    assert row.history_change_reason == "price agreed"
    assert row.amount == Decimal("250.00")


def test_stale_save_is_refused_naming_who_saved_last(cast, deal):
    mine = Deal.objects.get(pk=deal.pk)
    theirs = Deal.objects.get(pk=deal.pk)
    theirs.name = "their name"
    save_versioned(theirs, expected_version=1, actor=cast.colleague)

    mine.name = "my name"
    with translation.override("en"), pytest.raises(StaleEditError) as excinfo:
        save_versioned(mine, expected_version=1, actor=cast.kam)

    error = excinfo.value
    assert error.changed_by == "李雷"
    assert error.current_version == 2
    assert error.changed_at == deal.history.order_by("-history_date").first().history_date
    with translation.override("en"):
        message = str(error.message)
    assert message.startswith("李雷 changed this record at ")
    assert "Your changes were not saved" in message
    assert str(error) == message


def test_stale_save_writes_nothing(cast, deal):
    theirs = Deal.objects.get(pk=deal.pk)
    theirs.amount = Decimal("300.00")
    save_versioned(theirs, expected_version=1, actor=cast.colleague)
    history_rows = deal.history.count()

    deal.name = "lost update"
    deal.amount = Decimal("1.00")
    with pytest.raises(StaleEditError):
        save_versioned(deal, expected_version=1, actor=cast.kam)

    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.name, stored.amount, stored.version) == ("ERP upgrade", Decimal("300.00"), 2)
    assert deal.history.count() == history_rows


def test_a_version_from_the_future_is_refused_too(cast, deal):
    with pytest.raises(StaleEditError):
        save_versioned(deal, expected_version=5, actor=cast.kam)
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_invalid_record_is_refused_and_keeps_its_version(cast, deal):
    deal.name = ""
    with pytest.raises(ValidationError) as excinfo:
        save_versioned(deal, expected_version=1, actor=cast.kam)
    assert set(excinfo.value.message_dict) == {"name"}
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.name, stored.version) == ("ERP upgrade", 1)


def test_last_change_without_a_history_user_says_someone(cast, deal):
    deal.history.update(history_user=None)
    with translation.override("en"):
        who, when = last_change(deal)
    assert who == "someone"
    assert when == deal.history.order_by("-history_date").first().history_date


def test_a_refused_invalid_save_leaves_the_instance_ready_to_retry(cast, deal):
    deal.name = ""
    with pytest.raises(ValidationError):
        save_versioned(deal, expected_version=deal.version, actor=cast.kam)
    assert deal.version == 1
    deal.name = "ERP upgrade, corrected"
    save_versioned(deal, expected_version=deal.version, actor=cast.kam)
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.name, stored.version) == ("ERP upgrade, corrected", 2)
