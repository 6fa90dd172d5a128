"""Back office for the pipeline: the competitor catalogue, loss reasons, risk factors and their
weights, the pipeline policy (risk thresholds, major-project amount) and the playbook's element
requirements; opportunities and their transitions are shown read-only (they change only
through the services, so the gate and the history hold).

Validation calls ``rules``; nothing here decides anything about a deal.
"""

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from keyaccount.process.admin import StageAdmin
from keyaccount.process.models import Stage

from . import rules
from .models import (
    Competitor,
    ElementRequirement,
    LossReason,
    Opportunity,
    PipelinePolicy,
    RiskFactor,
    StageTransition,
)

# --- catalogues -----------------------------------------------------------------------------


class CompetitorForm(ModelForm[Competitor]):
    class Meta:
        model = Competitor
        fields = ["name", "short_name", "strengths", "weaknesses", "is_active"]

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        clash = Competitor.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("The catalogue already has “%(name)s”.") % {"name": name})
        return name


@admin.register(Competitor)
class CompetitorAdmin(SimpleHistoryAdmin):
    form = CompetitorForm
    list_display = ["name", "short_name", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "short_name"]
    ordering = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deals and lost deals' winners point at competitors: deactivate instead


class CatalogAdmin(SimpleHistoryAdmin):
    list_display = ["name_zh", "name_en", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_display_links = ["name_zh"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["order", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # closed deals and past assessments point at entries: deactivate instead


@admin.register(LossReason)
class LossReasonAdmin(CatalogAdmin):
    fields = ["code", "name_zh", "name_en", "order", "is_active"]


def _weights_problem(weights: dict[str, Decimal]) -> str:
    """The risk form needs at least one active factor that counts, or every total is zero."""
    if rules.risk_total(dict.fromkeys(weights, rules.RISK_MAX_SCORE), weights) <= 0:
        return _(
            "At least one active risk factor needs a weight above zero, "
            "or every assessment would score no risk."
        )
    return ""


def _active_weights(edited: dict[Any, dict[str, Any]]) -> dict[str, Decimal]:
    weights = {}
    for factor in RiskFactor.objects.all():
        data = edited.get(factor.pk, {})
        if data.get("is_active", factor.is_active):
            weights[factor.code] = data.get("weight", factor.weight)
    for key, data in edited.items():
        if key is None and data.get("is_active", True):  # a factor being added
            weights[data.get("code") or "new"] = data.get("weight") or Decimal(0)
    return weights


class RiskFactorForm(ModelForm[RiskFactor]):
    class Meta:
        model = RiskFactor
        fields = ["code", "name_zh", "name_en", "question_zh", "question_en", "weight", "order",
                  "is_active"]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        edited = {
            self.instance.pk: {
                "code": data.get("code") or self.instance.code,
                "weight": data.get("weight", self.instance.weight),
                "is_active": data.get("is_active", False),
            }
        }
        problem = _weights_problem(_active_weights(edited))
        if problem:
            raise ValidationError(problem)
        return data


class RiskFactorChangeListFormSet(BaseModelFormSet[RiskFactor, Any]):
    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        edited = {form.instance.pk: form.cleaned_data for form in self.forms if form.cleaned_data}
        problem = _weights_problem(_active_weights(edited))
        if problem:
            raise ValidationError(problem)


@admin.register(RiskFactor)
class RiskFactorAdmin(CatalogAdmin):
    """The factors of the risk assessment form. Past assessments keep the weights they were
    scored with; a change applies to new assessments."""

    form = RiskFactorForm
    list_display = ["name_zh", "name_en", "code", "weight", "order", "is_active"]
    list_editable = ["weight", "order", "is_active"]

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["formset"] = RiskFactorChangeListFormSet
        return super().get_changelist_formset(request, **kwargs)


# --- policy and the playbook's element requirements -----------------------------------------


class PipelinePolicyForm(ModelForm[PipelinePolicy]):
    class Meta:
        model = PipelinePolicy
        fields = ["risk_medium_from", "risk_high_from", "major_project_amount"]

    def clean_major_project_amount(self) -> Decimal:
        amount = self.cleaned_data.get("major_project_amount")
        if not isinstance(amount, Decimal) or amount <= 0:
            raise ValidationError(_("The major-project amount must be above zero."))
        return amount

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        medium, high = data.get("risk_medium_from"), data.get("risk_high_from")
        if medium is not None and high is not None:
            problems = rules.validate_thresholds(medium, high)
            if problems:
                raise ValidationError(problems)
        return data


@admin.register(PipelinePolicy)
class PipelinePolicyAdmin(SimpleHistoryAdmin):
    """One row. New thresholds class new assessments; past ones keep their level."""

    form = PipelinePolicyForm
    list_display = ["__str__", "risk_medium_from", "risk_high_from", "major_project_amount"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not PipelinePolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ElementRequirementForm(ModelForm[ElementRequirement]):
    class Meta:
        model = ElementRequirement
        fields = ["stage", "element", "minimum"]

    def clean_minimum(self) -> str:
        minimum = self.cleaned_data.get("minimum") or ""
        if minimum == rules.Knowledge.UNKNOWN:
            raise ValidationError(
                _("Requiring “unknown” demands nothing: choose partly known or confirmed.")
            )
        return minimum


class ElementRequirementInline(admin.TabularInline[ElementRequirement, Stage]):
    model = ElementRequirement
    form = ElementRequirementForm
    extra = 0
    verbose_name = _("key evaluation element required before leaving the stage")
    verbose_name_plural = _("key evaluation elements required before leaving the stage")


@admin.register(ElementRequirement)
class ElementRequirementAdmin(SimpleHistoryAdmin):
    form = ElementRequirementForm
    list_display = ["stage", "element", "minimum"]
    list_filter = ["stage", "element"]
    list_select_related = ["stage"]
    ordering = ["stage__order", "element"]


class StageWithElementsAdmin(StageAdmin):
    """The playbook's stage page, with the element requirements beside the exit criteria."""

    inlines = [*StageAdmin.inlines, ElementRequirementInline]


admin.site.unregister(Stage)
admin.site.register(Stage, StageWithElementsAdmin)


# --- read-only views of the deals -----------------------------------------------------------


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


TRANSITION_FIELDS = ("at", "kind", "from_stage", "to_stage", "to_step", "to_status", "actor",
                     "overridden", "reason")  # fmt: skip


class TransitionInline(ReadOnlyMixin, admin.TabularInline[StageTransition, Opportunity]):
    model = StageTransition
    extra = 0
    fields = TRANSITION_FIELDS
    readonly_fields = TRANSITION_FIELDS
    ordering = ["at", "id"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("from_stage", "to_stage", "to_step", "actor")
        )


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Deals change only through the product's pages and API (the gate, the history)."""

    list_display = ["name", "customer", "owner", "stage", "step", "status", "amount", "currency",
                    "expected_signing", "risk_level"]  # fmt: skip
    list_filter = ["status", "stage", "risk_level", "risk_decision", "currency", "source"]
    list_select_related = ["customer", "owner", "stage", "step"]
    search_fields = ["name", "customer__name"]
    ordering = ["-updated_at"]
    show_full_result_count = False
    inlines = [TransitionInline]


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyMixin, admin.ModelAdmin[StageTransition]):
    list_display = ["opportunity", "kind", "from_stage", "to_stage", "to_status", "actor", "at",
                    "overridden"]  # fmt: skip
    list_filter = ["kind", "overridden", "to_stage", "to_status"]
    list_select_related = ["opportunity", "from_stage", "to_stage", "actor"]
    search_fields = ["opportunity__name", "reason"]
    ordering = ["-at", "-id"]
    show_full_result_count = False
