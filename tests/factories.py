import factory
from factory.django import DjangoModelFactory

from keyaccount.org.models import OrgUnit, Role, RoleAssignment, User


class OrgUnitFactory(DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"团队{n}")
    kind = OrgUnit.Kind.TEAM


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.django.Password("pw-for-tests")


def assign(user: User, role_code: str, unit: OrgUnit | None = None) -> RoleAssignment:
    return RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=role_code), unit=unit
    )
