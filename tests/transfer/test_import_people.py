"""People and org units imported (administrators only): units created along their paths,
roles assigned (with the unit a head or director covers), people already in the system left
as they are; a second import changes nothing."""

import pytest
from django.utils import translation

from keyaccount.org.models import OrgUnit, RoleAssignment, User
from keyaccount.transfer import importing

from .test_import import csv_bytes

HEADER = ["username", "name", "email", "regional office", "role", "负责部门"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def people_file(*rows: list) -> bytes:
    return csv_bytes([HEADER, *rows])


def run(user, data: bytes) -> importing.Outcome:
    plan = importing.preview(user=user, file_name="people.csv", data=data)
    batch = importing.save_batch(user=user, plan=plan)
    return importing.commit(actor=user, batch=batch, plan=plan)


def test_an_administrator_brings_in_people_with_their_units_and_roles(cast):
    data = people_file(
        ["darcel", "Darcel Schlecht", "darcel@example.com", "测试公司/大客户部/华中团队", "KAM",
         ""],
        ["moses", "Moses Frase", "", "测试公司 > 大客户部 > 华中团队", "Senior key account manager",
         ""],
        ["rosalina", "Rosalina Dieter", "", "测试公司/大客户部", "sales_director",
         "测试公司/大客户部"],
        ["kam", "Someone Else", "", "", "", ""],  # already in the system
    )  # fmt: skip
    plan = importing.preview(user=cast.admin, file_name="people.csv", data=data)
    assert [s.kind for s in plan.sheets] == ["people"]
    assert [r.action for r in plan.rows] == ["create", "create", "create", "unchanged"]
    assert "华中团队" in plan.sheets[0].rows[0].changes[0][2]  # a new unit, said so
    assert "in the system already" in plan.sheets[0].rows[3].problems[0].message
    batch = importing.save_batch(user=cast.admin, plan=plan)
    outcome = importing.commit(actor=cast.admin, batch=batch, plan=plan)
    assert outcome.committed, [r.problems for r in outcome.plan.rows]
    assert outcome.counts == {"people_created": 3, "units_created": 1}
    central = OrgUnit.objects.get(name="华中团队")
    assert central.parent == cast.ka_dept and central.kind == OrgUnit.Kind.TEAM
    darcel = User.objects.get(username="darcel")
    assert darcel.unit == central and not darcel.has_usable_password()
    assert darcel.display_name == "Darcel Schlecht" and darcel.email == "darcel@example.com"
    director = RoleAssignment.objects.get(user__username="rosalina")
    assert director.role.code == "sales_director" and director.unit == cast.ka_dept
    assert User.objects.get(username="kam").display_name != "Someone Else"
    again = importing.preview(user=cast.admin, file_name="people.csv", data=data)
    assert [r.action for r in again.rows] == ["unchanged"] * 4


def test_bad_rows_are_named_and_nobody_else_imports_people(cast):
    data = people_file(
        ["bad name!", "X", "", "测试公司", "", ""],
        ["ok.user", "Y", "not-an-email", "测试公司", "", ""],
        ["ok.two", "Z", "", "测试公司", "wizard", ""],
        ["ok.two", "Z", "", "测试公司", "", ""],
    )  # fmt: skip
    plan = importing.preview(user=cast.admin, file_name="people.csv", data=data)
    problems = {(p.row, p.column): p.message for r in plan.rows for p in r.problems}
    assert (2, "username") in problems and (3, "email") in problems
    assert "no role “wizard”" in problems[(4, "role")]
    assert "same person" in problems[(5, "username")]
    assert plan.sheets[0].unresolved == {"role": {"wizard": 1}}  # offered for mapping
    refused = importing.preview(user=cast.director, file_name="people.csv", data=data)
    assert all("Only an administrator" in r.problems[-1].message for r in refused.rows)
    assert not User.objects.filter(username__startswith="ok.").exists()
