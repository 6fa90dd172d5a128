"""Schemas every app's API shares: request bases that refuse NUL characters, bounded input
types, references to related records and people, and pagination.

Every integer a request carries is bounded, in the path, the query string and the body alike: a
record id (``Id``) runs from 1 to ``MAX_ID`` (a database key: larger ones cannot exist, and SQLite
cannot even compare with them), a ``version`` the same, every list and mapping has a maximum
length, and a score whose range a business rule checks is a ``RuleInt``. A value outside its
range is a 422, and an id outside it is never looked up.
"""

from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, field_validator

from .lookup import MAX_ID

#: A record id, in the path, the query string or the body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: The ``version`` of a record as the client read it (``core.versioning``).
Version = Annotated[int, Field(ge=1, le=MAX_ID)]
#: The most ids one request may name (a bulk allocation).
MAX_IDS = 1000
#: The most values a repeatable filter parameter takes (``grade=A&grade=B…``).
MAX_FILTER_VALUES = 50
#: The most entries a mapping of a request holds (scores by factor code).
MAX_ENTRIES = 100
#: An integer whose real range a business rule checks, with its own message and naming every bad
#: value of a form at once (a factor's score 0–5): the schema only keeps it within a small
#: integer, so nothing larger reaches the rule or the database, and documents the rule's range
#: with ``rule_range``.
RuleInt = Annotated[int, Field(ge=-(2**15), le=2**15 - 1)]


def rule_range(low: int, high: int) -> dict[str, Any]:
    """``json_schema_extra`` of a ``RuleInt`` field: the range its rule accepts (anything else
    is a 422 from the rule)."""
    return {"minimum": low, "maximum": high}


MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
#: Far beyond any real list, small enough for every database's OFFSET.
MAX_OFFSET = 10**9


class InSchema(Schema):
    """Base of request bodies and query strings: no NUL characters in any text."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError(_("Text may not contain NUL characters."))
        return value


class OutSchema(BaseModel):
    """A response built by the API from plain values (ids, texts, other ``OutSchema``s).

    ``ninja.Schema`` wraps every validation, nested ones included, in a getter that resolves
    Django objects; for a page of 50 deals with four references each that wrapping was most of
    the response's time. Responses assembled field by field need none of it."""

    model_config = ConfigDict(from_attributes=True)


class RefOut(OutSchema):
    """A reference to a related record: its id and its name in the requester's language."""

    id: int
    name: str


class UserRef(OutSchema):
    id: int
    username: str
    name: str


class PageQuery(InSchema):
    limit: int | None = Field(
        None, ge=1, le=MAX_PAGE_SIZE, description="Rows per page (with `offset`)."
    )
    offset: int | None = Field(None, ge=0, le=MAX_OFFSET, description="Rows to skip.")
    page: int | None = Field(
        None, ge=1, le=MAX_OFFSET, description="Page number from 1 (with `page_size`)."
    )
    page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")

    def window(self) -> tuple[int, int]:
        """(offset, limit): ``page`` and ``page_size`` when a page is asked for, else ``offset``
        and ``limit``; 50 rows unless told otherwise."""
        if self.page is not None:
            size = self.page_size or self.limit or DEFAULT_PAGE_SIZE
            return (self.page - 1) * size, size
        return self.offset or 0, self.limit or self.page_size or DEFAULT_PAGE_SIZE
