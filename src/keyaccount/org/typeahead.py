"""Type-ahead sources for people and org units (``core.typeahead``): the matching and the
labels every app's people pickers share, and the team filter's source."""

from typing import Any

from django.db.models import Q, QuerySet

from keyaccount.core import pinyin
from keyaccount.core.typeahead import Option, Source, register

from .models import OrgUnit, User
from .selectors import teams_for_filter


def people_matching(text: str) -> Q:
    """People whose shown name holds ``text``, whose user name starts with it, or whose name's
    pinyin matches it (full, ``wangwei``, or initials, ``ww``)."""
    return (
        Q(display_name__icontains=text)
        | Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(username__istartswith=text)
        | pinyin.matching(text)
    )


def _label(display: str, first: str, last: str, username: str) -> str:
    return display or " ".join(p for p in (first, last) if p) or username


def people_options(people: QuerySet[User], text: str, limit: int) -> list[Option]:
    """The first ``limit`` of ``people`` matching ``text``, by pinyin, each with their unit."""
    if text:
        people = people.filter(people_matching(text))
    rows = people.order_by("pinyin_sort", "id").values_list(
        "pk", "display_name", "first_name", "last_name", "username", "unit__name"
    )[:limit]
    return [Option(pk, _label(d, f, la, u), unit or "") for pk, d, f, la, u, unit in rows]


def people_picked(people: QuerySet[User], ids: list[int]) -> dict[int, Option]:
    return {o.id: o for o in people_options(people.filter(pk__in=ids), "", len(ids))}


def people_source(offered: Any) -> Source:
    """A source of the people ``offered(user)`` (a queryset of users) holds."""
    return Source(
        search=lambda user, text, limit: people_options(offered(user), text, limit),
        pick=lambda user, ids: people_picked(offered(user), ids),
    )


def unit_options(units: QuerySet[OrgUnit], text: str, limit: int) -> list[Option]:
    """The first ``limit`` of ``units`` whose name holds ``text``, by name, each with the unit
    it belongs to."""
    if text:
        units = units.filter(name__icontains=text)
    rows = units.order_by("name", "id").values_list("pk", "name", "parent__name")[:limit]
    return [Option(pk, name, parent or "") for pk, name, parent in rows]


def register_sources() -> None:
    register(
        "teams",
        Source(
            search=lambda user, text, limit: unit_options(teams_for_filter(user=user), text, limit),
            pick=lambda user, ids: {
                o.id: o
                for o in unit_options(teams_for_filter(user=user).filter(pk__in=ids), "", len(ids))
            },
        ),
    )
