"""The zh-Hans catalog is complete, consistent with its sources, and compiled.

The ``.po`` file is parsed with a small stdlib reader (no polib); the compiled ``.mo`` is
loaded with :class:`gettext.GNUTranslations`. None of these tests needs the database.
"""

import ast
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

import keyaccount
from keyaccount.org.rules import RoleCode
from keyaccount.org.seed import ROLES
from keyaccount.process.models import FormCode

LC_MESSAGES = Path(keyaccount.__file__).resolve().parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)] or [""]

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")\s*$')


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file in order; the header (empty msgid) is the first one."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    seen_keyword = False

    def finish() -> None:
        nonlocal current, seen_keyword, target
        if current is not None and seen_keyword:
            entries.append(current)
        current, seen_keyword, target = None, False, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            if match[1] in {"msgctxt", "msgid"} and target is not None and target[0] == "msgstr":
                # A new entry without a blank line in between.
                finish()
                current = Entry(line=number)
            keyword, index, literal = match[1], match[2], ast.literal_eval(match[3])
            seen_keyword = True
            if keyword == "msgstr" and index is not None:
                current.msgstr_plural[int(index)] = literal
                target = ("msgstr", int(index))
            else:
                setattr(current, keyword, literal)
                target = (keyword, None)
            continue
        if line.startswith('"') and target is not None:
            literal = ast.literal_eval(line)
            keyword, index = target
            if index is not None:
                current.msgstr_plural[index] += literal
            else:
                setattr(current, keyword, getattr(current, keyword) + literal)
            continue
        raise ValueError(f"{PO_PATH.name}:{number}: cannot parse {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def header(po_entries: list[Entry]) -> dict[str, str]:
    first = po_entries[0]
    assert first.msgid == "", "the catalog must start with its header"
    assert "fuzzy" not in first.flags, "the header is still marked fuzzy"
    pairs = (line.partition(":") for line in first.msgstr.splitlines() if line.strip())
    return {key.strip(): value.strip() for key, _, value in pairs}


@pytest.fixture(scope="module")
def messages(po_entries: list[Entry]) -> list[Entry]:
    live = [e for e in po_entries[1:] if not e.obsolete]
    assert live, "the catalog has no messages: run `make messages`"
    return live


def test_header(header: dict[str, str]) -> None:
    assert header["Language"] == "zh_Hans"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert re.fullmatch(r"nplurals=1;\s*plural=0;?", header["Plural-Forms"])
    assert header["Project-Id-Version"].startswith("keyaccount")


def test_every_entry_is_translated(messages: list[Entry]) -> None:
    untranslated = [str(e) for e in messages if not all(t.strip() for t in e.translations)]
    assert not untranslated, "untranslated entries (run `make messages` and translate):\n" + (
        "\n".join(untranslated)
    )


def test_no_entry_is_fuzzy(messages: list[Entry]) -> None:
    fuzzy = [str(e) for e in messages if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (check the translation, then drop the flag):\n" + (
        "\n".join(fuzzy)
    )


def test_plural_entries_have_exactly_one_form(messages: list[Entry]) -> None:
    wrong = [str(e) for e in messages if e.msgid_plural is not None and set(e.msgstr_plural) != {0}]
    assert not wrong, "zh has one plural form: fill msgstr[0] only:\n" + "\n".join(wrong)


# %(name)s, %s, %d, %.2f … and the escaped percent sign %%.
_PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
# {{ name }} (template variables) and {name} / {0} (str.format).
_BRACE = re.compile(r"\{\{\s*[\w.|:\"' ]+?\s*\}\}|\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text: str, python_format: bool) -> Counter[str]:
    found: Counter[str] = Counter()
    if python_format or "%(" in text:
        found.update(_PERCENT.findall(text))
    found.update(re.sub(r"\s+", "", m) for m in _BRACE.findall(text))
    return found


def test_placeholders_survive_translation(messages: list[Entry]) -> None:
    problems = []
    for e in messages:
        python_format = "python-format" in e.flags
        expected = placeholders(e.msgid, python_format)
        if e.msgid_plural is not None:  # zh's single form stands for every count
            expected |= placeholders(e.msgid_plural, python_format)
        for translated in e.translations:
            got = placeholders(translated, python_format)
            if set(got) != set(expected):
                problems.append(f"{e}: {sorted(got)} instead of {sorted(expected)}")
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_python_format_translations_format(messages: list[Entry]) -> None:
    """Each python-format msgstr can be %-formatted with the msgid's arguments (a plural's
    arguments are those of both its forms: the code passes them whatever the count)."""
    problems = []
    for e in messages:
        if "python-format" not in e.flags:
            continue
        names = set(re.findall(r"%\(([^)]+)\)", e.msgid + (e.msgid_plural or "")))
        positional = [m for m in _PERCENT.findall(e.msgid) if m != "%%"]
        arguments = dict.fromkeys(names, 1) if names else tuple(1 for _ in positional)
        for translated in e.translations:
            try:
                translated % arguments
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(f"{e}: {exc!r}")
    assert not problems, "\n".join(problems)


def test_compiled_catalog_matches_po(messages: list[Entry]) -> None:
    """The committed .mo was compiled from the current .po (run compilemessages otherwise)."""
    assert MO_PATH.exists(), "django.mo is missing: run `make messages`"
    with MO_PATH.open("rb") as fp:
        mo = gettext.GNUTranslations(fp)
    stale = []
    for e in messages:
        for n, translated in enumerate(e.translations):
            if e.msgid_plural is not None:
                if e.msgctxt is not None:
                    got = mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n + 1)
                else:
                    got = mo.ngettext(e.msgid, e.msgid_plural, n + 1)
            elif e.msgctxt is not None:
                got = mo.pgettext(e.msgctxt, e.msgid)
            else:
                got = mo.gettext(e.msgid)
            if got != translated:
                stale.append(f"{e}: .mo has {got!r}")
    assert not stale, "django.mo is out of date: run compilemessages\n" + "\n".join(stale)
    # Nothing left in the .mo that the .po no longer has.
    keys = {
        (f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid) for e in messages
    } | {""}
    catalog_keys = {k[0] if isinstance(k, tuple) else k for k in mo._catalog}
    assert catalog_keys == keys, f"django.mo has extra messages: {sorted(catalog_keys - keys)}"


def test_django_uses_the_catalog() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Sales process") == "销售流程"
        assert translation.ngettext("Normally %(days)s day", "Normally %(days)s days", 3) % {
            "days": 3
        } == ("标准时长 3 天")
    with translation.override("en"):
        assert translation.gettext("Sales process") == "Sales process"


# SPEC §2 and §3: the same terms everywhere.
GLOSSARY = {
    "Key accounts": "大客户",
    "KA list": "大客户名单",
    "unified social credit code": "统一社会信用代码",
    "Key account manager": "大客户经理",
    "KA department head": "大客户部门主管",
    "Customer profile form": "客户档案表",
    "KA follow-up form": "大客户跟进表",
    "Daily customer contact log": "客户日常联络表",
    "Risk assessment form": "风险评估表",
    "Comprehensive customer evaluation form": "客户综合评估表",
    "Weekly report": "周报",
    "Sales process": "销售流程",
    "Exit criteria": "阶段退出标准",
    "Results": "工作结果",
}


def test_glossary_terms(messages: list[Entry]) -> None:
    by_msgid = {e.msgid: e.translations[0] for e in messages if e.msgctxt is None}
    wrong = {
        msgid: (by_msgid[msgid], term)
        for msgid, term in GLOSSARY.items()
        if msgid in by_msgid and by_msgid[msgid] != term
    }
    assert not wrong, f"glossary terms not used (got, want): {wrong}"


def test_role_and_form_labels_match_the_reference_data() -> None:
    """A role's gettext label and its name stored in the database read the same."""
    with translation.override("zh-hans"):
        for code, name_zh, _name_en, _desc_zh, _desc_en in ROLES:
            assert str(RoleCode(code).label) == name_zh
        assert str(FormCode.RISK_ASSESSMENT.label) == "风险评估表"
