"""Bilingual database content: ``Localized`` reads the active language, else the other one."""

import pytest
from django.utils import translation

from keyaccount.core.i18n import Localized, is_chinese, localized
from keyaccount.org.models import Role


class Term:
    name = Localized()

    def __init__(self, name_zh: str, name_en: str) -> None:
        self.name_zh = name_zh
        self.name_en = name_en


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "大客户经理"), ("en", "Key account manager")]
)
def test_localized_reads_the_active_language(language, expected):
    with translation.override(language):
        assert Term("大客户经理", "Key account manager").name == expected


def test_localized_falls_back_to_chinese_when_english_is_empty():
    with translation.override("en"):
        assert Term("大客户经理", "").name == "大客户经理"


def test_localized_falls_back_to_english_when_chinese_is_empty():
    with translation.override("zh-hans"):
        assert Term("", "Key account manager").name == "Key account manager"


def test_localized_is_empty_when_both_languages_are():
    with translation.override("en"):
        assert Term("", "").name == ""


def test_localized_treats_none_as_empty():
    with translation.override("zh-hans"):
        assert Term(None, "Tender").name == "Tender"  # type: ignore[arg-type]


def test_localized_on_the_class_is_the_descriptor():
    assert isinstance(Term.name, Localized)
    assert Term.name.field == "name"


def test_localized_works_on_model_instances_without_a_database():
    role = Role(code="kam", name_zh="大客户经理", name_en="", description_zh="", description_en="x")
    with translation.override("en"):
        assert (role.name, role.description) == ("大客户经理", "x")
    with translation.override("zh-hans"):
        assert str(role) == "大客户经理"


def test_localized_function_takes_an_explicit_language():
    term = Term("招投标", "Tender")
    with translation.override("zh-hans"):
        assert localized(term, "name", "en") == "Tender"
    with translation.override("en"):
        assert localized(term, "name", "zh-hans") == "招投标"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", True), ("zh-Hans", True), ("zh", True), ("en", False), ("en-us", False)],
)
def test_is_chinese(language, expected):
    assert is_chinese(language) is expected


def test_is_chinese_follows_the_active_language():
    with translation.override("en"):
        assert is_chinese() is False
    with translation.override("zh-hans"):
        assert is_chinese() is True


def test_a_moment_in_a_message_names_its_time_zone():
    import datetime as dt

    from django.test import override_settings
    from django.utils import timezone, translation

    from keyaccount.core.i18n import moment
    from keyaccount.core.versioning import StaleEditError

    at = dt.datetime(2026, 12, 3, 3, 56, tzinfo=dt.UTC)
    with translation.override("en"):
        assert moment(at).endswith("11:56 (UTC+8)")
        with timezone.override("Asia/Kolkata"):
            assert moment(at).endswith("09:26 (UTC+5:30)")
        with override_settings(TIME_ZONE="UTC"), timezone.override("UTC"):
            assert moment(at).endswith("03:56 (UTC+0)")
        error = StaleEditError(changed_by="王芳", changed_at=at, current_version=3)
        assert "at 2026-12-03 11:56 (UTC+8) after you opened it" in error.message
