"""The precision of likely-duplicate detection on real company names, English and Chinese.

Each pair is judged as a registration would: ``same`` (an exact duplicate: the same name once
legal form, width, case and punctuation are ignored), ``likely`` (shown as a likely duplicate
to confirm) or ``different`` (not shown). Legal forms (Corporation, Inc, Ltd, GmbH, Co. …) and
common words (Tech, Systems, Global …) are never evidence on their own."""

import pytest

from keyaccount.customers import rules

PAIRS = [
    # English: the same company written differently
    ("Acme Corporation", "ACME Corp.", "same"),
    ("Siemens AG", "Siemens", "same"),
    ("Robert Bosch GmbH", "Robert Bosch", "same"),
    ("Apple Inc.", "Apple, Inc", "same"),
    ("The Boeing Company", "Boeing Co.", "same"),
    ("Tata Consultancy Services Limited", "Tata Consultancy Services Ltd", "same"),
    ("Johnson Controls International plc", "Johnson Controls", "likely"),
    ("Schneider Electric Industries SAS", "Schneider Electric", "likely"),
    ("Honeywell International Inc.", "Honeywell Technologies", "likely"),
    ("Accenture LLP", "Accenture plc", "same"),
    ("Hewlett Packard Enterprise", "Hewlett-Packard", "likely"),
    ("Microsoft Corporation", "Microsft Corp", "likely"),  # a typo
    # English: different companies that share legal forms or common words
    ("Acme Corporation", "Zenith Corporation", "different"),
    ("Cheapnet Tech", "Zentech Ltd", "different"),
    ("Innotech Solutions", "Infotech Systems", "different"),
    ("Global Logistics Group", "Global Energy Group", "different"),
    ("Bluetech Inc", "Greentech Inc", "different"),
    ("General Electric Company", "General Motors Company", "different"),
    ("Oracle Corporation", "Orange S.A.", "different"),
    ("Kone Corporation", "Konica Minolta Inc", "different"),
    ("Dell Technologies", "Delta Air Lines", "different"),
    ("Sony Group Corporation", "Sanyo Electric Co., Ltd.", "different"),
    ("Fabrikam Tech", "Contoso Tech", "different"),
    ("Northwind Traders Ltd", "Southwind Traders Ltd", "different"),
    ("Initech LLC", "Intertech LLC", "different"),
    ("Cisco Systems, Inc.", "Sysco Corporation", "different"),
    # Chinese: the same company
    ("江苏华扬科技有限公司", "江苏华扬科技股份有限公司", "same"),
    ("华为技术有限公司", "华为技术", "same"),
    ("国网江苏省电力有限公司", "国网江苏省电力公司", "same"),
    ("江苏省华扬科技有限公司", "华扬科技有限公司", "likely"),
    ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统有限公司", "likely"),
    ("京畿电网运营有限公司", "京畿电网运营北京有限公司", "likely"),
    ("中国石油天然气股份有限公司", "中国石油天然气集团有限公司", "same"),
    # Chinese: different companies
    ("江苏华扬科技有限公司", "浙江华扬科技有限公司", "different"),
    ("北京电网运营有限公司", "上海电力设计院有限公司", "different"),
    ("南京钢铁股份有限公司", "马鞍山钢铁股份有限公司", "different"),
    ("中国移动通信集团有限公司", "中国联合网络通信集团有限公司", "different"),
    ("招商银行股份有限公司", "招商局集团有限公司", "different"),
    # mixed: a Chinese name with a Latin brand is compared as Chinese
    ("华为ICT服务有限公司", "华为ICT服务股份有限公司", "same"),
]


def verdict(a: str, b: str) -> str:
    candidate = rules.Candidate(
        id=1, credit_code="", name_key=rules.name_key(b), core_key=rules.core_key(b)
    )
    found = rules.find_duplicates(credit_code="", name=a, candidates=[candidate])
    if not found:
        return "different"
    return "same" if found[0].reason == rules.DuplicateReason.SAME_NAME else "likely"


@pytest.mark.parametrize(("a", "b", "expected"), PAIRS, ids=[f"{a}~{b}" for a, b, _e in PAIRS])
def test_pair(a: str, b: str, expected: str) -> None:
    assert verdict(a, b) == expected
    assert verdict(b, a) == expected  # symmetric


def test_precision_and_recall_of_the_whole_set() -> None:
    flagged = [(a, b) for a, b, e in PAIRS if verdict(a, b) != "different"]
    true = [(a, b) for a, b, e in PAIRS if e != "different"]
    assert set(flagged) == set(true)


def test_latin_legal_forms_are_dropped_only_at_the_end() -> None:
    assert rules.name_key("Co-operative Bank plc") == "cooperativebank"
    assert rules.name_key("Inc") == "inc"  # a name that is only a legal word keeps it
    assert rules.core_key("Global Tech Solutions") == "global tech solutions"  # all common


@pytest.mark.django_db
def test_the_migration_gives_latin_names_their_new_keys_without_a_clash(cast):
    import importlib

    from django.apps import apps

    from keyaccount.customers.models import Customer

    from .test_services import registered

    # as the rules of before left them: the legal form kept, so the two could both register
    acme = registered(cast, cast.kam, "Acme Corporation")
    Customer.objects.filter(pk=acme.pk).update(name_key="acmecorporation", core_key="x")
    acme_co = registered(cast, cast.kam, "ACME Co Limited")
    Customer.objects.filter(pk=acme_co.pk).update(name_key="acmecolimited", core_key="y")
    chinese = registered(cast, cast.kam, "华扬科技有限公司")
    migration = importlib.import_module("keyaccount.customers.migrations.0009_latin_name_keys")
    migration.forwards(apps, None)
    keys = dict(Customer.objects.values_list("pk", "name_key"))
    assert {keys[acme.pk], keys[acme_co.pk]} == {"acme", "acmecorporation"} or {
        keys[acme.pk],
        keys[acme_co.pk],
    } == {"acme", "acmecolimited"}
    assert Customer.objects.get(pk=acme.pk).core_key == "acme"
    assert keys[chinese.pk] == "华扬科技"
