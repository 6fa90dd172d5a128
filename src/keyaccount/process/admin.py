"""Back office for the playbook. Every save is checked by ``process.rules.validate_playbook``
against the whole playbook as it would be after the edit; a breaking edit is refused."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, BaseModelFormSet, ModelChoiceField
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import ExitCriterion, RequiredForm, Stage, Step
from .rules import CriterionSpec, StageSpec, StepSpec, validate_playbook
from .selectors import stage_spec, stage_specs


def _alive(formset: Any) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE"):
            rows.append(data)
    return rows


def _check(proposed: StageSpec, stage_id: int | None) -> None:
    problems = validate_playbook([*stage_specs(exclude_stage_id=stage_id), proposed])
    if problems:
        raise ValidationError(problems)


class CriterionFormSet(BaseInlineFormSet[ExitCriterion, Stage, Any]):
    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        criteria = [
            CriterionSpec(
                text=row.get("text_zh") or row.get("text_en") or "",
                mandatory=bool(row.get("mandatory")),
            )
            for row in _alive(self)
            if row.get("text_zh") or row.get("text_en")
        ]
        stage: Stage = self.instance
        _check(stage_spec(stage, criteria=criteria), stage.pk)


class StepFormSet(BaseInlineFormSet[Step, Stage, Any]):
    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        steps = [
            StepSpec(code=row["code"], order=row["order"])
            for row in _alive(self)
            if row.get("code")
        ]
        stage: Stage = self.instance
        proposed = stage_spec(stage, steps=steps)
        if stage.pk is None:
            # New stage: the criteria inline is checked separately; only check the steps here.
            proposed = StageSpec(**{**proposed.__dict__, "criteria": (CriterionSpec(text="-"),)})
        _check(proposed, stage.pk)


class StageChangeListFormSet(BaseModelFormSet[Stage, Any]):
    """The list page edits order, probability and days of several stages at once."""

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        edited = {form.instance.pk: form.cleaned_data for form in self.forms if form.cleaned_data}
        specs = []
        for stage in Stage.objects.prefetch_related("criteria", "steps"):
            data = edited.get(stage.pk, {})
            for attr in ("order", "probability", "norm_days"):
                if attr in data:
                    setattr(stage, attr, data[attr])
            specs.append(stage_spec(stage))
        problems = validate_playbook(specs)
        if problems:
            raise ValidationError(problems)


class ExitCriterionInline(admin.TabularInline[ExitCriterion, Stage]):
    model = ExitCriterion
    formset = CriterionFormSet
    extra = 0
    fields = ["order", "text_zh", "text_en", "mandatory", "step", "evidence"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        step_field = formset.form.base_fields.get("step")
        if isinstance(step_field, ModelChoiceField):
            step_field.queryset = Step.objects.filter(stage=obj) if obj else Step.objects.none()
        return formset


class StepInline(admin.StackedInline[Step, Stage]):
    model = Step
    formset = StepFormSet
    extra = 0
    fields = [
        ("order", "code"),
        ("name_zh", "name_en"),
        ("objective_zh", "objective_en"),
        ("activities_zh", "activities_en"),
        ("results_zh", "results_en"),
        ("reports_zh", "reports_en"),
        "roles",
    ]
    filter_horizontal = ["roles"]


class RequiredFormInline(admin.TabularInline[RequiredForm, Stage]):
    model = RequiredForm
    extra = 0


@admin.register(Stage)
class StageAdmin(SimpleHistoryAdmin):
    list_display = ["name_zh", "name_en", "code", "order", "probability", "norm_days"]
    list_editable = ["order", "probability", "norm_days"]
    list_display_links = ["name_zh"]
    ordering = ["order"]
    fieldsets = [
        (None, {"fields": [("code", "order"), ("probability", "norm_days"), "roles"]}),
        (
            "中文",
            {"fields": ["name_zh", "objective_zh", "activities_zh", "results_zh", "reports_zh"]},
        ),
        (
            "English",
            {"fields": ["name_en", "objective_en", "activities_en", "results_en", "reports_en"]},
        ),
    ]
    filter_horizontal = ["roles"]
    inlines = [ExitCriterionInline, RequiredFormInline, StepInline]

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["formset"] = StageChangeListFormSet
        return super().get_changelist_formset(request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Opportunities will point at stages; a stage is retired by editing, not deleted,
        # and the last one can never go.
        return super().has_delete_permission(request, obj) and Stage.objects.count() > 1
