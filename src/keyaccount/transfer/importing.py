"""Import customers, contacts and evaluations from Excel (.xlsx) and CSV.

parse → validate every row with the rules the services apply → preview → commit.

The format is one workbook (the template, ``build_template``) with a sheet per kind of record:
customers (客户档案), contacts (联系人) and comprehensive evaluations (客户综合评估). A sheet is
recognised by its header row, not by its name, so any sheet may be left out or renamed; a CSV
file holds one of them. Headers are matched in either language.

Nothing here writes until ``commit``: ``preview`` reads the file, checks every cell and matches
every row against the database in a bounded number of queries (no per-row lookups), and returns
a ``Plan`` whose JSON form is kept in an ``ImportBatch`` (the rows, never the file). ``commit``
validates the rows again against the database as it is then and writes them through the
services (``registration_request``, ``customer_update``, ``grade_set``, ``contact_create``,
``contact_update``, ``evaluation_create``) in one transaction: all rows or none.

Matching (what makes a second import of the same file change nothing):

- customers by unified social credit code, then by normalised name (``rules.name_key``), among
  all live customers; a match the importer cannot see is an error naming its owner only (as the
  registration check does); a visible match is updated (blank cells never erase anything);
  an unmatched row becomes a registration request owned by the importer;
- contacts by customer, then name and mobile;
- evaluations by customer, date, scores and summary.
"""

import csv
import io
import logging
import math
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from keyaccount.contacts import services as contact_services
from keyaccount.contacts.models import Contact
from keyaccount.core.i18n import is_chinese
from keyaccount.core.parsing import ParseError, fold, parse_amount, parse_date, parse_int
from keyaccount.core.versioning import StaleEditError
from keyaccount.customers import permissions, rules, services
from keyaccount.customers.models import Customer, Evaluation, ImportBatch, RegistrationStatus
from keyaccount.customers.selectors import DuplicateView
from keyaccount.org.models import Industry, Region, User

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_COLUMNS = 100
BATCH_LIFETIME = timedelta(days=1)
PAYLOAD_VERSION = 1

ERROR, WARNING, INFO = "error", "warning", "info"
CREATE, UPDATE, UNCHANGED, FAILED = "create", "update", "unchanged", "error"

CUSTOMERS, CONTACTS, EVALUATIONS = "customers", "contacts", "evaluations"
KINDS = (CUSTOMERS, CONTACTS, EVALUATIONS)


class FileRefusedError(Exception):
    """The upload cannot be read at all (not a spreadsheet, too big …): nothing to preview."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Problem:
    level: str
    message: str
    row: int | None = None
    column: str = ""  # the column's header as the file has it

    def as_json(self) -> list[Any]:
        return [self.level, self.message, self.row, self.column]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> "Problem":
        return cls(data[0], data[1], data[2], data[3])


# --- the columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy translation: the header in the user's language
    type: str  # text, name, code, amount, int, region, industry, grade, url, email, mobile, …
    required: bool = False
    help: Any = ""
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    width: int = 16

    @property
    def header(self) -> str:
        return str(self.label)


def model_label(model: Any, name: str) -> Any:
    return capfirst(model._meta.get_field(name).verbose_name)


def _max(model: Any, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _text(model: Any, name: str, help_: Any = "", width: int = 24) -> Column:
    return Column(
        name, model_label(model, name), "text", help=help_, max_length=_max(model, name),
        width=width,
    )  # fmt: skip


_AMOUNT_HELP = gettext_lazy("Yuan. 1250000, 125万, 1.2亿 and full-width digits are understood.")

CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column(
        "name", gettext_lazy("Customer name"), "name", required=True,
        help=gettext_lazy("The registered company name. Matches an existing customer when "
                          "the credit code is blank."),
        aliases=("name", "名称", "客户全称", "公司名称", "company", "company name"),
        max_length=_max(Customer, "name"), width=32,
    ),
    Column("short_name", model_label(Customer, "short_name"), "text",
           max_length=_max(Customer, "short_name")),
    Column(
        "credit_code", model_label(Customer, "credit_code"), "code",
        help=gettext_lazy("18 characters, checked by its check character. Matches an existing "
                          "customer first."),
        aliases=("信用代码", "credit code", "uscc"), width=22,
    ),
    Column("region", model_label(Customer, "region"), "region",
           help=gettext_lazy("Choose from the list: code and name, e.g. “CN-JS 江苏”."), width=20),
    Column("industry", model_label(Customer, "industry"), "industry",
           help=gettext_lazy("Choose from the list: code and name, e.g. “banking 银行”."),
           width=20),
    _text(Customer, "address", width=30),
    Column("website", model_label(Customer, "website"), "url",
           max_length=_max(Customer, "website"), width=24),
    Column("revenue", model_label(Customer, "revenue"), "amount", help=_AMOUNT_HELP),
    Column("profit", model_label(Customer, "profit"), "amount",
           help=gettext_lazy("Yuan; may be negative.")),
    Column("budget", model_label(Customer, "budget"), "amount", help=_AMOUNT_HELP),
    Column("actual_spend", model_label(Customer, "actual_spend"), "amount", help=_AMOUNT_HELP),
    Column("employees", model_label(Customer, "employees"), "int"),
    Column("technical_staff", model_label(Customer, "technical_staff"), "int"),
    _text(Customer, "segment_trend"),
    _text(Customer, "sourcing_policy"),
    _text(Customer, "solution_importance"),
    _text(Customer, "supplier_attitude"),
    _text(Customer, "key_buying_factors"),
    _text(Customer, "key_decision_makers"),
    _text(Customer, "solution_familiarity"),
    _text(Customer, "demand_characteristics"),
    _text(Customer, "incumbent_suppliers"),
    _text(Customer, "notes"),
    Column("grade", model_label(Customer, "grade"), "grade",
           help=gettext_lazy("A, B, C or D. Set only by the team manager, department head or "
                             "sales director; leave blank otherwise."), width=10),
    Column("grade_reason", gettext_lazy("Grade reason"), "text",
           help=gettext_lazy("Needed when the grade differs from the scorecard's suggestion."),
           aliases=("定级原因", "定级理由", "等级理由"), width=24),
)  # fmt: skip

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column(
        "customer", gettext_lazy("Customer"), "customer", required=True,
        help=gettext_lazy("The customer's full name (or its credit code) as in the system or "
                          "on the customer sheet of this file."),
        aliases=("customer name", "客户名称", "客户全称", "公司名称"), width=32,
    ),
    Column("customer_code", gettext_lazy("Customer credit code"), "code",
           help=gettext_lazy("Optional: identifies the customer when its name is ambiguous."),
           aliases=("客户统一社会信用代码", "统一社会信用代码", "credit code",
                    "unified social credit code"), width=22),
    Column("name", gettext_lazy("Contact name"), "text", required=True,
           aliases=("联系人", "姓名", "name", "contact"), max_length=_max(Contact, "name")),
    _text(Contact, "title", width=18),
    _text(Contact, "department", width=18),
    Column("mobile", model_label(Contact, "mobile"), "mobile",
           help=gettext_lazy("Mainland mobile, 11 digits. Name and mobile identify the contact "
                             "within the customer."),
           aliases=("手机号", "手机号码", "mobile phone"), width=16),
    _text(Contact, "phone", width=16),
    Column("email", model_label(Contact, "email"), "email", aliases=("邮箱", "email"),
           max_length=_max(Contact, "email"), width=24),
    _text(Contact, "wechat", width=16),
    Column("reports_to", model_label(Contact, "reports_to"), "text",
           help=gettext_lazy("Name of another contact of the same customer (in the system or "
                             "in this file)."),
           aliases=("上级", "汇报对象"), max_length=_max(Contact, "name"), width=16),
    _text(Contact, "notes"),
)  # fmt: skip

_SCORE_HELP = gettext_lazy("1 (weak) to 5 (strong).")

EVALUATION_COLUMNS: tuple[Column, ...] = (
    Column("customer", gettext_lazy("Customer"), "customer", required=True,
           help=CONTACT_COLUMNS[0].help,
           aliases=("customer name", "客户名称", "客户全称", "公司名称"), width=32),
    CONTACT_COLUMNS[1],
    Column("evaluated_on", gettext_lazy("Evaluation date"), "date", required=True,
           help=gettext_lazy("2025-03-05, 2025/3/5, 2025年3月5日 or an Excel date; not in the "
                             "future."),
           aliases=("date", "日期", "评估时间"), width=14),
    *(
        Column(name, model_label(Evaluation, name), "score", required=True, help=_SCORE_HELP,
               width=12)
        for name in Evaluation.DIMENSIONS
    ),
    Column("summary", model_label(Evaluation, "summary"), "text", required=True,
           aliases=("评估总结",), width=40),
    _text(Evaluation, "next_steps", width=30),
)  # fmt: skip

COLUMNS: dict[str, tuple[Column, ...]] = {
    CUSTOMERS: CUSTOMER_COLUMNS,
    CONTACTS: CONTACT_COLUMNS,
    EVALUATIONS: EVALUATION_COLUMNS,
}

SHEET_TITLES = {
    CUSTOMERS: pgettext_lazy("import sheet", "Customers"),
    CONTACTS: pgettext_lazy("import sheet", "Contacts"),
    EVALUATIONS: pgettext_lazy("import sheet", "Evaluations"),
}

#: Columns that exports add and imports ignore quietly (so an export can be imported again).
EXPORT_ONLY: dict[str, tuple[Any, ...]] = {
    CUSTOMERS: (
        model_label(Customer, "owner"), gettext_lazy("Team"), model_label(Customer, "status"),
        model_label(Customer, "score"), model_label(Customer, "suggested_grade"),
        gettext_lazy("Updated"),
    ),
    CONTACTS: (model_label(Contact, "is_active"),),
    EVALUATIONS: (gettext_lazy("Total"), model_label(Evaluation, "evaluated_by")),
}  # fmt: skip

_BRACKETED_TAIL = re.compile(r"\([^()]*\)$")


def header_key(text: object) -> str:
    """How headers are compared: width, case, spaces, ``*`` and a bracketed tail ignored."""
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    value = re.sub(r"[\s*:：]+", "", value)
    value = _BRACKETED_TAIL.sub("", value)
    return value


def _both_languages(label: Any) -> set[str]:
    keys = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            keys.add(header_key(str(label)))
    return keys


def header_index(kind: str) -> dict[str, str]:
    """Normalised header → column key, for either language."""
    index: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for alias in (*column.aliases, column.key):
            index.setdefault(header_key(alias), column.key)
    for column in COLUMNS[kind]:  # the real labels win over aliases of other columns
        for key in _both_languages(column.label):
            index[key] = column.key
    return index


def export_only_headers(kind: str) -> set[str]:
    keys: set[str] = set()
    for label in EXPORT_ONLY[kind]:
        keys |= _both_languages(label)
    return keys


# --- reading the file -----------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    text: str


@dataclass(frozen=True)
class CellError:
    text: str


@dataclass
class Table:
    title: str  # the sheet's name ("" for CSV)
    rows: list[tuple[int, list[Any]]]  # (row number as Excel shows it, cell values)


@dataclass
class ReadResult:
    file_type: str  # "xlsx" or "csv"
    encoding: str  # of a CSV file
    tables: list[Table]


_MAGIC = (
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"Rar!", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf", gettext_lazy("a 7-Zip archive")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"MZ", gettext_lazy("a program")),
)


def _not_a_spreadsheet(what: Any) -> FileRefusedError:
    return FileRefusedError(
        _(
            "This file is %(what)s, not a spreadsheet. Upload the template as an Excel "
            "workbook (.xlsx) or as CSV."
        )
        % {"what": what}
    )


def read_upload(name: str, data: bytes) -> ReadResult:
    """The tables of an uploaded file, or ``FileRefusedError`` saying why it cannot be read."""
    if len(data) > MAX_BYTES:
        raise FileRefusedError(
            _("The file is %(size)s MB; the largest file that can be imported is %(max)s MB.")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "max": MAX_BYTES // 1024 // 1024}
        )
    if not data.strip():
        raise FileRefusedError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return ReadResult("xlsx", "", _read_xlsx(data))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefusedError(
            _(
                "This is an old-format Excel file (.xls) or a password-protected workbook. "
                "Open it in Excel or WPS, remove any password and save it as “Excel Workbook "
                "(.xlsx)” or “CSV UTF-8”."
            )
        )
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _not_a_spreadsheet(what)
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefusedError(
            _("The file is named .xlsx but is not an Excel workbook: it may be damaged.")
        )
    text, encoding = _decode(data)
    return ReadResult("csv", encoding, [_read_csv(text)])


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:8192]:
        raise _not_a_spreadsheet(_("a binary file"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030"), "GB18030 (GBK)"
        except UnicodeDecodeError:
            raise FileRefusedError(
                _(
                    "The file is neither UTF-8 nor GB18030/GBK text, so it is not a CSV "
                    "export. Save it from Excel or WPS as “CSV UTF-8”, or upload the .xlsx."
                )
            ) from None
    return text, "UTF-8 (BOM)" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"


def _read_csv(text: str) -> Table:
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "\t" in first and "," not in first:
        delimiter = "\t"
    elif first.count(";") > first.count(","):
        delimiter = ";"
    rows: list[tuple[int, list[Any]]] = []
    data_rows = 0
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            cells: list[Any] = [_csv_cell(v) for v in record[:MAX_COLUMNS]]
            if any(c is not None for c in cells):
                data_rows += 1
                _check_row_count(data_rows)
                rows.append((number, cells))
    except csv.Error as exc:
        raise FileRefusedError(
            _("The CSV file is malformed (%(reason)s); save it again from Excel or WPS.")
            % {"reason": exc}
        ) from exc
    return Table("", rows)


def _csv_cell(value: str) -> Any:
    text = value.strip()
    if not text:
        return None
    if text.startswith("=") and len(text) > 1:
        return Formula(text)
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]  # escaped by an export (``core.excel.csv_safe``): the text itself
    return text


def _check_row_count(data_rows: int) -> None:
    # One header row per table is allowed on top of MAX_ROWS data rows.
    if data_rows > MAX_ROWS + 3:
        raise FileRefusedError(
            _(
                "The file has more than %(max)s rows. Split it into files of at most "
                "%(max)s rows and import them one after the other."
            )
            % {"max": f"{MAX_ROWS:,}"}
        )


def _read_xlsx(data: bytes) -> list[Table]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefusedError(
            _("The file is not a readable Excel workbook (.xlsx): it may be damaged.")
        ) from exc
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise FileRefusedError(
            _(
                "This is a ZIP archive or another Office document, not an Excel workbook. "
                "Upload the template as .xlsx or CSV."
            )
        )
    unpacked = sum(e.file_size for e in entries)
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED:
        raise FileRefusedError(
            _(
                "The workbook unpacks to more than %(max)s MB, which no import of %(rows)s "
                "rows needs. Copy the rows into the template and upload that."
            )
            % {"max": MAX_UNPACKED // 1024 // 1024, "rows": f"{MAX_ROWS:,}"}
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # a hostile file must not become a 500, whatever openpyxl raises
        log.info("unreadable workbook: %r", exc)
        raise FileRefusedError(
            _("The workbook could not be read (it may be damaged). Open it and save it again.")
        ) from exc
    tables = []
    data_rows = 0
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            rows: list[tuple[int, list[Any]]] = []
            for number, row in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), 1):
                cells = [_xlsx_cell(c) for c in row]
                while cells and cells[-1] is None:
                    cells.pop()
                if cells:
                    data_rows += 1
                    _check_row_count(data_rows)
                    rows.append((number, cells))
            tables.append(Table(sheet.title, rows))
    except FileRefusedError:
        raise
    except Exception as exc:
        log.info("unreadable worksheet: %r", exc)
        raise FileRefusedError(
            _("The workbook could not be read (it may be damaged). Open it and save it again.")
        ) from exc
    finally:
        workbook.close()
    return tables


def _xlsx_cell(cell: Any) -> Any:
    value = cell.value
    if value is None:
        return None
    kind = getattr(cell, "data_type", None)
    if kind == "f" or (not isinstance(value, str | int | float | datetime | date | bool)):
        return Formula(str(getattr(value, "text", value)))
    if kind == "e":
        return CellError(str(value))
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- from cells to values -------------------------------------------------------------------


@dataclass
class References:
    """What cells may name: regions, industries (loaded once per import)."""

    regions: dict[int, Region]
    industries: dict[int, Industry]
    region_keys: dict[str, list[int]]
    industry_keys: dict[str, list[int]]

    @classmethod
    def load(cls) -> "References":
        regions = {r.pk: r for r in Region.objects.filter(is_active=True)}
        industries = {i.pk: i for i in Industry.objects.filter(is_active=True)}
        return cls(regions, industries, _keys(regions.values()), _keys(industries.values()))


_PLACE_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|省|市)$")


def _ref_key(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text)).lower()


def _keys(items: Iterable[Any]) -> dict[str, list[int]]:
    keys: dict[str, list[int]] = defaultdict(list)
    for item in items:
        for text in {item.code, item.name_zh, item.name_en, f"{item.code} {item.name_zh}",
                     f"{item.code} {item.name_en}"}:  # fmt: skip
            key = _ref_key(text)
            if item.pk not in keys[key]:
                keys[key].append(item.pk)
    return keys


def ref_label(item: Region | Industry | None) -> str:
    """How a region or industry is written in templates and exports: code and name."""
    if item is None:
        return ""
    return f"{item.code} {item.name_zh if is_chinese() else item.name_en}"


def _lookup(text: str, keys: dict[str, list[int]]) -> list[int]:
    key = _ref_key(text)
    found = keys.get(key)
    if not found and " " in key:
        found = keys.get(key.split(" ", 1)[0])  # "CN-JS 随便" → the code decides
    if not found:
        found = keys.get(_PLACE_SUFFIX.sub("", key))  # 江苏省 → 江苏
    return found or []


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_MONEY = Decimal("1e16")
_MAX_INT = 2_147_483_647


def parse_cell(column: Column, value: Any, refs: References) -> Any:
    """The value of one non-blank cell for ``column``, or ``ParseError`` with a message."""
    kind = column.type
    if kind == "amount":
        amount = parse_amount(value)
        if amount is not None and abs(amount) >= _MAX_MONEY:
            raise ParseError(_("%(value)s is too large for an amount.") % {"value": value})
        return amount
    if kind == "int":
        number = parse_int(value, minimum=0)
        if number is not None and number > _MAX_INT:
            raise ParseError(_("%(value)s is too large.") % {"value": value})
        return number
    if kind == "score":
        number = parse_int(value, minimum=1)
        if number is not None and number > rules.MAX_FACTOR_SCORE:
            raise ParseError(_("A score is a whole number from 1 to 5, not %(value)s.")
                             % {"value": value})  # fmt: skip
        return number
    if kind == "date":
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not 1 <= value < 2_958_466:
                raise ParseError(_("“%(value)s” is not a date.") % {"value": value})
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return parse_date(value)
    text = _as_text(value)
    if kind == "name":
        text = " ".join(text.split())
    if column.max_length and len(text) > column.max_length:
        raise ParseError(
            _("At most %(max)s characters (this has %(n)s).")
            % {"max": column.max_length, "n": len(text)}
        )
    if kind == "code":
        code = rules.normalize_credit_code(text)
        problem = rules.credit_code_problem(code)
        if problem:
            raise ParseError(problem)
        return code
    if kind == "region":
        return _pick(text, refs.region_keys, refs.regions, _("region"))
    if kind == "industry":
        return _pick(text, refs.industry_keys, refs.industries, _("industry"))
    if kind == "grade":
        grade = fold(text).upper().removesuffix("级").removesuffix("类").strip()
        if grade not in rules.Grade.values:
            raise ParseError(_("A grade is A, B, C or D, not “%(value)s”.") % {"value": text})
        return grade
    if kind == "mobile":
        problem = rules.mobile_problem(text)
        if problem:
            raise ParseError(problem)
        return rules.normalize_mobile(text)
    if kind == "email":
        text = fold(text)
        try:
            EmailValidator()(text)
        except ValidationError as exc:
            raise ParseError(_("“%(value)s” is not an e-mail address.") % {"value": text}) from exc
        return text
    if kind == "url":
        text = fold(text)
        if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
            text = "https://" + text
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError as exc:
            raise ParseError(_("“%(value)s” is not a web address.") % {"value": value}) from exc
        return text
    return text


def _pick(text: str, keys: dict[str, list[int]], items: dict[int, Any], what: str) -> int:
    found = _lookup(text, keys)
    if len(found) == 1:
        return found[0]
    if not found:
        raise ParseError(
            _("There is no %(what)s “%(value)s”: choose one from the list of the template.")
            % {"what": what, "value": text}
        )
    raise ParseError(
        _("“%(value)s” could be several entries (%(codes)s): write the code.")
        % {"value": text, "codes": ", ".join(sorted(items[i].code for i in found))}
    )


def encode_value(column: Column, value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def decode_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "amount":
        return Decimal(value)
    if column.type == "date":
        return date.fromisoformat(value)
    return value


# --- sheets and rows ------------------------------------------------------------------------


@dataclass
class Row:
    kind: str
    sheet: str
    number: int
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    action: str = ""
    target: int | None = None  # id of the matched record
    version: int | None = None  # its version when the preview was made
    label: str = ""  # what the row is about, for people
    changes: list[list[str]] = field(default_factory=list)  # [header, old, new]
    customer_ref: str = ""  # contacts and evaluations: "id:<customer>" or "row:<number>"
    parsed: int = 0  # how many of ``problems`` came from reading the cells
    boss: str = ""  # contacts, while planning: "c:<contact id>" or "r:<row number>"
    duplicates: list[rules.DuplicateMatch] = field(default_factory=list)  # new customers

    @property
    def has_error(self) -> bool:
        return any(p.level == ERROR for p in self.problems)

    def error(self, message: str, column: str = "") -> None:
        self.problems.append(Problem(ERROR, message, self.number, column))

    def warn(self, message: str, column: str = "") -> None:
        self.problems.append(Problem(WARNING, message, self.number, column))

    def as_json(self) -> dict[str, Any]:
        cols = {c.key: c for c in COLUMNS[self.kind]}
        return {
            "k": self.kind,
            "s": self.sheet,
            "n": self.number,
            "v": {k: encode_value(cols[k], v) for k, v in self.values.items()},
            "p": [p.as_json() for p in self.problems],
            "a": self.action,
            "t": self.target,
            "ver": self.version,
            "l": self.label,
            "c": self.changes,
            "pc": self.parsed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Row":
        cols = {c.key: c for c in COLUMNS[data["k"]]}
        return cls(
            kind=data["k"],
            sheet=data["s"],
            number=data["n"],
            values={k: decode_value(cols[k], v) for k, v in data["v"].items()},
            problems=[Problem.from_json(p) for p in data["p"]],
            action=data["a"],
            target=data["t"],
            version=data["ver"],
            label=data["l"],
            changes=data["c"],
            parsed=data["pc"],
        )


@dataclass
class Sheet:
    kind: str
    title: str
    headers: dict[str, str]  # column key → header as written in the file
    rows: list[Row]


@dataclass
class Plan:
    file_name: str
    file_type: str
    encoding: str
    problems: list[Problem]  # about the file or a whole sheet
    sheets: list[Sheet]

    @property
    def rows(self) -> Iterator[Row]:
        for sheet in self.sheets:
            yield from sheet.rows

    @property
    def has_errors(self) -> bool:
        return any(p.level == ERROR for p in self.problems) or any(
            r.action == FAILED for r in self.rows
        )

    @property
    def has_work(self) -> bool:
        return any(r.action in (CREATE, UPDATE) for r in self.rows)

    def counts(self) -> dict[str, int]:
        counted = Counter(r.action for r in self.rows)
        counted["warning"] = sum(
            1 for r in self.rows if any(p.level == WARNING for p in r.problems)
        )
        counted["rows"] = sum(len(s.rows) for s in self.sheets)
        return {
            k: counted.get(k, 0) for k in ("rows", CREATE, UPDATE, UNCHANGED, FAILED, "warning")
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "version": PAYLOAD_VERSION,
            "file_type": self.file_type,
            "encoding": self.encoding,
            "problems": [p.as_json() for p in self.problems],
            "sheets": [
                {
                    "kind": s.kind,
                    "title": s.title,
                    "headers": s.headers,
                    "rows": [r.as_json() for r in s.rows],
                }
                for s in self.sheets
            ],
        }

    @classmethod
    def from_json(cls, file_name: str, data: dict[str, Any]) -> "Plan":
        if data.get("version") != PAYLOAD_VERSION:
            raise ValueError("stale import batch")
        return cls(
            file_name=file_name,
            file_type=data["file_type"],
            encoding=data["encoding"],
            problems=[Problem.from_json(p) for p in data["problems"]],
            sheets=[
                Sheet(
                    kind=s["kind"],
                    title=s["title"],
                    headers=s["headers"],
                    rows=[Row.from_json(r) for r in s["rows"]],
                )
                for s in data["sheets"]
            ],
        )


def _example_names() -> set[str]:
    names = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(rules.name_key(str(EXAMPLE_CUSTOMER)))
    return names


EXAMPLE_CUSTOMER = gettext_lazy("(Example) East China Grid Operations Co., Ltd.")
NOTES_TITLE = gettext_lazy("Read me")


_SIGNATURES = {
    CONTACTS: {"customer", "name"},
    EVALUATIONS: {"customer", "evaluated_on"},
    CUSTOMERS: {"name"},
}


def detect_kind(header: Sequence[Any]) -> str | None:
    """Which kind of records a header row announces: the kind whose identifying columns are
    all there and that recognises most headers; failing that, the kind recognising most (its
    missing required columns are then reported); None if no header is known at all."""
    keys = [header_key(h) for h in header if isinstance(h, str)]
    scored = []
    for order, kind in enumerate((CONTACTS, EVALUATIONS, CUSTOMERS)):
        index = header_index(kind)
        found = {index[k] for k in keys if k in index}
        scored.append((_SIGNATURES[kind] <= found, len(found), -order, kind))
    complete, hits, _order, kind = max(scored)
    return kind if complete or hits else None


def parse_tables(read: ReadResult, refs: References) -> tuple[list[Sheet], list[Problem]]:
    """Headers recognised, every cell parsed; problems named by row and column header."""
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    examples = _example_names()
    skip_titles = _both_languages(NOTES_TITLE)
    if not any(table.rows for table in read.tables):
        return [], [Problem(ERROR, _("The file is empty."))]
    for table in read.tables:
        where = (_("sheet “%(sheet)s”") % {"sheet": table.title}) if table.title else _("file")
        if not table.rows:
            if read.file_type == "csv":
                problems.append(Problem(ERROR, _("The file has no rows.")))
            continue
        header_number, header = table.rows[0]
        if table.title and header_key(table.title) in skip_titles:
            continue
        kind = detect_kind(header)
        if kind is None:
            if table.title and read.file_type == "xlsx" and len(read.tables) > 1:
                problems.append(
                    Problem(
                        INFO,
                        _("The %(where)s was not read: its first row has none of the "
                          "template's column headers.") % {"where": where},
                    )
                )  # fmt: skip
            else:
                problems.append(
                    Problem(
                        ERROR,
                        _("The first row of the %(where)s must hold the column headers of the "
                          "template (e.g. “%(example)s”); none was found. Download the "
                          "template and copy your rows into it.")
                        % {"where": where, "example": CUSTOMER_COLUMNS[0].header},
                        header_number,
                    )
                )  # fmt: skip
            continue
        columns = {c.key: c for c in COLUMNS[kind]}
        index = header_index(kind)
        ignored = export_only_headers(kind)
        by_position: dict[int, str] = {}
        headers: dict[str, str] = {}
        quietly_ignored = []
        for position, raw in enumerate(header):
            if raw is None:
                if any(len(cells) > position and cells[position] is not None
                       for _n, cells in table.rows[1:]):  # fmt: skip
                    problems.append(
                        Problem(
                            WARNING,
                            _("Column %(letter)s of the %(where)s has no header: its values "
                              "were ignored.")
                            % {"letter": _column_letter(position), "where": where},
                            header_number,
                        )
                    )  # fmt: skip
                continue
            text = _as_text(raw) if not isinstance(raw, Formula | CellError) else raw.text
            text = re.sub(r"\s*\*+\s*$", "", text)
            key = index.get(header_key(text))
            if key is None:
                if header_key(text) in ignored:
                    quietly_ignored.append(text)
                    continue
                problems.append(
                    Problem(
                        WARNING,
                        _("Column “%(column)s” of the %(where)s is not a column of the template: "
                          "its values were ignored.") % {"column": text, "where": where},
                        header_number,
                        text,
                    )
                )  # fmt: skip
                continue
            if key in headers:
                problems.append(
                    Problem(
                        ERROR,
                        _("Columns “%(first)s” and “%(second)s” of the %(where)s are the same "
                          "column: keep one.")
                        % {"first": headers[key], "second": text, "where": where},
                        header_number,
                        text,
                    )
                )  # fmt: skip
                continue
            headers[key] = text
            by_position[position] = key
        if quietly_ignored:
            problems.append(
                Problem(
                    INFO,
                    _("Columns only found in exports were ignored: %(columns)s.")
                    % {"columns": "、".join(quietly_ignored)},
                )
            )
        missing = [c.header for c in COLUMNS[kind] if c.required and c.key not in headers]
        if missing:
            problems.append(
                Problem(
                    ERROR,
                    _("The %(where)s has no column %(columns)s, which is required.")
                    % {"where": where, "columns": "、".join(f"“{m}”" for m in missing)},
                    header_number,
                )
            )
            continue
        sheet = Sheet(kind, table.title, headers, [])
        for number, cells in table.rows[1:]:
            row = Row(kind, table.title, number, {})
            for position, key in by_position.items():
                raw = cells[position] if position < len(cells) else None
                if raw is None:
                    continue
                column = columns[key]
                header_text = headers[key]
                if isinstance(raw, Formula):
                    row.error(
                        _("formulas are not accepted, paste values (the cell holds %(formula)s).")
                        % {"formula": raw.text[:60]},
                        header_text,
                    )
                    continue
                if isinstance(raw, CellError):
                    row.error(_("the cell shows the error %(error)s.") % {"error": raw.text},
                              header_text)  # fmt: skip
                    continue
                try:
                    value = parse_cell(column, raw, refs)
                except ParseError as exc:
                    row.error(str(exc), header_text)
                    continue
                if value is not None and value != "":
                    row.values[key] = value
            row.parsed = len(row.problems)
            if not row.values and not row.problems:
                continue  # blank row (e.g. only spaces)
            if _is_example(kind, row, examples):
                problems.append(
                    Problem(
                        INFO,
                        _("Row %(row)s is the template's example and was skipped.")
                        % {"row": number},
                        number,
                    )
                )
                continue
            sheet.rows.append(row)
        if not sheet.rows:
            problems.append(
                Problem(
                    WARNING if len(read.tables) > 1 else ERROR,
                    _("The %(where)s has headers but no rows to import.") % {"where": where},
                )
            )
        sheets.append(sheet)
    if not sheets and not any(p.level == ERROR for p in problems):
        problems.append(
            Problem(ERROR, _("Nothing to import: no sheet has the template's column headers."))
        )
    return sheets, problems


def _is_example(kind: str, row: Row, examples: set[str]) -> bool:
    key = "name" if kind == CUSTOMERS else "customer"
    value = row.values.get(key)
    return isinstance(value, str) and rules.name_key(value) in examples


def _column_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


# --- likely duplicates, set-based -------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, int]]:
    seen: Counter[str] = Counter()
    out = []
    for ch in text:
        out.append((ch, seen[ch]))
        seen[ch] += 1
    return out


class DuplicateIndex:
    """``rules.find_duplicates`` for thousands of names at once.

    Exact matches come from dictionaries; similar names from a prefix filter on characters:
    two core names can only reach the similarity threshold (0.75, so at least 60 % of the
    longer name's characters in common) if the rarest ``n - ceil(0.6 n) + 1`` characters of
    each share one. The lists of names by character are kept per place (江苏…, 浙江…, none),
    since names of two different places are never duplicates; the candidates whose length or
    characters in common already rule them out are dropped; the few left are checked by
    ``rules.find_duplicates`` itself, so the answers are those of the registration page.
    """

    OVERLAP = 0.6

    def __init__(self, candidates: Iterable[rules.Candidate], *, order: Iterable[str] = ()):
        """``order``: more core names whose characters count for "rare" (names that will be
        ``add``-ed later); the order must not change once the index holds names."""
        self.by_id: dict[int, rules.Candidate] = {}
        self.tokens: dict[int, frozenset[tuple[str, int]]] = {}
        self.by_code: dict[str, list[int]] = defaultdict(list)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_core: dict[str, list[int]] = defaultdict(list)
        self.places: dict[int, str] = {}
        # (place, character) → ids, and character → ids of every place
        self.by_place: dict[tuple[str, tuple[str, int]], list[int]] = defaultdict(list)
        self.postings: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.freq: Counter[tuple[str, int]] = Counter()
        everyone = list(candidates)
        for c in everyone:
            self.freq.update(_tokens(c.core_key))
        for core in order:
            self.freq.update(_tokens(core))
        for c in everyone:
            self.add(c)

    def _prefix(self, core: str) -> list[tuple[str, int]]:
        tokens = _tokens(core)
        n = len(tokens)
        if not n:
            return []
        keep = n - math.ceil(self.OVERLAP * n) + 1
        return sorted(tokens, key=lambda t: (self.freq.get(t, 0), t))[:keep]

    def add(self, c: rules.Candidate) -> None:
        self.by_id[c.id] = c
        place = rules.place_of(c.name_key, c.core_key)
        self.places[c.id] = place
        self.tokens[c.id] = frozenset(_tokens(c.core_key))
        if c.credit_code:
            self.by_code[c.credit_code].append(c.id)
        if c.name_key:
            self.by_name[c.name_key].append(c.id)
        if c.core_key:
            self.by_core[c.core_key].append(c.id)
            for token in self._prefix(c.core_key):
                self.postings[token].append(c.id)
                self.by_place[(place, token)].append(c.id)

    def find(self, *, credit_code: str, name: str, limit: int = 10) -> list[rules.DuplicateMatch]:
        code = rules.normalize_credit_code(credit_code)
        nkey, ckey = rules.name_key(name), rules.core_key(name)
        ids: set[int] = set()
        if code:
            ids.update(self.by_code.get(code, ()))
        if nkey:
            ids.update(self.by_name.get(nkey, ()))
        if ckey:
            place = rules.place_of(nkey, ckey)
            similar: set[int] = set()
            for token in self._prefix(ckey):
                if place:  # rules.places_compatible: the same place, or none
                    similar.update(self.by_place.get((place, token), ()))
                    similar.update(self.by_place.get(("", token), ()))
                else:
                    similar.update(self.postings.get(token, ()))
            mine = frozenset(_tokens(ckey))
            size = len(ckey)
            threshold = rules.SIMILAR_THRESHOLD
            for i in similar - ids:
                other = self.by_id[i].core_key
                total = size + len(other)
                # Upper bounds of the similarity (length, then characters in common): below
                # the threshold neither the ratio nor the containment rule can reach it.
                if (
                    2 * min(size, len(other)) >= threshold * total
                    and 2 * len(mine & self.tokens[i]) >= threshold * total
                ):
                    ids.add(i)
            for i in self.by_core.get(ckey, ()):
                if rules.places_compatible(place, self.places[i]):
                    ids.add(i)
        candidates = [self.by_id[i] for i in sorted(ids)]
        return rules.find_duplicates(
            credit_code=code, name=name, candidates=candidates, limit=limit
        )


# --- matching against the database ----------------------------------------------------------


@dataclass
class Live:
    """One live (not rejected) customer, as far as matching needs it."""

    id: int
    name: str
    credit_code: str
    name_key: str
    core_key: str
    status: str
    owner_id: int
    owner_unit_id: int | None
    version: int
    visible: bool


@dataclass
class Context:
    """Everything the rows are checked against, loaded in a fixed number of queries."""

    user: User
    caps: permissions.Capabilities
    refs: References
    live: dict[int, Live]
    by_code: dict[str, int]
    by_name: dict[str, int]
    owners: dict[int, str]
    index: DuplicateIndex
    #: customers of the file: name key / credit code → the customer row
    file_customers: dict[str, Row] = field(default_factory=dict)

    @classmethod
    def load(cls, user: User, refs: References | None = None) -> "Context":
        caps = permissions.capabilities_for(user)
        visible = set(Customer.objects.visible_to(user).values_list("id", flat=True))
        live: dict[int, Live] = {}
        rows = (
            Customer.objects.exclude(status=RegistrationStatus.REJECTED)
            .values_list(
                "id",
                "name",
                "credit_code",
                "name_key",
                "core_key",
                "status",
                "owner_id",
                "owner__unit_id",
                "version",
            )
            .order_by("id")
            .iterator(chunk_size=5000)
        )
        for pk, name, code, nkey, ckey, status, owner, unit, version in rows:
            live[pk] = Live(pk, name, code, nkey, ckey, status, owner, unit, version, pk in visible)
        by_code = {c.credit_code: c.id for c in live.values() if c.credit_code}
        by_name = {c.name_key: c.id for c in live.values() if c.name_key}
        index = DuplicateIndex(
            rules.Candidate(id=c.id, credit_code=c.credit_code, name_key=c.name_key,
                            core_key=c.core_key)
            for c in live.values()
        )  # fmt: skip
        return cls(user, caps, refs or References.load(), live, by_code, by_name, {}, index)

    def owner_names(self, ids: Iterable[int]) -> None:
        wanted = set(ids) - set(self.owners)
        for u in User.objects.filter(pk__in=wanted):
            self.owners[u.pk] = str(u)

    def duplicate_view(self, match: rules.DuplicateMatch) -> DuplicateView:
        c = self.live[match.id]
        return DuplicateView(
            id=c.id,
            name=c.name,
            owner_name=self.owners.get(c.owner_id, ""),
            status=c.status,
            status_label=_status_label(c.status),
            reason=match.reason,
            reason_label=str(dict(rules.DuplicateReason.choices)[match.reason]),
            similarity=match.similarity,
        )


def _status_label(status: str) -> str:
    return str(dict(RegistrationStatus.choices).get(status, status))


def _chunks(ids: Sequence[int], size: int = 2000) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _display(column: Column, value: Any, refs: References) -> str:
    if value is None or value == "":
        return ""
    if column.type == "region":
        return ref_label(refs.regions.get(value))
    if column.type == "industry":
        return ref_label(refs.industries.get(value))
    if column.type == "amount":
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _same(column: Column, old: Any, new: Any) -> bool:
    if column.type == "amount":
        return old is not None and Decimal(old) == new
    if column.type in ("text", "name"):
        return (old or "").strip() == new
    return bool(old == new)


def _exact_duplicate_message(ctx: Context, c: Live) -> str:
    """What the registration check says of a company someone else has (its own words)."""
    view = ctx.duplicate_view(rules.DuplicateMatch(c.id, rules.DuplicateReason.SAME_NAME, 1.0))
    error = services._exact_duplicate_error(view)
    return " ".join(m for messages in error.message_dict.values() for m in messages)


_PROFILE_KEYS = tuple(c.key for c in CUSTOMER_COLUMNS if c.key in services.PROFILE_FIELDS)
_FK = {"region": "region_id", "industry": "industry_id"}


def plan_customers(ctx: Context, sheet: Sheet) -> None:
    columns = {c.key: c for c in CUSTOMER_COLUMNS}
    headers = sheet.headers
    # Who each row is, and which existing customer it matches.
    matches: dict[int, int] = {}
    seen_code: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    seen_target: dict[int, int] = {}
    for row in sheet.rows:
        name = row.values.get("name", "")
        code = row.values.get("credit_code", "")
        row.label = name or code
        if "name" not in row.values:
            if not row.has_error:
                row.error(_("The customer needs a name."), headers["name"])
            continue
        nkey = rules.name_key(name)
        if not nkey:
            row.error(
                _("“%(name)s” has nothing left once the legal form is removed.") % {"name": name},
                headers["name"],
            )
            continue
        first = seen_code.get(code) if code else None
        first = first or seen_name.get(nkey)
        if first is not None:
            row.error(
                _("Row %(row)s of this sheet is the same company: keep one of the two rows.")
                % {"row": first},
                headers["name"],
            )
            continue
        if code:
            seen_code[code] = row.number
        seen_name[nkey] = row.number
        by_code = ctx.by_code.get(code) if code else None
        by_name = ctx.by_name.get(nkey)
        if by_code is not None and by_name is not None and by_code != by_name:
            ctx.owner_names([ctx.live[by_code].owner_id, ctx.live[by_name].owner_id])
            row.error(
                _("The credit code belongs to “%(a)s” but the name is that of “%(b)s”: "
                  "correct one of them.")
                % {"a": ctx.live[by_code].name, "b": ctx.live[by_name].name},
                headers.get("credit_code", ""),
            )  # fmt: skip
            continue
        target = by_code if by_code is not None else by_name
        if target is None:
            continue
        c = ctx.live[target]
        if not c.visible:  # someone else's: say whose, change nothing
            ctx.owner_names([c.owner_id])
            row.error(_exact_duplicate_message(ctx, c), headers["name"])
            continue
        if code and c.credit_code and c.credit_code != code:
            row.error(
                _("“%(name)s” is registered with the credit code %(code)s: correct the code "
                  "in the file, or the customer's profile first.")
                % {"name": c.name, "code": c.credit_code},
                headers.get("credit_code", ""),
            )  # fmt: skip
            continue
        if target in seen_target:
            row.error(
                _("Row %(row)s of this sheet already updates this customer.")
                % {"row": seen_target[target]},
                headers["name"],
            )
            continue
        seen_target[target] = row.number
        matches[row.number] = target
    ctx.owner_names(ctx.live[t].owner_id for t in matches.values())
    # The matched customers' current values, in chunks.
    current: dict[int, Customer] = {}
    wanted = sorted({t for t in matches.values() if ctx.live[t].visible})
    for chunk in _chunks(wanted):
        for customer in Customer.objects.filter(pk__in=chunk):
            current[customer.pk] = customer
    can_register = permissions.can_request_registration(ctx.caps)
    creates: list[Row] = []
    for row in sheet.rows:
        if row.has_error:
            row.action = FAILED
            continue
        target = matches.get(row.number)
        if target is None:
            if not can_register:
                row.error(
                    _("No customer you can see matches this row, and only account managers "
                      "and key account managers register new customers."),
                    headers["name"],
                )  # fmt: skip
            else:
                row.action = CREATE
                creates.append(row)
                _check_new_grade(ctx, row, headers)
            if row.has_error:
                row.action = FAILED
            continue
        c = ctx.live[target]
        row.target = target
        customer = current[target]
        row.version = customer.version
        for key in _PROFILE_KEYS:
            if key not in row.values:
                continue
            old = getattr(customer, _FK.get(key, key))
            new = row.values[key]
            if not _same(columns[key], old, new):
                row.changes.append(
                    [headers[key], _display(columns[key], old, ctx.refs),
                     _display(columns[key], new, ctx.refs)]
                )  # fmt: skip
        _check_grade(ctx, row, headers, customer, c)
        if not row.changes:
            row.action = UNCHANGED if not row.has_error else FAILED
            continue
        if any(ch[0] != headers.get("grade") for ch in row.changes) and (
            not permissions.can_edit_profile(ctx.caps, c.owner_id, c.owner_unit_id)
        ):
            row.error(_("You may not edit this customer's profile."), headers["name"])
        if row.has_error:
            row.action = FAILED
        else:
            row.action = UPDATE
            if customer.status == RegistrationStatus.PENDING:
                row.warn(_("This customer's registration is still awaiting approval."))
    _warn_duplicates(ctx, creates, headers)
    for row in sheet.rows:
        if row.action == CREATE and not row.has_error:
            ctx.file_customers.setdefault(rules.name_key(row.values["name"]), row)
            if row.values.get("credit_code"):
                ctx.file_customers.setdefault(row.values["credit_code"], row)
        elif row.action == FAILED:
            key = rules.name_key(row.values.get("name", ""))
            if key:
                ctx.file_customers.setdefault(key, row)
            if row.values.get("credit_code"):
                ctx.file_customers.setdefault(row.values["credit_code"], row)


def _check_new_grade(ctx: Context, row: Row, headers: dict[str, str]) -> None:
    grade = row.values.get("grade")
    if grade and not permissions.can_grade(ctx.caps, ctx.user.unit_id):
        row.error(
            _("Grades are set by the team manager, department head or sales director: "
              "leave this cell blank."),
            headers["grade"],
        )  # fmt: skip


def _check_grade(
    ctx: Context, row: Row, headers: dict[str, str], customer: Customer, c: Live
) -> None:
    grade = row.values.get("grade")
    if not grade or grade == customer.grade:
        return
    row.changes.append([headers["grade"], customer.grade, grade])
    if not permissions.can_grade(ctx.caps, c.owner_unit_id):
        row.error(
            _("Grades are set by the team manager, department head or sales director: "
              "leave this cell blank."),
            headers["grade"],
        )  # fmt: skip
    elif rules.grade_needs_reason(
        new_grade=grade, suggested=customer.suggested_grade or None
    ) and not row.values.get("grade_reason"):
        row.error(
            _("The scorecard suggests %(suggested)s: say why the customer is graded "
              "%(grade)s (column “%(column)s”).")
            % {"suggested": customer.suggested_grade, "grade": grade,
               "column": CUSTOMER_COLUMNS[-1].header},
            headers["grade"],
        )  # fmt: skip


def _warn_duplicates(ctx: Context, creates: list[Row], headers: dict[str, str]) -> None:
    """Likely duplicates of the new customers: existing ones, and earlier rows of the file."""
    found: dict[int, list[rules.DuplicateMatch]] = {}
    file_index = DuplicateIndex((), order=(rules.core_key(r.values["name"]) for r in creates))
    row_of: dict[int, Row] = {}
    for row in creates:
        name, code = row.values["name"], row.values.get("credit_code", "")
        found[row.number] = ctx.index.find(credit_code=code, name=name, limit=5)
        earlier = file_index.find(credit_code=code, name=name, limit=3)
        for match in earlier:
            other = row_of[-match.id]
            row.warn(
                _("Likely the same company as row %(row)s (“%(name)s”, %(reason)s).")
                % {"row": other.number, "name": other.values["name"],
                   "reason": dict(rules.DuplicateReason.choices)[match.reason]},
                headers["name"],
            )  # fmt: skip
        file_index.add(
            rules.Candidate(
                id=-row.number, credit_code=code, name_key=rules.name_key(name),
                core_key=rules.core_key(name),
            )
        )  # fmt: skip
        row_of[row.number] = row
    ctx.owner_names(ctx.live[m.id].owner_id for ms in found.values() for m in ms)
    for row in creates:
        row.duplicates = found[row.number]
        for match in found[row.number]:
            view = ctx.duplicate_view(match)
            row.warn(
                _("Likely duplicate of “%(name)s” (%(reason)s; %(status)s, owned by %(owner)s): "
                  "the row is imported as a new customer only if you confirm it is different.")
                % {"name": view.name, "reason": view.reason_label, "status": view.status_label,
                   "owner": view.owner_name},
                headers["name"],
            )  # fmt: skip


@dataclass
class CustomerRef:
    """The customer a contact or evaluation row belongs to."""

    key: str  # "id:<pk>" or "row:<number>"
    customer_id: int | None
    row: Row | None


def _resolve_customer(ctx: Context, row: Row, headers: dict[str, str]) -> CustomerRef | None:
    code = row.values.get("customer_code", "")
    text = row.values.get("customer", "")
    if not code and text:
        candidate = rules.normalize_credit_code(text)
        if len(candidate) == 18 and not rules.credit_code_problem(candidate):
            code = candidate
    column = (
        headers.get("customer_code", "")
        if row.values.get("customer_code")
        else headers.get("customer", "")
    )
    target = ctx.by_code.get(code) if code else None
    if target is None and text:
        target = ctx.by_name.get(rules.name_key(text))
    if target is not None and ctx.live[target].visible:
        c = ctx.live[target]
        row.label = c.name
        return CustomerRef(f"id:{target}", target, None)
    file_row = (ctx.file_customers.get(code) if code else None) or (
        ctx.file_customers.get(rules.name_key(text)) if text else None
    )
    if file_row is not None:
        row.label = file_row.values.get("name", text)
        if file_row.action == FAILED:
            row.error(
                _("Its customer (row %(row)s of the sheet “%(sheet)s”) has errors: "
                  "fix that row first.")
                % {"row": file_row.number, "sheet": file_row.sheet or _("customers")},
                column,
            )  # fmt: skip
            return None
        return CustomerRef(f"row:{file_row.number}", None, file_row)
    row.label = text or code
    row.error(
        _("No customer you can see is called or has the code “%(value)s”. Write its full "
          "name as in the system (or its credit code), or add it to the customer sheet.")
        % {"value": text or code},
        column,
    )  # fmt: skip
    return None


def _may_edit(ctx: Context, ref: CustomerRef, check: Callable[..., bool]) -> bool:
    if ref.customer_id is None:
        return True  # a customer of this file: the importer will own it
    c = ctx.live[ref.customer_id]
    return check(ctx.caps, c.owner_id, c.owner_unit_id)


@dataclass
class _Person:
    """A contact as the org chart of one customer sees it: existing, or a new row."""

    key: str  # "c:<contact id>" or "r:<row number>"
    name: str
    boss: str | None  # key of the boss, if any


def plan_contacts(ctx: Context, sheet: Sheet) -> None:
    columns = {c.key: c for c in CONTACT_COLUMNS}
    headers = sheet.headers
    refs: dict[int, CustomerRef] = {}
    for row in sheet.rows:
        if "customer" not in row.values and "customer_code" not in row.values:
            if not row.has_error:
                row.error(_("Which customer? This cell is required."), headers["customer"])
            continue
        ref = _resolve_customer(ctx, row, headers)
        if ref is None:
            continue
        if not _may_edit(ctx, ref, permissions.can_edit_contacts):
            row.error(_("You may not change this customer's contacts."), headers["customer"])
            continue
        if "name" not in row.values:
            if not row.has_error:
                row.error(_("The contact needs a name."), headers["name"])
            continue
        row.label = f"{row.label} · {row.values['name']}"
        refs[row.number] = ref
    # Existing contacts of the customers concerned, in chunks.
    customer_ids = sorted({r.customer_id for r in refs.values() if r.customer_id is not None})
    existing: dict[int, list[Contact]] = defaultdict(list)
    for chunk in _chunks(customer_ids):
        for contact in Contact.objects.filter(customer_id__in=chunk).order_by("id"):
            existing[contact.customer_id].append(contact)
    contact_by_id = {c.pk: c for contacts in existing.values() for c in contacts}
    # The org chart of each customer: existing contacts and the new ones of this file.
    charts: dict[str, dict[str, _Person]] = defaultdict(dict)
    for cid in customer_ids:
        for contact in existing[cid]:
            upward = f"c:{contact.reports_to_id}" if contact.reports_to_id else None
            charts[f"id:{cid}"][f"c:{contact.pk}"] = _Person(
                f"c:{contact.pk}", contact.name, upward
            )
    # Match each row: same name and mobile; else the one namesake without a mobile.
    person_of_row: dict[int, str] = {}
    claimed: dict[str, int] = {}
    for row in sheet.rows:
        ref = refs.get(row.number)
        if ref is None or row.has_error:
            continue
        name = row.values["name"]
        mobile = row.values.get("mobile", "")
        match: Contact | None = None
        if ref.customer_id is not None:
            namesakes = [c for c in existing[ref.customer_id] if c.name.strip() == name]
            exact = [c for c in namesakes if rules.normalize_mobile(c.mobile) == mobile]
            blank = [c for c in namesakes if not c.mobile]
            if exact:
                match = exact[0]
            elif not mobile and len(namesakes) == 1:
                match = namesakes[0]
            elif len(blank) == 1:
                match = blank[0]
            elif namesakes:
                row.warn(
                    _("%(customer)s already has a contact named %(name)s with another "
                      "mobile: this row adds a second one.")
                    % {"customer": ctx.live[ref.customer_id].name, "name": name},
                    headers["name"],
                )  # fmt: skip
        key = f"c:{match.pk}" if match else f"n:{ref.key}:{name}:{mobile}"
        if key in claimed:
            row.error(
                _("Row %(row)s of this sheet is the same contact: keep one of the two rows.")
                % {"row": claimed[key]},
                headers["name"],
            )
            continue
        claimed[key] = row.number
        if match:
            row.target, row.version = match.pk, match.version
            person_of_row[row.number] = key
        else:
            person_of_row[row.number] = f"r:{row.number}"
            charts[ref.key][f"r:{row.number}"] = _Person(f"r:{row.number}", name, None)
    # Reporting lines: a name among the customer's contacts, in the system or in the file.
    for row in sheet.rows:
        person = person_of_row.get(row.number)
        boss_name = row.values.get("reports_to")
        if person is None or not boss_name:
            continue
        chart = charts[refs[row.number].key]
        customer_name = row.label.split(" · ")[0]
        found = [p for p in chart.values() if p.name.strip() == boss_name and p.key != person]
        if not found:
            row.error(
                _("%(customer)s has no contact named “%(name)s”, in the system or in this file.")
                % {"customer": customer_name, "name": boss_name},
                headers["reports_to"],
            )  # fmt: skip
        elif len(found) > 1:
            row.error(
                _("%(customer)s has %(n)s contacts named “%(name)s”: the reporting line is "
                  "ambiguous; set it on the contact's page instead.")
                % {"customer": customer_name, "n": len(found), "name": boss_name},
                headers["reports_to"],
            )  # fmt: skip
        else:
            chart[person].boss = found[0].key
            row.boss = found[0].key
    # No circles (A reports to B reports to A).
    for row in sheet.rows:
        person = person_of_row.get(row.number)
        if person is None or not row.boss:
            continue
        chart = charts[refs[row.number].key]
        seen = {person}
        boss: str | None = row.boss
        while boss is not None and boss in chart:
            if boss in seen:
                row.error(
                    _("This reporting line goes round in a circle: %(name)s would end up "
                      "reporting to themself.") % {"name": row.values["name"]},
                    headers["reports_to"],
                )  # fmt: skip
                break
            seen.add(boss)
            boss = chart[boss].boss
    # What each row changes.
    for row in sheet.rows:
        if row.has_error or row.number not in person_of_row:
            row.action = FAILED
            continue
        row.customer_ref = refs[row.number].key
        if row.target is None:
            row.action = CREATE
            continue
        contact = contact_by_id[row.target]
        for key in ("title", "department", "mobile", "phone", "email", "wechat", "notes"):
            column = columns[key]
            if key in row.values and not _same(column, getattr(contact, key), row.values[key]):
                row.changes.append(
                    [headers[key], _display(column, getattr(contact, key), ctx.refs),
                     _display(column, row.values[key], ctx.refs)]
                )  # fmt: skip
        old_boss = f"c:{contact.reports_to_id}" if contact.reports_to_id else ""
        if row.boss and row.boss != old_boss:
            old = contact_by_id.get(contact.reports_to_id or 0)
            row.changes.append(
                [headers["reports_to"], old.name if old else "", row.values["reports_to"]]
            )
        else:
            row.boss = ""  # unchanged: leave the reporting line alone
        row.action = UPDATE if row.changes else UNCHANGED


def plan_evaluations(ctx: Context, sheet: Sheet) -> None:
    headers = sheet.headers
    refs: dict[int, CustomerRef] = {}
    today = timezone.localdate()
    for row in sheet.rows:
        if "customer" not in row.values and "customer_code" not in row.values:
            if not row.has_error:
                row.error(_("Which customer? This cell is required."), headers["customer"])
            continue
        ref = _resolve_customer(ctx, row, headers)
        if ref is None:
            continue
        if not _may_edit(ctx, ref, permissions.can_evaluate):
            row.error(
                _("Only the owner and their managers evaluate this customer."),
                headers["customer"],
            )
            continue
        for column in EVALUATION_COLUMNS:
            if (
                column.required
                and column.key not in row.values
                and column.key != "customer"
                and not any(p.column == headers[column.key] for p in row.problems)
            ):
                row.error(_("This cell is required."), headers[column.key])
        when = row.values.get("evaluated_on")
        if when and when > today:
            row.error(_("An evaluation cannot be dated in the future."), headers["evaluated_on"])
        refs[row.number] = ref
        row.label = f"{row.label} · {when.isoformat() if when else ''}"
    customer_ids = sorted({r.customer_id for r in refs.values() if r.customer_id is not None})
    existing: dict[tuple[int, date], list[tuple[Any, ...]]] = defaultdict(list)
    fields_ = ("customer_id", "evaluated_on", *Evaluation.DIMENSIONS, "summary")
    for chunk in _chunks(customer_ids):
        for values in Evaluation.objects.filter(customer_id__in=chunk).values_list(*fields_):
            existing[(values[0], values[1])].append((*values[2:-1], values[-1].strip()))
    seen: dict[tuple[str, Any], int] = {}
    for row in sheet.rows:
        ref = refs.get(row.number)
        if ref is None or row.has_error:
            row.action = FAILED
            continue
        row.customer_ref = ref.key
        signature = (*(row.values[d] for d in Evaluation.DIMENSIONS), row.values["summary"].strip())
        dup_key = (ref.key, (row.values["evaluated_on"], signature))
        if dup_key in seen:
            row.error(
                _("Row %(row)s of this sheet is the same evaluation: keep one of the two rows.")
                % {"row": seen[dup_key]},
                headers["summary"],
            )
            row.action = FAILED
            continue
        seen[dup_key] = row.number
        same_day = existing.get((ref.customer_id or 0, row.values["evaluated_on"]), [])
        if signature in same_day:
            row.action = UNCHANGED
            continue
        if same_day:
            row.warn(
                _("The customer already has an evaluation of this date; this row adds another."),
                headers["evaluated_on"],
            )
        row.action = CREATE


# --- preview and commit ---------------------------------------------------------------------


_PLANNERS = {CUSTOMERS: plan_customers, CONTACTS: plan_contacts, EVALUATIONS: plan_evaluations}


def plan_sheets(ctx: Context, sheets: list[Sheet]) -> None:
    """Check every row against the database; customers first (contacts may name them)."""
    for row in (r for s in sheets for r in s.rows):
        del row.problems[row.parsed :]
        row.action, row.target, row.version, row.changes = "", None, None, []
        row.customer_ref, row.boss, row.label, row.duplicates = "", "", "", []
    for kind in KINDS:
        for sheet in sheets:
            if sheet.kind == kind:
                _PLANNERS[kind](ctx, sheet)
    for row in (r for s in sheets for r in s.rows):
        if row.has_error:
            row.action = FAILED


def preview(*, user: User, file_name: str, data: bytes) -> Plan:
    """Read, parse and check an upload; writes nothing. ``FileRefusedError`` if unreadable."""
    read = read_upload(file_name, data)
    refs = References.load()
    sheets, problems = parse_tables(read, refs)
    if read.file_type == "csv":
        problems.insert(
            0, Problem(INFO, _("Read as CSV text in %(encoding)s.") % {"encoding": read.encoding})
        )
    ctx = Context.load(user, refs)
    plan_sheets(ctx, sheets)
    return Plan(file_name, read.file_type, read.encoding, problems, sheets)


def save_batch(*, user: User, plan: Plan) -> ImportBatch:
    ImportBatch.objects.filter(created_at__lt=timezone.now() - BATCH_LIFETIME).delete()
    return ImportBatch.objects.create(
        user=user, file_name=plan.file_name[:200], payload=plan.as_json()
    )


def load_batch(*, user: User, batch_id: Any) -> tuple[ImportBatch, Plan] | None:
    """The user's own unexpired batch, or None (someone else's is the same as a missing one)."""
    batch = (
        ImportBatch.objects.filter(user=user, created_at__gte=timezone.now() - BATCH_LIFETIME)
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        return None
    try:
        return batch, Plan.from_json(batch.file_name, batch.payload)
    except (KeyError, TypeError, ValueError):
        batch.delete()
        return None


@dataclass
class Outcome:
    committed: bool
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""


class _Abort(Exception):
    pass


def commit(*, user: User, batch: ImportBatch, plan: Plan) -> Outcome:
    """Write every row through the services in one transaction, or nothing.

    The batch is locked (a second commit of the same preview finds it gone) and the rows are
    checked again against the database as it is now; if that finds an error, or a row would
    now do something else than the preview said, or a service refuses a row, nothing is
    written and the new preview is returned (and kept in the batch) with the reasons."""
    previewed = {(r.sheet, r.kind, r.number): (r.action, r.target, r.version) for r in plan.rows}
    counts: Counter[str] = Counter()
    failed = _("Nothing was imported: see the rows in error.")
    try:
        with transaction.atomic():
            if not ImportBatch.objects.select_for_update().filter(pk=batch.pk).exists():
                return Outcome(False, plan, message=_("This preview was already imported."))
            ctx = Context.load(user)
            plan_sheets(ctx, plan.sheets)
            for row in plan.rows:
                before = previewed[(row.sheet, row.kind, row.number)]
                if row.action != FAILED and (row.action, row.target) != before[:2]:
                    row.error(
                        _("The data changed since the preview: this row would now be "
                          "“%(now)s” instead of “%(then)s”. Check the new preview.")
                        % {"now": action_label(row.action), "then": action_label(before[0])}
                    )  # fmt: skip
                    row.action = FAILED
                elif before[2] is not None and row.target == before[1]:
                    row.version = before[2]  # save against the version the importer saw
            if plan.has_errors:
                raise _Abort
            created = _commit_customers(ctx, plan, counts)
            for sheet in (s for s in plan.sheets if s.kind == CONTACTS):
                _commit_contacts(ctx, sheet, created, counts)
            for sheet in (s for s in plan.sheets if s.kind == EVALUATIONS):
                _commit_evaluations(ctx, sheet, created, counts)
            if plan.has_errors:
                raise _Abort
            ImportBatch.objects.filter(pk=batch.pk).delete()
    except _Abort:
        ImportBatch.objects.filter(pk=batch.pk).update(payload=plan.as_json())
        return Outcome(False, plan, message=failed)
    return Outcome(True, plan, counts=dict(counts))


def _fail(row: Row, exc: Exception, headers: dict[str, str]) -> None:
    """A service refused the row: its message(s), on the column they are about."""
    row.action = FAILED
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                for message in errors:
                    row.error(message, headers.get(name, ""))
        else:
            for message in exc.messages:
                row.error(message)
    elif isinstance(exc, StaleEditError):
        row.error(exc.message)
    elif isinstance(exc, PermissionDenied):
        row.error(str(exc) or _("You may not do this."))
    else:
        row.error(_("This row could not be saved (%(reason)s).") % {"reason": exc})


def _commit_customers(ctx: Context, plan: Plan, counts: Counter[str]) -> dict[int, Customer]:
    created: dict[int, Customer] = {}
    for sheet in (s for s in plan.sheets if s.kind == CUSTOMERS):
        wanted = sorted(r.target for r in sheet.rows if r.action == UPDATE and r.target)
        current: dict[int, Customer] = {}
        for chunk in _chunks(wanted):
            for customer in Customer.objects.select_related("owner").filter(pk__in=chunk):
                current[customer.pk] = customer
        for row in sheet.rows:
            if row.action not in (CREATE, UPDATE):
                continue
            data = {k: _model_value(ctx, k, v) for k, v in row.values.items() if k in _PROFILE_KEYS}
            try:
                if row.action == CREATE:
                    result = services.registration_request(
                        actor=ctx.user,
                        data=data,
                        confirm_not_duplicate=True,
                        duplicates=[ctx.duplicate_view(m) for m in row.duplicates],
                    )
                    assert result.request is not None
                    customer = result.request.customer
                    created[row.number] = customer
                    counts["customers_created"] += 1
                else:
                    customer = current[row.target or 0]
                    profile_changed = any(ch[0] != sheet.headers.get("grade") for ch in row.changes)
                    if profile_changed:
                        services.customer_update(
                            actor=ctx.user,
                            customer=customer,
                            data=data,
                            expected_version=row.version or 0,
                        )
                        counts["customers_updated"] += 1
                grade = row.values.get("grade")
                if grade and grade != customer.grade:
                    services.grade_set(
                        actor=ctx.user,
                        customer=customer,
                        grade=grade,
                        reason=row.values.get("grade_reason", ""),
                    )
                    counts["grades_set"] += 1
            except (ValidationError, PermissionDenied, StaleEditError) as exc:
                _fail(row, exc, {**_field_headers(sheet), **sheet.headers})
    return created


def _field_headers(sheet: Sheet) -> dict[str, str]:
    return {"reason": sheet.headers.get("grade_reason", sheet.headers.get("grade", ""))}


def _model_value(ctx: Context, key: str, value: Any) -> Any:
    if key == "region":
        return ctx.refs.regions[value]
    if key == "industry":
        return ctx.refs.industries[value]
    return value


def _customer_for(
    ref_key: str, created: dict[int, Customer], loaded: dict[int, Customer]
) -> Customer | None:
    kind, _sep, number = ref_key.partition(":")
    if kind == "row":
        return created.get(int(number))
    return loaded.get(int(number))


def _load_customers(rows: Iterable[Row]) -> dict[int, Customer]:
    ids = sorted({int(r.customer_ref[3:]) for r in rows if r.customer_ref.startswith("id:")})
    loaded: dict[int, Customer] = {}
    for chunk in _chunks(ids):
        for customer in Customer.objects.select_related("owner").filter(pk__in=chunk):
            loaded[customer.pk] = customer
    return loaded


def _commit_contacts(
    ctx: Context, sheet: Sheet, created: dict[int, Customer], counts: Counter[str]
) -> None:
    work = {r.number: r for r in sheet.rows if r.action in (CREATE, UPDATE)}
    customers = _load_customers(work.values())
    wanted = sorted(
        {r.target for r in work.values() if r.target}
        | {int(r.boss[2:]) for r in work.values() if r.boss.startswith("c:")}
    )
    contacts: dict[int, Contact] = {}
    for chunk in _chunks(wanted):
        for contact in Contact.objects.select_related("customer__owner").filter(pk__in=chunk):
            contacts[contact.pk] = contact

    def depth(row: Row) -> int:  # bosses made by this file first (circles were refused)
        steps, boss = 0, row.boss
        while boss.startswith("r:") and int(boss[2:]) in work and steps <= len(work):
            steps += 1
            boss = work[int(boss[2:])].boss
        return steps

    made: dict[int, Contact] = {}  # row number → the contact it made
    for row in sorted(work.values(), key=depth):
        customer = _customer_for(row.customer_ref, created, customers)
        if customer is None:
            row.action = FAILED
            row.error(_("Its customer could not be saved."), sheet.headers["customer"])
            continue
        data = {
            k: v for k, v in row.values.items()
            if k in contact_services.CONTACT_FIELDS and k != "reports_to"
        }  # fmt: skip
        if row.boss:
            kind, number = row.boss[:1], int(row.boss[2:])
            boss = made.get(number) if kind == "r" else contacts.get(number)
            if boss is None:
                row.action = FAILED
                row.error(_("Its boss could not be saved."), sheet.headers["reports_to"])
                continue
            data["reports_to"] = boss
        try:
            if row.action == CREATE:
                made[row.number] = contact_services.contact_create(
                    actor=ctx.user, customer=customer, data=data
                )
                counts["contacts_created"] += 1
            else:
                contact_services.contact_update(
                    actor=ctx.user,
                    contact=contacts[row.target or 0],
                    data=data,
                    expected_version=row.version or 0,
                )
                counts["contacts_updated"] += 1
        except (ValidationError, PermissionDenied, StaleEditError) as exc:
            _fail(row, exc, sheet.headers)


def _commit_evaluations(
    ctx: Context, sheet: Sheet, created: dict[int, Customer], counts: Counter[str]
) -> None:
    work = [r for r in sheet.rows if r.action == CREATE]
    customers = _load_customers(work)
    for row in work:
        customer = _customer_for(row.customer_ref, created, customers)
        if customer is None:
            row.action = FAILED
            row.error(_("Its customer could not be saved."), sheet.headers["customer"])
            continue
        data = {
            k: v for k, v in row.values.items()
            if k in ("evaluated_on", "summary", "next_steps", *Evaluation.DIMENSIONS)
        }  # fmt: skip
        try:
            services.evaluation_create(actor=ctx.user, customer=customer, data=data)
            counts["evaluations_created"] += 1
        except (ValidationError, PermissionDenied) as exc:
            _fail(row, exc, sheet.headers)


def action_label(action: str) -> str:
    return str(
        {
            CREATE: _("create"),
            UPDATE: _("update"),
            UNCHANGED: _("unchanged"),
            FAILED: _("error"),
        }.get(action, action)
    )


# --- the template ---------------------------------------------------------------------------


def build_template() -> bytes:
    """The import template in the user's language: a sheet per kind of record with dropdowns
    for region, industry and grade (from a hidden "lists" sheet), an example row each, and a
    notes sheet explaining every column."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from keyaccount.core.excel import add_sheet, new_workbook, workbook_bytes

    workbook = new_workbook()
    regions = list(Region.objects.filter(is_active=True).order_by("order", "code"))
    industries = list(Industry.objects.filter(is_active=True).order_by("order", "code"))
    example_name = str(EXAMPLE_CUSTOMER)
    example_code = "91320000MA1EXAMP0"
    example_code = example_code[:17] + rules.credit_code_check_char(example_code[:17])
    region = next((r for r in regions if r.code == "CN-JS"), regions[0] if regions else None)
    industry = next((i for i in industries if i.code == "power-grid"), None) or (
        industries[0] if industries else None
    )
    examples: dict[str, dict[str, Any]] = {
        CUSTOMERS: {
            "name": example_name, "short_name": _("East China Grid"),
            "credit_code": example_code, "region": ref_label(region),
            "industry": ref_label(industry), "address": _("88 Jiangdong Road, Nanjing"),
            "website": "https://www.example.cn", "revenue": "12.5亿", "profit": "8000万",
            "budget": "3000万", "employees": 12000, "technical_staff": 800,
            "key_buying_factors": _("Maturity of the solution, local service, price"),
            "incumbent_suppliers": _("Vendor X (dispatch system)"),
        },
        CONTACTS: {
            "customer": example_name, "name": _("Wang Jun"), "title": _("Head of IT"),
            "department": _("Information centre"), "mobile": "13912345678",
            "email": "wang.jun@example.cn", "reports_to": "",
        },
        EVALUATIONS: {
            "customer": example_name, "evaluated_on": "2025年3月5日", "relationship": 3,
            "needs_clarity": 4, "competitive_position": 3, "solution_fit": 4,
            "payment_ability": 5, "summary": _("Project initiation approved; budget confirmed."),
            "next_steps": _("Arrange the technical exchange"),
        },
    }  # fmt: skip
    sheets = {}
    for kind in KINDS:
        columns = COLUMNS[kind]
        sheet = add_sheet(
            workbook,
            str(SHEET_TITLES[kind]),
            [c.header + (" *" if c.required else "") for c in columns],
            [[examples[kind].get(c.key) for c in columns]],
            widths=[c.width for c in columns],
        )
        for cell in sheet[2]:
            cell.font = Font(italic=True, color="808080")
        for cell, column in zip(sheet[1], columns, strict=True):
            if column.help:
                cell.comment = Comment(str(column.help), "keyaccount", width=260, height=110)
        sheets[kind] = sheet
    notes = add_sheet(
        workbook,
        str(NOTES_TITLE),
        [_("Sheet"), _("Column"), _("Required"), _("What to write")],
        _notes_rows(),
        widths=[16, 30, 10, 90],
    )
    notes.sheet_properties.tabColor = "E8EEF7"
    lists = add_sheet(
        workbook,
        "lists",
        [_("Region"), _("Industry"), _("Grade")],
        _list_rows(regions, industries),
        widths=[28, 28, 8],
    )
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    last = {"A": len(regions) + 1, "B": len(industries) + 1, "C": 5}
    for kind, sheet in sheets.items():
        letters = {c.key: _column_letter(i) for i, c in enumerate(COLUMNS[kind])}
        for key, source in (("region", "A"), ("industry", "B"), ("grade", "C")):
            if key not in letters:
                continue
            validation = DataValidation(
                type="list",
                formula1=f"=lists!${source}$2:${source}${last[source]}",
                allow_blank=True,
                showErrorMessage=False,  # typing "江苏" instead of "CN-JS 江苏" is fine too
            )
            validation.add(f"{letters[key]}2:{letters[key]}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    return workbook_bytes(workbook)


def _notes_rows() -> list[list[str]]:
    rows: list[list[str]] = [
        ["", "", "",
         _("Fill in the sheets you need and delete the grey example rows (they are skipped "
           "anyway). Headers may be in English or Chinese. Blank cells never erase anything. "
           "Formulas are refused: paste values. At most %(rows)s rows and %(mb)s MB per file.")
         % {"rows": f"{MAX_ROWS:,}", "mb": MAX_BYTES // 1024 // 1024}],
    ]  # fmt: skip
    for kind in KINDS:
        for column in COLUMNS[kind]:
            rows.append(
                [
                    str(SHEET_TITLES[kind]),
                    column.header,
                    _("yes") if column.required else "",
                    str(column.help),
                ]
            )
    return rows


def _list_rows(regions: list[Region], industries: list[Industry]) -> list[list[str]]:
    grades = list(rules.Grade.values)
    length = max(len(regions), len(industries), len(grades))
    return [
        [
            ref_label(regions[i]) if i < len(regions) else "",
            ref_label(industries[i]) if i < len(industries) else "",
            grades[i] if i < len(grades) else "",
        ]
        for i in range(length)
    ]
