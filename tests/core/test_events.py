"""History events (``core.events``): stored language-neutral, rendered in the reader's language."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from keyaccount.core import events


@pytest.fixture(autouse=True)
def kinds():
    events.register("test_contract", _("Contract %(number)s signed"))
    events.register(
        "test_level", _("Risk assessed: %(level)s"), level=lambda v: {"high": "HIGH"}.get(v, v)
    )


def test_an_event_is_stored_without_any_language_and_rendered_in_the_readers():
    stored = events.event("test_contract", number="HR-2027-0318")
    assert stored.startswith(events.PREFIX) and "签订" not in stored and "signed" not in stored
    with translation.override("en"):
        assert events.render(stored) == "Contract HR-2027-0318 signed"
    with translation.override("zh-hans"):
        assert events.render(stored) == "合同 HR-2027-0318 已签订"


def test_a_code_parameter_is_named_by_its_label():
    with translation.override("en"):
        assert events.render(events.event("test_level", level="high")) == "Risk assessed: HIGH"


@pytest.mark.parametrize("typed", ["", "客户要求延期", "event: not json", 'event:{"x": 1}'])
def test_text_a_person_typed_is_shown_as_typed(typed):
    assert events.render(typed) == typed


def test_an_unknown_kind_shows_its_code_rather_than_failing():
    assert events.render('event:{"kind": "gone_kind"}') == "gone_kind"


def test_an_event_kind_must_be_registered_before_it_is_written():
    with pytest.raises(KeyError):
        events.event("never_registered")
