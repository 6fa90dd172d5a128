"""Shared fixtures: the role cast (SPEC §2) in a small org, and clients signed in as each."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields

import pytest
from django.test import Client
from django.utils import translation

from keyaccount.org.models import OrgUnit, User
from keyaccount.org.rules import RoleCode

from .factories import OrgUnitFactory, UserFactory, assign

PASSWORD = "pw-for-tests"


@dataclass
class Cast:
    """Company → KA department → east team / north team; marketing beside the KA department."""

    company: OrgUnit
    ka_dept: OrgUnit
    east: OrgUnit
    north: OrgUnit
    marketing: OrgUnit
    kam: User  # owns the records in most tests (east team)
    colleague: User  # another KAM in the east team
    north_kam: User  # a KAM in the other team
    team_lead: User  # senior KAM managing the east team
    consultant: User  # east team consultant, sees only what they are on
    account_manager: User
    head: User  # KA department head (covers and manages the department)
    director: User  # sales director (covers the department)
    assistant: User  # KA department assistant (covers the department)
    admin: User  # administrator
    outsider: User  # a KAM in marketing: sees nothing of the KA department

    def roles(self) -> dict[str, User]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), User)
        }


@pytest.fixture
def cast(db) -> Cast:
    company = OrgUnitFactory(name="测试公司", kind=OrgUnit.Kind.COMPANY)
    ka_dept = OrgUnitFactory(name="大客户部", kind=OrgUnit.Kind.DEPARTMENT, parent=company)
    east = OrgUnitFactory(name="华东团队", parent=ka_dept)
    north = OrgUnitFactory(name="华北团队", parent=ka_dept)
    marketing = OrgUnitFactory(name="市场部", kind=OrgUnit.Kind.DEPARTMENT, parent=company)

    def person(username: str, unit: OrgUnit, role: str, covers: OrgUnit | None = None) -> User:
        user = UserFactory(username=username, unit=unit)
        assign(user, role, covers)
        return user

    c = Cast(
        company=company,
        ka_dept=ka_dept,
        east=east,
        north=north,
        marketing=marketing,
        kam=person("kam", east, RoleCode.KAM),
        colleague=person("colleague", east, RoleCode.KAM),
        north_kam=person("north_kam", north, RoleCode.KAM),
        team_lead=person("team_lead", east, RoleCode.SENIOR_KAM),
        consultant=person("consultant", east, RoleCode.CONSULTANT),
        account_manager=person("account_manager", east, RoleCode.ACCOUNT_MANAGER),
        head=person("head", ka_dept, RoleCode.DEPARTMENT_HEAD, ka_dept),
        director=person("director", ka_dept, RoleCode.SALES_DIRECTOR, ka_dept),
        assistant=person("assistant", ka_dept, RoleCode.DEPARTMENT_ASSISTANT, ka_dept),
        admin=person("admin", company, RoleCode.ADMINISTRATOR),
        outsider=person("outsider", marketing, RoleCode.KAM),
    )
    east.manager = c.team_lead
    east.save()
    ka_dept.manager = c.head
    ka_dept.save()
    c.admin.is_staff = True
    c.admin.is_superuser = True
    c.admin.save()
    return c


@pytest.fixture(autouse=True)
def _keep_active_language() -> Iterator[None]:
    """Requests activate the user's language on this thread (and keep it after the response):
    every test leaves it as it found it, so a test's language never depends on the order."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def client_for(db) -> Callable[[User | None], Client]:
    """A test client signed in as the given user (anonymous for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
