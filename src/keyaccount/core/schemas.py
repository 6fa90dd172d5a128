"""Schemas every app's API shares: request bases that refuse NUL characters, references to
related records and people, and pagination."""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

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


class RefOut(Schema):
    """A reference to a related record: its id and its name in the requester's language."""

    id: int
    name: str


class UserRef(Schema):
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
