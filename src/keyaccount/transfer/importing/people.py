"""The people sheet: the company's people with their org unit (by its path, created where
missing) and role; and its commit (``org.services``). For administrators only.

A person is matched by user name: a second import of the same row changes nothing, and an
import never changes someone already in the system (its differences are shown as warnings).
New people start without a usable password: an administrator sets it (or single sign-on
signs them in)."""

from collections import Counter

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from keyaccount.org import services as org_services
from keyaccount.org.models import OrgUnit, Role, User
from keyaccount.org.rules import role_needs_unit

from .cells import choice_key
from .matching import Context, fail
from .plan import CREATE, FAILED, UNCHANGED, Sheet


def _paths() -> dict[tuple[str, ...], int]:
    """Every unit by its path of names from its root."""
    units = {u.pk: u for u in OrgUnit.objects.only("id", "name", "parent_id")}
    paths: dict[tuple[str, ...], int] = {}
    for unit in units.values():
        names: list[str] = []
        node: OrgUnit | None = unit
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = units.get(node.parent_id) if node.parent_id else None
        paths.setdefault(tuple(reversed(names)), unit.pk)
    return paths


def _roles() -> dict[str, str]:
    found: dict[str, str] = {}
    for role in Role.objects.all():
        for text in (role.code, role.name_zh, role.name_en, role.get_code_display()):
            found.setdefault(choice_key(str(text)), role.code)
    return found


def plan_people(ctx: Context, sheet: Sheet) -> None:
    headers = sheet.headers
    if not ctx.caps.everything:
        for row in sheet.rows:
            row.error(_("Only an administrator adds people and org units."),
                      headers["username"])  # fmt: skip
            row.action = FAILED
        return
    wanted = {r.values.get("username", "") for r in sheet.rows}
    existing = {u.username: u for u in User.objects.filter(username__in=wanted)}
    paths, roles = _paths(), _roles()
    seen: dict[str, int] = {}
    for row in sheet.rows:
        if row.has_error:
            row.action = FAILED
            continue
        username = row.values.get("username", "")
        row.label = f"{row.values.get('display_name', '')} ({username})"
        if username in seen:
            row.error(_("Row %(row)s of this sheet is the same person: keep one of the two rows.")
                      % {"row": seen[username]}, headers["username"])  # fmt: skip
            row.action = FAILED
            continue
        seen[username] = row.number
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as exc:
            row.error(" ".join(exc.messages), headers["username"])
        for key in ("unit", "covers"):
            text = row.values.get(key)
            if text and not org_services.split_unit_path(text):
                row.error(_("Give the unit's path, e.g. 公司/大客户部/华东团队."), headers[key])
        role = None
        if "role" in row.values:
            role = roles.get(choice_key(row.values["role"]))
            if role is None:
                sheet.note_unknown("role", row.values["role"], planner=True)
                row.error(_("There is no role “%(value)s”.") % {"value": row.values["role"]},
                          headers["role"])  # fmt: skip
            elif role_needs_unit(role) and not (row.values.get("covers") or row.values.get("unit")):
                row.error(_("This role covers an org unit: give its path (or the person's own)."),
                          headers["role"])  # fmt: skip
        if row.has_error:
            row.action = FAILED
            continue
        person = existing.get(username)
        if person is not None:
            row.action, row.target = UNCHANGED, person.pk
            if person.display_name != row.values.get("display_name", person.display_name):
                row.warn(_("%(username)s is in the system already, as “%(name)s”: an import "
                           "does not change a person; edit them in the back office.")
                         % {"username": username, "name": person.display_name},
                         headers["display_name"])  # fmt: skip
            continue
        row.action = CREATE
        new_units = [
            text
            for key in ("unit", "covers")
            if (text := row.values.get(key))
            and tuple(org_services.split_unit_path(text)) not in paths
        ]
        if new_units:
            row.changes = [[headers.get("unit", ""), "", _("new unit: %(path)s")
                            % {"path": "、".join(new_units)}]]  # fmt: skip


def commit_people(ctx: Context, sheet: Sheet, counts: Counter[str]) -> None:
    roles = _roles()
    units_before = OrgUnit.objects.count()
    ensured: dict[tuple[str, ...], OrgUnit] = {}  # each path walked once, however many rows

    def unit_at(text: str | None) -> OrgUnit | None:
        if not text:
            return None
        path = tuple(org_services.split_unit_path(text))
        if path not in ensured:
            ensured[path] = org_services.unit_path_ensure(actor=ctx.user, names=list(path))
        return ensured[path]

    for row in (r for r in sheet.rows if r.action == CREATE):
        values = row.values
        try:
            unit, covers = unit_at(values.get("unit")), unit_at(values.get("covers"))
            person = org_services.person_create(
                actor=ctx.user,
                username=values["username"],
                display_name=values["display_name"],
                email=values.get("email", ""),
                unit=unit,
            )
            if "role" in values:
                code = roles[choice_key(values["role"])]
                org_services.role_assign(
                    actor=ctx.user,
                    user=person,
                    role_code=code,
                    unit=(covers or unit) if role_needs_unit(code) else None,
                )
            counts["people_created"] += 1
        except (ValidationError, PermissionDenied) as exc:
            fail(row, exc, sheet.headers)
        ctx.step()
    if new := OrgUnit.objects.count() - units_before:
        counts["units_created"] += new
