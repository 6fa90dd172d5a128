"""How an import reads its file, over REST: every header with the column it is read as, the
values no column could read (with what they may be mapped to), the units of amount columns;
changing all of that (the file is read again), and the mappings saved by name.

The same mapping as the preview page's panel (``transfer.importing.mapping``), checked by the
same rules; a batch is its importer's own: anyone else gets 404."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import Field

from keyaccount.core.api_errors import ErrorOut, errors
from keyaccount.core.schemas import InSchema, OutSchema
from keyaccount.customers.models import ImportBatch, ImportMapping
from keyaccount.org.requests import AuthenticatedRequest

from . import importing
from .api import ImportOut, check_importer, import_out, load_import
from .importing.mapping import MAX_UNKNOWN

router = Router(tags=["imports"])

Kind = Literal["customers", "contacts", "evaluations", "opportunities", "people", "milestones"]
How = Literal["name", "alias", "mapped", "ignored", "unmatched", "export"]


class HeaderOut(OutSchema):
    position: int = Field(description="The column's place in the file, from 0.")
    header: str
    column: str = Field(description="The column it is read as; blank when left out.")
    how: How = Field(
        description="`name`: by the column's name; `alias`: by another name (check it); "
        "`mapped`: as mapped; `ignored`: left out as mapped; `unmatched`: no column has that "
        "name; `export`: a column only exports have."
    )


class ChoiceOut(OutSchema):
    value: str
    label: str


class UnknownOut(OutSchema):
    column: str
    values: dict[str, int] = Field(description="Each text no row could read, and in how many rows.")
    choices: list[ChoiceOut] = Field(description="What the texts may be mapped to.")


class SheetOut(OutSchema):
    title: str = Field(description="The sheet's name; blank for a CSV file.")
    kind: Kind
    headers: list[HeaderOut]
    missing: list[str] = Field(description="Required columns no header is read as.")
    unknown: list[UnknownOut]
    units: dict[str, str] = Field(description="Amount columns not in yuan: the multiplier.")
    rates: dict[str, str] = Field(
        description="Amount columns in another currency: the yuan one unit of it is worth."
    )


class UnreadOut(OutSchema):
    title: str
    headers: list[str]


class MappingOut(OutSchema):
    sheets: list[SheetOut]
    unread: list[UnreadOut] = Field(
        description="Sheets whose headers announce no kind of records: give them a `kind`."
    )


Unit = Literal["1", "10000", "1000000", "100000000"]
RATE_PATTERN = r"^[0-9]{1,5}([.][0-9]{1,6})?$"


class SheetMappingIn(InSchema):
    kind: Kind | None = Field(None, description="Blank: recognised from the headers.")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description='File header → the column it is read as (`""`: left out).',
        max_length=1000,
    )
    values: dict[str, Annotated[dict[str, str], Field(max_length=MAX_UNKNOWN)]] = Field(
        default_factory=dict,
        description="Column → {text in the file → one of its `choices`}.",
        max_length=100,
    )
    units: dict[str, Unit] = Field(
        default_factory=dict, description="Amount column → multiplier.", max_length=100
    )
    rates: dict[str, Annotated[str, Field(max_length=20, pattern=RATE_PATTERN)]] = Field(
        default_factory=dict,
        description="Amount column in another currency → the yuan one unit of it is worth "
        "(`7.1` for US dollars; up to 10000, six places). Applied after the unit.",
        max_length=100,
    )


class MappingIn(InSchema):
    sheets: dict[str, SheetMappingIn] = Field(
        description='By sheet title (`""` for a CSV file). Replaces the batch\'s mapping.',
        max_length=100,
    )
    save_as: str = Field(
        "", max_length=80, description="Also save the first sheet's mapping under this name."
    )


class SavedMappingOut(OutSchema):
    name: str
    kind: Kind
    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    units: dict[str, str]
    rates: dict[str, str]
    saved_by: str
    updated_at: datetime


def _mapping_out(plan: importing.Plan, user: Any) -> MappingOut:
    sheets = []
    for sheet in plan.sheets:
        columns = {c.key: c for c in importing.COLUMNS[sheet.kind]}
        texts = sheet.unknown_values()
        unknown = [
            UnknownOut(
                column=column.key,
                values=dict(texts[column.key].most_common()),
                choices=[ChoiceOut(value=v, label=label) for v, label in choices],
            )
            for column, choices in importing.mappable(sheet.kind, texts, user)
        ]
        sheets.append(
            SheetOut(
                title=sheet.title,
                kind=cast(Kind, sheet.kind),
                headers=[
                    HeaderOut(
                        position=m.position, header=m.header, column=m.key, how=cast(How, m.how)
                    )
                    for m in sheet.matches
                ],
                missing=[
                    c.key for c in columns.values() if c.required and c.key not in sheet.headers
                ],
                unknown=unknown,
                units={},
                rates={},
            )
        )
    return MappingOut(
        sheets=sheets,
        unread=[UnreadOut(title=str(t), headers=[str(h) for h in hs]) for t, hs in plan.unread],
    )


@router.get(
    "/imports/{batch_id}/mapping",
    response={200: MappingOut, **errors(403, 404)},
    summary="How an import reads its file: headers, unknown values, units",
)
def import_mapping_get(request: AuthenticatedRequest, batch_id: uuid.UUID) -> MappingOut:
    batch, plan = load_import(request, batch_id)
    out = _mapping_out(plan, request.auth)
    mapping = importing.batch_mapping(batch)
    for sheet in out.sheets:
        chosen = mapping.for_sheet(sheet.title)
        sheet.units = {k: format(v, "f") for k, v in chosen.units.items()}
        sheet.rates = {k: format(v, "f") for k, v in chosen.rates.items()}
    return out


@router.put(
    "/imports/{batch_id}/mapping",
    response={200: ImportOut, 202: ImportOut, **errors(403, 404, 409, 422)},
    summary="Read an import's file again with another mapping (and save it by name)",
)
def import_mapping_put(
    request: AuthenticatedRequest, batch_id: uuid.UUID, payload: MappingIn
) -> Status[ImportOut | ErrorOut]:
    """The whole mapping of the batch (what `GET …/mapping` shows, changed): the preview is
    made again from the uploaded file by the background worker (202 with `state` *reading*
    while it runs, 200 once done). A column, kind, unit, rate or value that names nothing is a
    422 by where it is (`<sheet>.columns.<header>` …), and nothing changes. 409 once the
    batch is queued or imported."""
    batch, before = load_import(request, batch_id)
    if batch.state != ImportBatch.State.PREVIEWED or batch.source is None:
        return Status(409, ErrorOut(detail=_("This import is already queued or done.")))
    mapping = importing.Mapping(
        {
            title: importing.SheetMapping(
                kind=sheet.kind or "",
                columns={importing.header_key(h): k for h, k in sheet.columns.items()},
                values={
                    col: {importing.choice_key(t): v for t, v in texts.items()}
                    for col, texts in sheet.values.items()
                },
                units={k: Decimal(u) for k, u in sheet.units.items() if u != "1"},
            )
            for title, sheet in payload.sheets.items()
        }
    )
    problems: dict[str, list[str]] = {}
    for title, sheet in payload.sheets.items():
        for key, text in sheet.rates.items():
            rate = importing.parse_rate(text)
            if rate is None:
                problems[f"{title or 'file'}.rates.{key}"] = [importing.rate_problem()]
            elif rate != 1:
                mapping.sheets[title].rates[key] = rate
    problems |= importing.mapping_problems(mapping)
    if problems:
        raise ValidationError(problems)
    if not importing.start_remap(user=request.auth, batch=batch, mapping=mapping):
        return Status(409, ErrorOut(detail=_("This import is already queued or done.")))
    batch, plan = load_import(request, batch.pk)
    name = " ".join(payload.save_as.split())
    if name and before.sheets:  # the sheets are those of the file, read again or not
        try:
            importing.save_as(
                name=name, sheet=mapping.for_sheet(before.sheets[0].title), user=request.auth
            )
        except PermissionError as exc:
            raise ValidationError(
                {"save_as": _("A mapping called “%(name)s” was saved by someone else: choose "
                              "another name.") % {"name": name}}
            ) from exc  # fmt: skip
    return Status(200 if batch.state != ImportBatch.State.READING else 202, import_out(batch, plan))


@router.get(
    "/import-mappings",
    response={200: list[SavedMappingOut], **errors(403)},
    summary="The mappings saved by name (`mapping` of `POST /imports`)",
)
def import_mappings(request: AuthenticatedRequest) -> list[SavedMappingOut]:
    check_importer(request)
    return [
        SavedMappingOut(
            name=m.name,
            kind=cast(Kind, m.kind),
            columns=m.columns,
            values=m.values,
            units={k: str(v) for k, v in m.units.items()},
            rates={k: str(v) for k, v in m.rates.items()},
            saved_by=str(m.created_by),
            updated_at=m.updated_at,
        )
        for m in ImportMapping.objects.select_related("created_by")
    ]
