"""Back office for the scorecard: factor weights and grade thresholds (SPEC §5).

Saving either recomputes every customer's weighted score and suggested grade (after commit,
once per request); grades that managers set are not touched.
"""

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from . import rules, services
from .models import GradingPolicy, ScoringFactor


def _recompute_after_commit(request: HttpRequest) -> None:
    # One recompute per request, however many rows a list edit saved.
    if not getattr(request, "_keyaccount_recompute_queued", False):
        request._keyaccount_recompute_queued = True  # type: ignore[attr-defined]
        transaction.on_commit(services.scorecard_recompute_all)


class FactorChangeListFormSet(BaseModelFormSet[ScoringFactor, Any]):
    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        edited = {form.instance.pk: form.cleaned_data for form in self.forms if form.cleaned_data}
        total = Decimal(0)
        for factor in ScoringFactor.objects.all():
            data = edited.get(factor.pk, {})
            active = data.get("is_active", factor.is_active)
            weight = data.get("weight", factor.weight)
            if active and weight > 0:
                total += weight
        if total <= 0:
            raise ValidationError(
                _("At least one active factor needs a weight above zero, or nothing can be scored.")
            )


@admin.register(ScoringFactor)
class ScoringFactorAdmin(SimpleHistoryAdmin):
    list_display = ["name_zh", "name_en", "group", "weight", "order", "is_active"]
    list_editable = ["weight", "order", "is_active"]
    list_display_links = ["name_zh"]
    list_filter = ["group", "is_active"]
    ordering = ["order"]
    fields = ["code", "group", "name_zh", "name_en", "question_zh", "question_en", "weight",
              "order", "is_active"]  # fmt: skip

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["formset"] = FactorChangeListFormSet
        return super().get_changelist_formset(request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # scores point at factors: deactivate instead

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _recompute_after_commit(request)


class GradingPolicyForm(ModelForm[GradingPolicy]):
    class Meta:
        model = GradingPolicy
        fields = ["threshold_a", "threshold_b", "threshold_c"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(f) is not None for f in self.Meta.fields):
            problem = rules.Thresholds(
                a=data["threshold_a"], b=data["threshold_b"], c=data["threshold_c"]
            ).problem()
            if problem:
                raise ValidationError(problem)
        return data


@admin.register(GradingPolicy)
class GradingPolicyAdmin(SimpleHistoryAdmin):
    form = GradingPolicyForm
    list_display = ["__str__"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not GradingPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _recompute_after_commit(request)
