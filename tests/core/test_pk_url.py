"""``ka.pk_url``: the same address ``reverse`` gives, for any id and script prefix."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from keyaccount.core.templatetags.ka import pk_url


@pytest.mark.parametrize("name", ["pipeline:detail", "pipeline:move", "customers:detail"])
@pytest.mark.parametrize("pk", [1, 7, 918273645, 10**12])
def test_pk_url_is_reverse(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_pk_url_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        assert pk_url("pipeline:detail", 5) == reverse("pipeline:detail", args=[5])
        assert pk_url("pipeline:detail", 5).startswith("/crm/")
    finally:
        clear_script_prefix()
    assert pk_url("pipeline:detail", 5) == "/pipeline/5/"


def test_pk_url_takes_only_an_id():
    with pytest.raises(ValueError):
        pk_url("pipeline:detail", "5/../../admin")
