from ninja import Router, Schema

from keyaccount.core.api_errors import errors
from keyaccount.core.lookup import get_or_404
from keyaccount.core.schemas import Id

from . import selectors
from .models import OrgUnit
from .requests import AuthenticatedRequest

router = Router(tags=["organisation"])


class RoleOut(Schema):
    code: str
    name: str
    unit_id: int | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    language: str
    money_unit: str
    unit_id: int | None
    unit_name: str | None
    roles: list[RoleOut]
    sees_everything: bool


class OrgUnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    manager_id: int | None
    manager_name: str | None
    is_active: bool


def _unit_out(unit: OrgUnit) -> OrgUnitOut:
    return OrgUnitOut(
        id=unit.pk,
        name=unit.name,
        kind=unit.kind,
        parent_id=unit.parent_id,
        manager_id=unit.manager_id,
        manager_name=str(unit.manager) if unit.manager_id else None,
        is_active=unit.is_active,
    )


@router.get("/me", response=MeOut, summary="The signed-in user, their roles and scope")
def me(request: AuthenticatedRequest) -> MeOut:
    user = request.auth
    assignments = user.role_assignments.select_related("role").order_by("role__order")
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=str(user),
        email=user.email,
        language=user.language,
        money_unit=user.money_unit,
        unit_id=user.unit_id,
        unit_name=user.unit.name if user.unit is not None else None,
        roles=[RoleOut(code=a.role.code, name=a.role.name, unit_id=a.unit_id) for a in assignments],
        sees_everything=selectors.scope_for(user).everything,
    )


@router.get("/org/units", response=list[OrgUnitOut], summary="Org units visible to me")
def org_unit_list(request: AuthenticatedRequest) -> list[OrgUnitOut]:
    return [_unit_out(u) for u in selectors.org_unit_list(user=request.auth)]


@router.get(
    "/org/units/{unit_id}",
    response={200: OrgUnitOut, **errors(404, 422)},
    summary="One org unit (404 if not visible)",
)
def org_unit_detail(request: AuthenticatedRequest, unit_id: Id) -> OrgUnitOut:
    unit = get_or_404(selectors.org_unit_list(user=request.auth), pk=unit_id)
    return _unit_out(unit)
