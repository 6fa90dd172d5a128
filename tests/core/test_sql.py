"""``core.sql.IdsIn`` selects what ``__in`` selects, on both databases, and lets nothing but
integers into the SQL."""

import pytest
from django.db.models import F, Q

from keyaccount.core.sql import IdsIn
from keyaccount.org.models import OrgUnit
from tests.factories import OrgUnitFactory


@pytest.fixture
def units(db):
    return [OrgUnitFactory(name=f"团队{i}") for i in range(6)]


def ids(qs):
    return sorted(qs.values_list("pk", flat=True))


def test_it_selects_what_in_selects(units):
    some = [units[0].pk, units[3].pk, units[5].pk, 10**9]
    want = ids(OrgUnit.objects.filter(pk__in=some))
    assert ids(OrgUnit.objects.filter(IdsIn("pk", some))) == want == sorted(some[:3])
    assert ids(OrgUnit.objects.filter(IdsIn(F("id") + 0, some))) == want
    assert ids(OrgUnit.objects.exclude(IdsIn("id", some))) == ids(
        OrgUnit.objects.exclude(pk__in=some)
    )
    either = Q(IdsIn("id", some[:1])) | Q(name=units[1].name)
    assert ids(OrgUnit.objects.filter(either)) == sorted([units[0].pk, units[1].pk])


def test_an_empty_list_matches_nothing(units):
    assert not OrgUnit.objects.filter(IdsIn("id", [])).exists()
    assert OrgUnit.objects.exclude(IdsIn("id", [])).count() == OrgUnit.objects.count()


def test_the_ids_are_literals_and_only_integers_get_in(units):
    qs = OrgUnit.objects.filter(IdsIn("id", [3, "2", 3, 1]))
    sql, params = qs.query.sql_with_params()
    assert "IN (1, 2, 3)" in sql and 3 not in params
    assert "= 1" not in sql.split("IN (1, 2, 3)")[1]  # the bare condition: an index answers it
    with pytest.raises(ValueError):
        IdsIn("id", ["1) OR (1 = 1"])
