"""Pure rules of the playbook. No database: the admin and services hand in plain data."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CriterionSpec:
    text: str
    mandatory: bool = True


@dataclass(frozen=True)
class StepSpec:
    code: str
    order: int


@dataclass(frozen=True)
class StageSpec:
    """What the validator needs to know of one stage as it would be after an edit."""

    code: str
    name: str
    order: int
    probability: int
    norm_days: int
    criteria: Sequence[CriterionSpec] = field(default_factory=tuple)
    steps: Sequence[StepSpec] = field(default_factory=tuple)


def validate_stage(stage: StageSpec) -> list[str]:
    """Problems of one stage on its own, each a sentence a user can act on."""
    problems: list[str] = []
    name = stage.name or stage.code
    if not 0 <= stage.probability <= 100:
        problems.append(
            _("Stage “%(stage)s”: the probability must be between 0 and 100 (got %(value)s).")
            % {"stage": name, "value": stage.probability}
        )
    if stage.norm_days < 1:
        problems.append(
            _("Stage “%(stage)s”: the normal duration must be at least one day (got %(value)s).")
            % {"stage": name, "value": stage.norm_days}
        )
    if not stage.criteria:
        problems.append(
            _(
                "Stage “%(stage)s” has no exit criteria: a gate needs at least one, "
                "or nobody can tell when the stage is done."
            )
            % {"stage": name}
        )
    step_orders = Counter(step.order for step in stage.steps)
    for order, count in sorted(step_orders.items()):
        if count > 1:
            problems.append(
                _("Stage “%(stage)s”: %(count)s steps share the order %(order)s.")
                % {"stage": name, "count": count, "order": order}
            )
    return problems


def validate_playbook(stages: Sequence[StageSpec]) -> list[str]:
    """All problems of a whole playbook; an empty list means it may be saved."""
    if not stages:
        return [_("The playbook needs at least one stage.")]
    problems: list[str] = []
    orders = Counter(stage.order for stage in stages)
    for order, count in sorted(orders.items()):
        if count > 1:
            names = "、".join(s.name or s.code for s in stages if s.order == order)
            problems.append(
                _("%(count)s stages share the order %(order)s (%(names)s); each needs its own.")
                % {"count": count, "order": order, "names": names}
            )
    codes = Counter(stage.code for stage in stages)
    for code, count in sorted(codes.items()):
        if count > 1:
            problems.append(_("The stage code “%(code)s” is used twice.") % {"code": code})
    for stage in sorted(stages, key=lambda s: s.order):
        problems.extend(validate_stage(stage))
    return problems


def mandatory_count(criteria: Sequence[CriterionSpec]) -> int:
    return sum(1 for c in criteria if c.mandatory)
