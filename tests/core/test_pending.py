"""The pending-work registry (``core.pending``): providers per app, most urgent first."""

from types import SimpleNamespace

import pytest

from keyaccount.core import pending
from keyaccount.core.pending import PendingItem


@pytest.fixture
def providers(monkeypatch):
    monkeypatch.setattr(pending, "_PROVIDERS", {})
    return pending


def test_items_are_collected_from_every_provider_without_empty_ones(providers):
    providers.register("a", lambda user: [PendingItem("a.one", "One", 2, "/a/", order=20)])
    providers.register(
        "b",
        lambda user: [
            PendingItem("b.none", "None", 0, "/b/"),
            PendingItem("b.late", "Late", 1, "/b/late/", tone="danger", order=50),
        ],
    )
    user = SimpleNamespace(is_authenticated=True)
    assert [i.key for i in providers.pending_for(user)] == ["b.late", "a.one"]


def test_nobody_signed_in_has_no_pending_work(providers):
    providers.register("a", lambda user: [PendingItem("a.one", "One", 2, "/a/")])
    assert providers.pending_for(SimpleNamespace(is_authenticated=False)) == []
