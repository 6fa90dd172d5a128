"""The default playbook (SPEC §4) as the data migration loaded it."""

import copy
import importlib

import pytest
from django.apps import apps as django_apps

from keyaccount.process.models import ExitCriterion, RequiredForm, Stage, Step
from keyaccount.process.playbook_default import DEFAULT_PLAYBOOK, validate_shape
from keyaccount.process.rules import validate_playbook
from keyaccount.process.selectors import stage_specs

TEXT_FIELDS = ("name", "objective", "activities", "results", "reports")
CODES = ["development", "initiation", "proposal", "tender", "negotiation", "implementation"]


def test_six_stages_in_order_with_their_codes_and_probabilities(db):
    stages = list(Stage.objects.order_by("order"))
    assert [s.order for s in stages] == [1, 2, 3, 4, 5, 6]
    assert [s.code for s in stages] == CODES
    assert [s.probability for s in stages] == [10, 25, 40, 60, 80, 100]


def test_stage_names_in_both_languages_follow_the_spec(db):
    names = list(Stage.objects.order_by("order").values_list("name_zh", "name_en"))
    assert names == [
        ("客户开发", "Customer development"),
        ("立项", "Project initiation"),
        ("提案", "Proposal"),
        ("招投标", "Tender"),
        ("商务谈判", "Negotiation"),
        ("工程实施", "Implementation"),
    ]


def test_every_stage_has_a_mandatory_exit_criterion(db):
    for stage in Stage.objects.all():
        assert stage.criteria.filter(mandatory=True).exists(), stage.code


def test_every_stage_has_a_normal_duration(db):
    assert all(days >= 1 for days in Stage.objects.values_list("norm_days", flat=True))


@pytest.mark.parametrize("model", [Stage, Step])
def test_every_text_of_stages_and_steps_is_filled_in_both_languages(db, model):
    for obj in model.objects.all():
        for field in TEXT_FIELDS:
            for language in ("zh", "en"):
                value = getattr(obj, f"{field}_{language}")
                assert value.strip(), f"{obj.code}.{field}_{language} is empty"


def test_every_exit_criterion_is_filled_in_both_languages(db):
    for criterion in ExitCriterion.objects.all():
        assert criterion.text_zh.strip() and criterion.text_en.strip(), criterion.pk


def test_every_stage_and_step_has_responsible_roles(db):
    for obj in [*Stage.objects.all(), *Step.objects.all()]:
        assert obj.roles.exists(), obj.code


def test_stage_one_has_its_three_steps_in_order(db):
    stage = Stage.objects.get(order=1)
    assert list(stage.steps.order_by("order").values_list("order", "code")) == [
        (1, "lead_discovery"),
        (2, "first_interview"),
        (3, "needs_survey"),
    ]


def test_stage_one_requires_the_risk_assessment_form(db):
    stage = Stage.objects.get(order=1)
    assert set(stage.required_forms.values_list("form", flat=True)) == {
        "customer_profile",
        "ka_follow_up",
        "risk_assessment",
    }


def test_first_interview_names_the_risk_assessment(db):
    step = Step.objects.get(code="first_interview")
    assert "risk assessment" in step.activities_en.lower()
    assert "风险评估" in step.activities_zh


def test_the_database_holds_exactly_the_shipped_playbook(db):
    for data in DEFAULT_PLAYBOOK:
        stage = Stage.objects.get(code=data["code"])
        for field in TEXT_FIELDS:
            for language in ("zh", "en"):
                key = f"{field}_{language}"
                assert getattr(stage, key) == data[key], f"{stage.code}.{key}"
        assert (stage.order, stage.probability, stage.norm_days) == (
            data["order"],
            data["probability"],
            data["norm_days"],
        )
        assert sorted(stage.roles.values_list("code", flat=True)) == sorted(data["roles"])
        assert list(stage.steps.order_by("order").values_list("code", flat=True)) == [
            s["code"] for s in data["steps"]
        ]
        criteria = list(
            stage.criteria.order_by("order").values_list(
                "text_zh", "text_en", "mandatory", "step__code"
            )
        )
        assert criteria == [
            (c["text_zh"], c["text_en"], c["mandatory"], c["step"]) for c in data["criteria"]
        ]
        assert sorted(stage.required_forms.values_list("form", flat=True)) == sorted(
            data["required_forms"]
        )


def test_the_loaded_playbook_is_valid(db):
    assert validate_playbook(stage_specs()) == []


def test_the_migration_never_overwrites_an_edited_playbook(db):
    migration = importlib.import_module("keyaccount.process.migrations.0002_default_playbook")
    Stage.objects.filter(code="tender").update(probability=55, name_en="Bidding")
    counts = (Stage.objects.count(), Step.objects.count(), ExitCriterion.objects.count())
    migration.load(django_apps, None)
    assert (Stage.objects.count(), Step.objects.count(), ExitCriterion.objects.count()) == counts
    assert Stage.objects.filter(code="tender").values_list("probability", "name_en").get() == (
        55,
        "Bidding",
    )
    assert RequiredForm.objects.count() == 4


# --- the shipped data itself (no database) --------------------------------------------------


def test_the_shipped_playbook_has_a_valid_shape():
    validate_shape(DEFAULT_PLAYBOOK)


def broken(change) -> list:
    playbook = copy.deepcopy(DEFAULT_PLAYBOOK)
    change(playbook)
    return playbook


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p[1].update(order=1), r"stages: orders must be 1\.\.6 in sequence"),
        (lambda p: p[1].update(code="development"), "duplicate stage code 'development'"),
        (lambda p: p[0].update(criteria=[]), "stage 'development' has no exit criteria"),
        (lambda p: p[0]["steps"][1].update(order=1), "steps of stage 'development'"),
        (lambda p: p[1]["steps"][0].update(code="lead_discovery"), "duplicate step code"),
        (lambda p: p[0].update(roles=["ceo"]), r"unknown role codes \['ceo'\]"),
        (lambda p: p[0].update(required_forms=["x"]), r"unknown form codes \['x'\]"),
        (
            lambda p: p[0]["criteria"][0].update(step="bid_decision"),
            "which is not a step of this stage",
        ),
    ],
)
def test_validate_shape_refuses_a_broken_playbook(change, message):
    with pytest.raises(ValueError, match=message):
        validate_shape(broken(change))
