"""People over REST, for integrators who map another system's users (a CRM's sales agents,
an HR system's staff) to keyaccount's: the members of the org units the caller may see, as
the org tree shows them, with their unit's path and their roles. E-mail addresses are given
to administrators only (an integration token is an administrator's)."""

from ninja import Query, Router, Schema
from pydantic import Field

from keyaccount.core.api_errors import errors
from keyaccount.core.lookup import get_or_404
from keyaccount.core.schemas import DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE, Id, InSchema

from . import selectors
from .models import User
from .requests import AuthenticatedRequest
from .rules import RoleCode, ancestors

router = Router(tags=["organisation"])


class PersonRoleOut(Schema):
    code: str
    name: str
    unit_id: int | None = Field(description="The unit the role covers (unit-wide roles).")


class PersonOut(Schema):
    id: int
    username: str
    name: str
    email: str | None = Field(description="Administrators only; null for everyone else.")
    unit_id: int | None
    unit_path: list[str] = Field(description="The unit's names from the top of the tree down.")
    roles: list[PersonRoleOut]
    is_active: bool


class PersonPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[PersonOut]


class PeopleQuery(InSchema):
    unit: Id | None = Field(None, description="Only this unit and the units below it.")
    q: str = Field("", max_length=100, description="Name, username or pinyin.")
    active: bool | None = Field(True, description="Active people (default), inactive, or both.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _paths(user: User) -> dict[int, list[str]]:
    """Every visible unit's path of names, from two cached reads."""
    units = dict(selectors.org_units_visible(user=user).values_list("id", "name"))
    parent_of = selectors.unit_parents()
    return {
        unit: [units[u] for u in reversed([unit, *ancestors(parent_of, unit)]) if u in units]
        for unit in units
    }


def _out(person: User, paths: dict[int, list[str]], admin: bool) -> PersonOut:
    return PersonOut(
        id=person.pk,
        username=person.username,
        name=str(person),
        email=person.email if admin else None,
        unit_id=person.unit_id,
        unit_path=paths.get(person.unit_id or 0, []),
        roles=[
            PersonRoleOut(code=a.role.code, name=a.role.name, unit_id=a.unit_id)
            for a in person.role_assignments.all()
        ],
        is_active=person.is_active,
    )


def _is_admin(user: User) -> bool:
    return RoleCode.ADMINISTRATOR in selectors.role_codes(user) or user.is_superuser


@router.get(
    "/org/people",
    response={200: PersonPage, **errors(422)},
    summary="People of the org units visible to me",
    operation_id="people_list",
)
def people_list(request: AuthenticatedRequest, query: Query[PeopleQuery]) -> PersonPage:
    user = request.auth
    people = selectors.people_list(user=user, unit_id=query.unit, text=query.q, active=query.active)
    paths, admin = _paths(user), _is_admin(user)
    window = list(people[query.offset : query.offset + query.limit])
    return PersonPage(
        count=people.count(),
        offset=query.offset,
        limit=query.limit,
        items=[_out(p, paths, admin) for p in window],
    )


@router.get(
    "/org/people/{person_id}",
    response={200: PersonOut, **errors(404, 422)},
    summary="One person (404 if not in a unit visible to me)",
    operation_id="person_get",
)
def person_get(request: AuthenticatedRequest, person_id: Id) -> PersonOut:
    user = request.auth
    person = get_or_404(selectors.people_list(user=user, active=None), pk=person_id)
    return _out(person, _paths(user), _is_admin(user))
