import pytest
from keyaccount.process.models import Stage
from keyaccount.org.models import Role

@pytest.mark.parametrize("n", [1, 2, 3])
def test_probe(live_server, n):
    print(n, Stage.objects.count(), Role.objects.count())

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("n", [1, 2])
def test_probe_ser(live_server, n):
    print("ser", n, Stage.objects.count(), Role.objects.count())
