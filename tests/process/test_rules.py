"""Pure playbook rules: what makes a playbook valid, each problem in a specific sentence."""

from collections import Counter
from dataclasses import replace

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from keyaccount.process.rules import (
    CriterionSpec,
    StageSpec,
    StepSpec,
    mandatory_count,
    validate_playbook,
    validate_stage,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def stage(order: int, code: str, name: str, **changes) -> StageSpec:
    spec = StageSpec(
        code=code,
        name=name,
        order=order,
        probability=order * 10,
        norm_days=30,
        criteria=(CriterionSpec(text="done"),),
        steps=(StepSpec(code=f"{code}_a", order=1), StepSpec(code=f"{code}_b", order=2)),
    )
    return replace(spec, **changes)


def playbook() -> list[StageSpec]:
    return [
        stage(1, "development", "Customer development"),
        stage(2, "initiation", "Project initiation"),
        stage(3, "proposal", "Proposal"),
    ]


def with_stage(index: int, **changes) -> list[StageSpec]:
    stages = playbook()
    stages[index] = replace(stages[index], **changes)
    return stages


def test_a_valid_playbook_has_no_problems():
    assert validate_playbook(playbook()) == []


def test_a_single_valid_stage_has_no_problems():
    assert validate_stage(stage(1, "development", "Customer development")) == []


def test_an_empty_playbook_is_refused():
    assert validate_playbook([]) == ["The playbook needs at least one stage."]


def test_two_stages_with_the_same_order_are_named():
    assert validate_playbook(with_stage(1, order=1)) == [
        "2 stages share the order 1 (Customer development、Project initiation); each needs its own."
    ]


def test_three_stages_with_the_same_order_are_counted():
    stages = [replace(s, order=4) for s in playbook()]
    assert validate_playbook(stages) == [
        "3 stages share the order 4 (Customer development、Project initiation、Proposal); "
        "each needs its own."
    ]


def test_a_duplicate_stage_code_is_named():
    assert validate_playbook(with_stage(2, code="initiation")) == [
        "The stage code “initiation” is used twice."
    ]


def test_a_duplicate_step_order_names_the_stage():
    steps = (StepSpec(code="a", order=1), StepSpec(code="b", order=1), StepSpec(code="c", order=2))
    assert validate_playbook(with_stage(0, steps=steps)) == [
        "Stage “Customer development”: 2 steps share the order 1."
    ]


def test_a_stage_without_criteria_is_named():
    assert validate_playbook(with_stage(1, criteria=())) == [
        "Stage “Project initiation” has no exit criteria: a gate needs at least one, "
        "or nobody can tell when the stage is done."
    ]


def test_a_stage_with_only_optional_criteria_is_valid():
    assert validate_playbook(with_stage(1, criteria=(CriterionSpec("x", mandatory=False),))) == []


@pytest.mark.parametrize("probability", [-1, 101, 150, -100])
def test_a_probability_out_of_range_names_the_stage_and_value(probability):
    assert validate_playbook(with_stage(2, probability=probability)) == [
        f"Stage “Proposal”: the probability must be between 0 and 100 (got {probability})."
    ]


@pytest.mark.parametrize("probability", [0, 100])
def test_probability_bounds_are_allowed(probability):
    assert validate_playbook(with_stage(2, probability=probability)) == []


@pytest.mark.parametrize("days", [0, -5])
def test_a_normal_duration_under_one_day_names_the_stage_and_value(days):
    assert validate_playbook(with_stage(0, norm_days=days)) == [
        f"Stage “Customer development”: the normal duration must be at least one day (got {days})."
    ]


def test_a_stage_without_a_name_is_named_by_its_code():
    assert validate_stage(stage(1, "tender", "", norm_days=0)) == [
        "Stage “tender”: the normal duration must be at least one day (got 0)."
    ]


def test_every_problem_is_reported_at_once_in_stage_order():
    stages = playbook()
    stages[2] = replace(stages[2], order=1, probability=101)
    stages[0] = replace(stages[0], criteria=(), norm_days=0)
    assert validate_playbook(stages) == [
        "2 stages share the order 1 (Customer development、Proposal); each needs its own.",
        "Stage “Customer development”: the normal duration must be at least one day (got 0).",
        "Stage “Customer development” has no exit criteria: a gate needs at least one, "
        "or nobody can tell when the stage is done.",
        "Stage “Proposal”: the probability must be between 0 and 100 (got 101).",
    ]


def test_mandatory_count():
    criteria = [CriterionSpec("a"), CriterionSpec("b", mandatory=False), CriterionSpec("c")]
    assert mandatory_count(criteria) == 2
    assert mandatory_count([]) == 0


# --- property: validate_playbook is total and exact -----------------------------------------

criteria_strategy = st.lists(
    st.builds(CriterionSpec, text=st.text(min_size=1, max_size=5), mandatory=st.booleans()),
    max_size=3,
)
steps_strategy = st.lists(
    st.builds(StepSpec, code=st.text(max_size=4), order=st.integers(-1, 4)), max_size=4
)
stage_strategy = st.builds(
    StageSpec,
    code=st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]),
    name=st.text(max_size=8),
    order=st.integers(-2, 8),
    probability=st.integers(-5, 110),
    norm_days=st.integers(-2, 100),
    criteria=criteria_strategy,
    steps=steps_strategy,
)


def is_valid(stages: list[StageSpec]) -> bool:
    def unique(values) -> bool:
        return all(count == 1 for count in Counter(values).values())

    return (
        len(stages) > 0
        and unique(s.order for s in stages)
        and unique(s.code for s in stages)
        and all(0 <= s.probability <= 100 for s in stages)
        and all(s.norm_days >= 1 for s in stages)
        and all(len(s.criteria) >= 1 for s in stages)
        and all(unique(step.order for step in s.steps) for s in stages)
    )


@settings(deadline=None)  # timing varies on a busy CI machine
@given(st.lists(stage_strategy, max_size=7))
def test_validate_playbook_never_raises_and_is_empty_exactly_for_valid_playbooks(stages):
    problems = validate_playbook(stages)
    assert isinstance(problems, list)
    assert all(isinstance(p, str) and p for p in problems)
    assert (problems == []) is is_valid(stages)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(st.lists(stage_strategy, min_size=1, max_size=7))
def test_each_stage_problem_appears_in_the_playbook_problems(stages):
    problems = validate_playbook(stages)
    for spec in stages:
        for problem in validate_stage(spec):
            assert problem in problems


@settings(deadline=None)  # timing varies on a busy CI machine
@given(st.permutations(playbook()))
def test_the_order_of_the_list_does_not_matter(stages):
    assert validate_playbook(stages) == []
