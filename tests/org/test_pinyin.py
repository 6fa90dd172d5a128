"""People by pinyin (issue 8 §4): every list and select of people (owner filters, who a
customer or a deal may go to, the org tree, colleagues) sorts by the pinyin of the name
colleagues see; ``save`` keeps the keys (users are also edited in the back office), a bulk
write calls ``refresh_name_keys``, and a data migration fills them for old rows."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from keyaccount.core import pinyin
from keyaccount.core.typeahead import suggestions
from keyaccount.customers.forms import allocatable_users
from keyaccount.customers.permissions import capabilities_for
from keyaccount.customers.selectors import owners_for_filter
from keyaccount.org import selectors
from keyaccount.org.models import User
from keyaccount.pipeline.forms import reassign_candidates

from ..api_support import registered
from ..core.html_forms import form_data, submit

#: Code point order: 张 < 李 < 王 < 赵 < 阿; by pinyin: ā, lǐ, wáng, zhāng, zhào.
NAMES = {
    "kam": "张伟",
    "colleague": "李娜",
    "team_lead": "王芳",
    "consultant": "赵强",
    "account_manager": "阿依古丽",
}
EAST_BY_PINYIN = ["account_manager", "colleague", "team_lead", "kam", "consultant"]


@pytest.fixture
def named(cast):
    for role, name in NAMES.items():
        user = getattr(cast, role)
        user.display_name = name
        user.save()
    return cast


def keys_of(user: User) -> tuple[str, str, str]:
    user.refresh_from_db()
    return user.pinyin_sort, user.pinyin_full, user.pinyin


# --- the keys -------------------------------------------------------------------------------


def test_saving_a_user_keeps_the_keys_of_the_shown_name(db):
    user = User.objects.create(username="zhou.jian", display_name="周建")
    assert keys_of(user) == ("zhou1jian4", "zhoujian", "zj")
    user.display_name = "曾晓"
    user.save(update_fields=["display_name"])  # the keys are saved with the name they follow
    assert keys_of(user) == pinyin.keys("曾晓")
    user.display_name = ""
    user.save()
    assert keys_of(user) == pinyin.keys("zhou.jian")  # no display name: the username
    user.first_name, user.last_name = "Anna", "Li"
    user.save()
    assert keys_of(user) == pinyin.keys("Anna Li") == ("anna0li0", "annali", "annali")


def test_a_save_of_other_fields_writes_no_keys(db):
    user = User.objects.create(username="u1", display_name="周建")
    User.objects.filter(pk=user.pk).update(pinyin_sort="stale")
    user.save(update_fields=["last_login"])  # every sign-in
    assert keys_of(user)[0] == "stale"


def test_a_rename_in_the_back_office_moves_the_keys(cast, client_for):
    admin = client_for(cast.admin)
    url = f"/admin/org/user/{cast.kam.pk}/change/"
    data = form_data(admin, url, "user_form")
    data["display_name"] = ["钱塘"]
    assert submit(admin, url, data).status_code == 302
    assert keys_of(cast.kam) == ("qian2tang2", "qiantang", "qt")


def test_a_bulk_write_keeps_the_keys_through_refresh_name_keys(db):
    users = [User(username=f"b{i}", display_name=name) for i, name in enumerate(["周建", "安娜"])]
    for user in users:
        user.refresh_name_keys()
    User.objects.bulk_create(users)
    assert [u.display_name for u in User.objects.order_by("pinyin_sort", "id")] == ["安娜", "周建"]


# --- lists of people ------------------------------------------------------------------------


def test_the_org_tree_and_the_colleagues_are_listed_by_pinyin(named):
    east = selectors.org_unit_body(user=named.head, unit=named.east)["row"]  # opened
    assert [m.username for m in east.members] == EAST_BY_PINYIN
    kam_tree = selectors.org_tree(user=named.kam)["rows"]  # their own team is open
    assert [m.username for r in kam_tree if r.unit.pk == named.east.pk for m in r.members] == (
        EAST_BY_PINYIN
    )
    colleagues = selectors.home_summary(user=named.kam)["colleagues"]
    assert [u.username for u in colleagues] == [r for r in EAST_BY_PINYIN if r != "kam"]


def test_the_owner_filter_of_the_ka_list_is_by_pinyin(named):
    for role in ("kam", "colleague", "account_manager"):
        registered(getattr(named, role), named.assistant, f"{NAMES[role]}客户有限公司")
    expected = [named.account_manager, named.colleague, named.kam]  # ā, lǐ, zhāng
    assert list(owners_for_filter(user=named.head)) == expected
    offered = suggestions("customer-owners", named.head, "")
    assert offered is not None
    assert [o.label for o in offered.options] == ["阿依古丽", "李娜", "张伟"]


def test_who_a_customer_or_a_deal_may_go_to_is_by_unit_then_pinyin(named):
    caps = capabilities_for(named.head)
    sellers = [u for u in allocatable_users(caps) if u.unit_id == named.east.pk]
    assert [u.username for u in sellers] == ["account_manager", "colleague", "team_lead", "kam"]
    handover = [u for u in reassign_candidates(caps) if u.unit_id == named.east.pk]
    assert [u.username for u in handover] == ["account_manager", "colleague", "team_lead", "kam"]


# --- the data migration ---------------------------------------------------------------------


def test_the_migration_fills_the_keys_of_users_written_before(named):
    named.north_kam.display_name = ""
    named.north_kam.first_name, named.north_kam.last_name = "Wei", "Zhao"
    named.north_kam.save()
    User.objects.update(pinyin="", pinyin_full="", pinyin_sort="")
    migration = importlib.import_module("keyaccount.org.migrations.0006_fill_pinyin_keys")
    migration.forwards(django_apps, SimpleNamespace(connection=connection))
    for user in User.objects.all():
        assert keys_of(user) == pinyin.keys(str(user)), user.username
    assert keys_of(named.north_kam)[1] == "weizhao"
    east = selectors.org_unit_body(user=named.head, unit=named.east)["row"]
    assert [m.username for m in east.members] == EAST_BY_PINYIN
