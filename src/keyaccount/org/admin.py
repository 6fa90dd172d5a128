"""Back office for the organisation: users, org units, roles, regions, industries.

The admin only collects input; validation and saving go through ``org.services``.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import ApiToken, Industry, OrgUnit, Region, Role, RoleAssignment, User


class RoleAssignmentFormSet(BaseInlineFormSet[RoleAssignment, User, Any]):
    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("role"):
                continue
            try:
                services.validate_role_assignment(
                    role_code=data["role"].code, unit=data.get("unit")
                )
            except ValidationError as exc:
                form.add_error("unit", exc.message_dict.get("unit", exc.messages))


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    formset = RoleAssignmentFormSet
    fk_name = "user"
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin[User]):
    list_display = ["username", "display_name", "unit", "roles_display", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "role_assignments__role", "unit"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email", "phone"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Person"),
            {"fields": ("display_name", "first_name", "last_name", "email", "phone", "unit")},
        ),
        (_("Preferences"), {"fields": ("language", "money_unit")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "unit", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("role_assignments__role")

    @admin.display(description=_("roles"))
    def roles_display(self, obj: User) -> str:
        return "、".join(str(a.role) for a in obj.role_assignments.all())


class OrgUnitForm(ModelForm[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["name", "kind", "parent", "manager", "region", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.validate_org_unit_parent(self.instance, data.get("parent"))
        except ValidationError as exc:
            self.add_error("parent", exc.message_dict["parent"])
        return data


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    form = OrgUnitForm
    list_display = ["name", "kind", "parent", "manager", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    list_select_related = ["parent", "manager", "region"]
    autocomplete_fields = ["parent", "manager", "region"]

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        services.org_unit_save(actor=request.user, unit=obj)


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    """The eight roles are fixed; their names and descriptions are editable."""

    list_display = ["code", "name_zh", "name_en", "order"]
    readonly_fields = ["code"]
    fields = ["code", "name_zh", "name_en", "description_zh", "description_en", "order"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TreeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    ordering = ["order", "code"]


@admin.register(Region)
class RegionAdmin(TreeAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "parent", "order", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(Industry)
class IndustryAdmin(TreeAdmin):
    pass


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Administrators can see and revoke tokens, never read or create keys, and allow an
    integration's token to import deals with their history (``can_import``)."""

    list_display = [
        "name", "user", "prefix", "can_import", "created_at", "last_used_at", "revoked_at"
    ]  # fmt: skip
    list_filter = ["revoked_at", "can_import"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "can_import", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
