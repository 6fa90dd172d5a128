"""Reads of the playbook. The playbook is shared by everyone signed in."""

from django.db.models import Prefetch, QuerySet

from keyaccount.org.models import Role

from .models import ExitCriterion, Stage, Step
from .rules import CriterionSpec, StageSpec, StepSpec


def playbook_stages() -> QuerySet[Stage]:
    """All stages with steps, criteria, roles and forms: a fixed number of queries."""
    roles = Role.objects.order_by("order")
    return Stage.objects.order_by("order").prefetch_related(
        Prefetch("roles", queryset=roles),
        Prefetch(
            "steps",
            queryset=Step.objects.order_by("order").prefetch_related(
                Prefetch("roles", queryset=roles)
            ),
        ),
        Prefetch("criteria", queryset=ExitCriterion.objects.select_related("step")),
        "required_forms",
    )


def stage_specs(*, exclude_stage_id: int | None = None) -> list[StageSpec]:
    """The stored playbook in the validator's terms (optionally without one stage)."""
    specs = []
    for stage in playbook_stages():
        if stage.pk == exclude_stage_id:
            continue
        specs.append(stage_spec(stage))
    return specs


def stage_spec(
    stage: Stage,
    *,
    criteria: list[CriterionSpec] | None = None,
    steps: list[StepSpec] | None = None,
) -> StageSpec:
    if criteria is None:
        criteria = (
            [CriterionSpec(text=c.text, mandatory=c.mandatory) for c in stage.criteria.all()]
            if stage.pk
            else []
        )
    if steps is None:
        steps = (
            [StepSpec(code=s.code, order=s.order) for s in stage.steps.all()] if stage.pk else []
        )
    return StageSpec(
        code=stage.code,
        name=stage.name,
        order=stage.order if stage.order is not None else 0,
        probability=stage.probability if stage.probability is not None else 0,
        norm_days=stage.norm_days if stage.norm_days is not None else 0,
        criteria=criteria,
        steps=steps,
    )
