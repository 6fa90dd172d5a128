"""Contacts by pinyin (issue 8 §4): a customer's contacts, the power map and the contacts export
list people by the pinyin of their names; the keys follow the name through the services, the
import and the data migration that fills them for old rows."""

import csv
import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from keyaccount.contacts.models import Contact
from keyaccount.contacts.selectors import contacts_for
from keyaccount.contacts.services import contact_create, contact_update
from keyaccount.core import pinyin
from keyaccount.customers.models import Customer

from ..api_support import Api, registered
from ..transfer.test_import import CONTACT_HEADER, commit, preview, xlsx

#: Code point order: 张 < 李 < 王 < 赵 < 阿; by pinyin: ā, lǐ, wáng, zhāng, zhào.
PEOPLE = ["张伟", "李娜", "王芳", "赵强", "阿依古丽"]
BY_PINYIN = ["阿依古丽", "李娜", "王芳", "张伟", "赵强"]


@pytest.fixture
def customer(cast) -> Customer:
    return registered(cast.kam, cast.assistant, "江苏省电网运营有限公司")


@pytest.fixture
def people(cast, customer) -> dict[str, Contact]:
    return {
        name: contact_create(actor=cast.kam, customer=customer, data={"name": name})
        for name in PEOPLE
    }


def keys_of(contact: Contact) -> tuple[str, str, str]:
    contact.refresh_from_db()
    return contact.pinyin_sort, contact.pinyin_full, contact.pinyin


def test_creating_and_renaming_a_contact_keeps_its_keys(cast, customer):
    contact = contact_create(actor=cast.kam, customer=customer, data={"name": " 重阳 "})
    assert keys_of(contact) == ("chong2yang2", "chongyang", "cy")
    contact_update(
        actor=cast.kam, contact=contact, data={"name": "曾小贤"}, expected_version=contact.version
    )
    assert keys_of(contact) == pinyin.keys("曾小贤")


def test_a_customers_contacts_are_listed_by_pinyin(cast, customer, people):
    assert sorted(PEOPLE) != BY_PINYIN
    assert [c.name for c in contacts_for(user=cast.kam, customer=customer)] == BY_PINYIN
    assert [c.name for c in Contact.objects.filter(customer=customer)] == BY_PINYIN  # default


def test_the_api_lists_contacts_by_pinyin(cast, customer, people):
    response = Api(cast.kam).get("/api/contacts/", {"customer": customer.pk})
    assert [c["name"] for c in response.json()] == BY_PINYIN


def test_the_contacts_export_lists_customers_then_contacts_by_pinyin(cast, client_for, people):
    other = registered(cast.kam, cast.assistant, "安徽能源集团有限公司")  # 安 before 江
    contact_create(actor=cast.kam, customer=other, data={"name": "周建"})
    url = reverse("customers_io:export_contacts") + "?format=csv"
    rows = list(csv.reader(io.StringIO(client_for(cast.kam).get(url).content.decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["周建", *BY_PINYIN]


def test_the_import_keeps_the_keys_of_the_contacts_it_creates(cast, customer):
    data = xlsx({"联系人": [CONTACT_HEADER, [customer.name, "钱塘", "科长", "13800000001"]]})
    assert commit(cast.kam, preview(cast.kam, data)).committed
    assert keys_of(Contact.objects.get(name="钱塘")) == ("qian2tang2", "qiantang", "qt")


# --- the data migration ---------------------------------------------------------------------


def test_the_migration_fills_the_keys_of_contacts_written_before(cast, customer, people):
    Contact.objects.update(pinyin="", pinyin_full="", pinyin_sort="")
    migration = importlib.import_module("keyaccount.contacts.migrations.0003_fill_pinyin_keys")
    migration.forwards(django_apps, SimpleNamespace(connection=connection))
    for contact in Contact.objects.all():
        assert keys_of(contact) == pinyin.keys(contact.name)
    assert [c.name for c in contacts_for(user=cast.kam, customer=customer)] == BY_PINYIN
