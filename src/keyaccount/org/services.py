"""Every write about the organisation and its users goes through here."""

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, OrgUnit, RoleAssignment, User
from .rules import role_needs_unit, would_create_cycle
from .selectors import unit_parents


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown to the user once, never stored


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> IssuedToken:
    """Create a personal API token for ``actor``; the clear key is returned once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    if len(name) > 60:
        raise ValidationError({"name": _("The name can be at most 60 characters.")})
    if ApiToken.objects.filter(user=actor, name=name, revoked_at__isnull=True).exists():
        raise ValidationError({"name": _("You already have an active token with this name.")})
    key = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=key[:10], key_hash=hash_token(key)
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise PermissionError("not your token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active user behind a clear token key, or None. Records when it was last used."""
    if not key.startswith(settings.API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # At most one write per token per minute, so busy integrations don't write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    # what this call may do beyond the user's roles (``capabilities.imports_deals``)
    token.user.token_imports = token.can_import
    return token.user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise ValidationError({"language": _("Unknown language: %(code)s") % {"code": language}})
    if user.language != language:
        user.language = language
        user._history_user = user  # type: ignore[attr-defined]
        user.save(update_fields=["language"])
    return user


def validate_org_unit_parent(unit: OrgUnit, parent: OrgUnit | None) -> None:
    """Refuse a parent that would put the unit below itself."""
    if parent is None or unit.pk is None:
        return
    if would_create_cycle(unit_parents(), unit.pk, parent.pk):
        raise ValidationError(
            {
                "parent": _(
                    "“%(parent)s” is inside “%(unit)s”: a unit cannot be moved below itself."
                )
                % {"parent": parent, "unit": unit}
            }
        )


@transaction.atomic
def org_unit_save(*, actor: Any, unit: OrgUnit) -> OrgUnit:
    validate_org_unit_parent(unit, unit.parent)
    unit.full_clean()
    unit._history_user = actor  # type: ignore[attr-defined]
    unit.save()
    return unit


def validate_role_assignment(*, role_code: str, unit: OrgUnit | None) -> None:
    if role_needs_unit(role_code) and unit is None:
        raise ValidationError(
            {
                "unit": _(
                    "This role covers an org unit: choose the department it is responsible for."
                )
            }
        )


@transaction.atomic
def role_assign(
    *, actor: Any, user: User, role_code: str, unit: OrgUnit | None = None
) -> RoleAssignment:
    from .models import Role

    validate_role_assignment(role_code=role_code, unit=unit)
    role = Role.objects.get(code=role_code)
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
    return assignment


def _require_administrator(actor: Any) -> None:
    from .capabilities import capabilities_for

    if not capabilities_for(actor).everything:
        raise PermissionDenied(_("Only an administrator adds people and org units."))


UNIT_PATH_SEPARATORS = ("/", ">", "＞", "／", "\\")


def split_unit_path(text: str) -> list[str]:
    """``华瑞科技 / 大客户部 / 华东团队`` → its names, from the root (any of the separators)."""
    for separator in UNIT_PATH_SEPARATORS[1:]:
        text = text.replace(separator, "/")
    return [" ".join(part.split()) for part in text.split("/") if part.strip()]


def unit_path_ensure(*, actor: Any, names: list[str]) -> OrgUnit:
    """The unit at ``names`` from a root of the tree, creating what is missing (a root as the
    company, its children as departments, deeper ones as teams)."""
    _require_administrator(actor)
    parent: OrgUnit | None = None
    kinds = (OrgUnit.Kind.COMPANY, OrgUnit.Kind.DEPARTMENT)
    for depth, name in enumerate(names):
        found = OrgUnit.objects.filter(parent=parent, name=name).order_by("id").first()
        if found is None:
            kind = kinds[depth] if depth < len(kinds) else OrgUnit.Kind.TEAM
            found = org_unit_save(actor=actor, unit=OrgUnit(name=name, kind=kind, parent=parent))
        parent = found
    if parent is None:
        raise ValidationError({"unit": _("Give the unit's path, e.g. 公司/大客户部/华东团队.")})
    return parent


@transaction.atomic
def person_create(
    *, actor: Any, username: str, display_name: str, email: str = "", unit: OrgUnit | None
) -> User:
    """A new person who signs in once an administrator sets their password (or through single
    sign-on): the account starts without a usable password."""
    _require_administrator(actor)
    user = User(username=username, display_name=display_name, email=email, unit=unit)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user
