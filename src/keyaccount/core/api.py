"""The type-ahead suggestions (``core.typeahead``) in the API: what a picker offers the caller
for a typed text, the same sources and checks as the pages' search boxes."""

from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from . import typeahead

router = Router(tags=["suggestions"])


class OptionOut(Schema):
    id: int
    label: str
    hint: str


class SuggestionsOut(Schema):
    items: list[OptionOut]
    more: bool = Field(description="More records match than listed: type more to narrow them.")


class SuggestionsQuery(Schema):
    q: Annotated[str, Field(max_length=typeahead.MAX_TEXT)] = ""


@router.get(
    "/suggest/{name}",
    response=SuggestionsOut,
    summary="Suggestions of a picker",
    description=(
        "The first records a picker offers the caller for the typed text `q` (by name, pinyin "
        "initials or full pinyin; customers also by credit code), at most "
        f"{typeahead.LIMIT}. Pickers: `deal-owners` and `customer-owners` (the lists' owner "
        "filters), `teams`, `customers` (visible customers), `new-deal-customers` (customers "
        "the caller may open a deal on), `allocatable` (whom the caller may allocate customers "
        "to), `reassign` (whom the caller may hand a deal to). An unknown picker is a 404."
    ),
)
def suggest(
    request: HttpRequest,
    name: Annotated[str, Field(max_length=40, pattern=r"^[a-z-]+$")],
    query: Query[SuggestionsQuery],
) -> SuggestionsOut:
    found = typeahead.suggestions(name, getattr(request, "auth", None), query.q)
    if found is None:
        raise Http404
    return SuggestionsOut(
        items=[OptionOut(id=o.id, label=o.label, hint=o.hint) for o in found.options],
        more=found.more,
    )
