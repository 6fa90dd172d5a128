"""The vocabulary of evidence criteria (issue 8, ``process.evidence``): what an administrator may
write as a criterion's evidence, the sentence the checklist shows for it, and the data migration
that gives the default playbook's criteria their evidence."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.utils import translation

from keyaccount.process.evidence import Fact, describe, describe_fact, validate
from keyaccount.process.models import ExitCriterion, FormCode, Stage
from keyaccount.process.playbook_default import DEFAULT_PLAYBOOK
from keyaccount.process.vocabulary import Element

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


#: (stage code, Chinese text, evidence) of every default criterion that has evidence
DEFAULT_EVIDENCE = [
    (stage["code"], c["text_zh"], c["evidence"])
    for stage in DEFAULT_PLAYBOOK
    for c in stage["criteria"]
    if c.get("evidence")
]


def test_the_default_playbook_answers_15_criteria_from_the_record():
    assert len(DEFAULT_EVIDENCE) == 15
    assert sum(len(stage["criteria"]) for stage in DEFAULT_PLAYBOOK) == 34
    kinds = {fact["fact"] for _stage, _text, evidence in DEFAULT_EVIDENCE for fact in evidence}
    assert kinds == set(Fact.values)  # every kind of the vocabulary is used somewhere


@pytest.mark.parametrize(
    ("stage", "text", "evidence"), DEFAULT_EVIDENCE, ids=[t for _s, t, _e in DEFAULT_EVIDENCE]
)
def test_the_default_playbook_evidence_is_valid(stage, text, evidence):
    assert validate(evidence) == []


@pytest.mark.parametrize("evidence", [None, "", []])
def test_no_evidence_is_a_manual_criterion(evidence):
    assert validate(evidence) == []


KNOWN_FACTS = ", ".join(Fact.values)
FORMS = ", ".join(FormCode.values)
ELEMENTS = ", ".join(Element.values)
NOT_A_FACT = f"fact 1: not a known fact (one of {KNOWN_FACTS})."
NAME_THE_FORM = f"name the form (one of {FORMS})."
LIST_ELEMENTS = f'fact 1: list the elements ({ELEMENTS}) or say "all".'
MINIMUM = 'fact 1: the minimum is "partly" or "confirmed".'
ALL_OR_ANY = 'fact 1: give "all" or "any" with a list of contacts.'
A_CONTACT = "fact 1.1: a contact is described by a role and/or an attitude."
MIN = 'fact 1: "min" is a whole number from 1.'
MILESTONE = 'say the state ("accepted" or "collected") and which ("any" or "all").'
COACH = {"role": "coach"}


@pytest.mark.parametrize(
    ("evidence", "problems"),
    [
        (
            {"fact": "customer_graded"},
            ['Evidence is a list of facts, e.g. [{"fact": "customer_graded"}].'],
        ),
        ([{"fact": "luck"}], [NOT_A_FACT]),
        (["customer_graded"], [NOT_A_FACT]),
        ([{"form": "ka_follow_up"}], [NOT_A_FACT]),
        (
            [{"fact": "customer_graded"}, {"fact": "form", "form": "invoice"}],
            [f"fact 2: {NAME_THE_FORM}"],
        ),
        ([{"fact": "form"}], [f"fact 1: {NAME_THE_FORM}"]),
        (
            [{"fact": "elements", "elements": ["need", "mood"], "minimum": "partly"}],
            [LIST_ELEMENTS],
        ),
        ([{"fact": "elements", "elements": [], "minimum": "partly"}], [LIST_ELEMENTS]),
        ([{"fact": "elements", "elements": "some", "minimum": "partly"}], [LIST_ELEMENTS]),
        ([{"fact": "elements", "elements": "need", "minimum": "partly"}], [LIST_ELEMENTS]),
        ([{"fact": "elements", "elements": ["need"], "minimum": "unknown"}], [MINIMUM]),
        ([{"fact": "elements", "elements": ["need"]}], [MINIMUM]),
        ([{"fact": "elements", "elements": ["mood"], "minimum": "sure"}], [LIST_ELEMENTS, MINIMUM]),
        ([{"fact": "buying_roles", "all": [COACH], "any": [COACH]}], [ALL_OR_ANY]),
        ([{"fact": "buying_roles"}], [ALL_OR_ANY]),
        ([{"fact": "buying_roles", "all": []}], [ALL_OR_ANY]),
        ([{"fact": "buying_roles", "any": COACH}], [ALL_OR_ANY]),
        (
            [{"fact": "buying_roles", "all": [{"role": "decision_maker"}, {"role": "king"}]}],
            ["fact 1.2: unknown buying role “king”."],
        ),
        (
            [{"fact": "buying_roles", "any": [{"role": "coach", "attitude": "happy"}]}],
            ["fact 1.1: unknown attitude “happy”."],
        ),
        (
            [{"fact": "buying_roles", "any": [{"role": "boss", "attitude": "happy"}]}],
            ["fact 1.1: unknown buying role “boss”.", "fact 1.1: unknown attitude “happy”."],
        ),
        ([{"fact": "buying_roles", "all": [{}]}], [A_CONTACT]),
        ([{"fact": "buying_roles", "all": ["coach"]}], [A_CONTACT]),
        ([{"fact": "buying_roles", "all": [{"role": "coach", "name": "张三"}]}], [A_CONTACT]),
        ([{"fact": "buying_roles", "any": [COACH], "min": 0}], [MIN]),
        ([{"fact": "buying_roles", "any": [COACH], "min": -1}], [MIN]),
        ([{"fact": "buying_roles", "any": [COACH], "min": "2"}], [MIN]),
        ([{"fact": "buying_roles", "any": [COACH], "min": 1.5}], [MIN]),
        ([{"fact": "milestones", "state": "invoiced", "which": "any"}], [f"fact 1: {MILESTONE}"]),
        ([{"fact": "milestones", "state": "accepted", "which": "some"}], [f"fact 1: {MILESTONE}"]),
        ([{"fact": "milestones", "state": "collected"}], [f"fact 1: {MILESTONE}"]),
        (
            [
                {"fact": "risk_cleared"},
                {"fact": "luck"},
                {"fact": "milestones", "state": "paid", "which": "all"},
            ],
            [NOT_A_FACT.replace("fact 1", "fact 2"), f"fact 3: {MILESTONE}"],
        ),
    ],
)
def test_malformed_evidence_is_refused_naming_the_fact_and_the_problem(evidence, problems):
    assert validate(evidence) == problems


# --- the back office ------------------------------------------------------------------------


def intent() -> ExitCriterion:
    return ExitCriterion.objects.get(stage__code="development", text_zh="客户需求意向已初步确认")


def test_a_criterion_with_invalid_evidence_is_not_saved(db):
    criterion = intent()
    before = criterion.evidence
    criterion.evidence = [{"fact": "elements", "elements": ["need"], "minimum": "sure"}]
    with pytest.raises(ValidationError) as err:
        criterion.full_clean()
    assert err.value.message_dict == {"evidence": [MINIMUM]}
    assert intent().evidence == before


def test_a_criterion_with_valid_evidence_or_none_is_saved(db):
    criterion = intent()
    for evidence in ([{"fact": "customer_graded"}, {"fact": "strategic_fit"}], []):
        criterion.evidence = evidence
        criterion.full_clean()
        criterion.save()
        assert intent().evidence == evidence


def test_saving_a_stage_in_the_back_office_keeps_its_criteria_evidence(cast, client_for):
    from ..core.html_forms import form_data, submit

    cast.admin.language = "en"
    cast.admin.save()
    admin_client = client_for(cast.admin)
    stage = Stage.objects.get(code="initiation")
    before = list(stage.criteria.order_by("pk").values_list("pk", "evidence"))
    url = f"/admin/process/stage/{stage.pk}/change/"
    response = submit(admin_client, url, form_data(admin_client, url, "stage_form"))
    assert response.status_code == 302
    assert list(stage.criteria.order_by("pk").values_list("pk", "evidence")) == before
    assert sum(1 for _pk, evidence in before if evidence) == 4


# --- what the checklist says ----------------------------------------------------------------

ONE_OF_EACH = [
    {"fact": "form", "form": "risk_assessment"},
    {"fact": "risk_cleared"},
    {"fact": "elements", "elements": ["need", "budget"], "minimum": "partly"},
    {"fact": "elements", "elements": "all", "minimum": "confirmed"},
    {"fact": "buying_roles", "all": [{"role": "decision_maker"}, {"role": "user"}]},
    {"fact": "buying_roles", "any": [{"role": "coach"}, {"attitude": "supporter"}], "min": 2},
    {"fact": "buying_roles", "any": [{"role": "technical_evaluator", "attitude": "supporter"}]},
    {"fact": "customer_graded"},
    {"fact": "strategic_fit"},
    {"fact": "contract_signed"},
    {"fact": "milestones", "state": "accepted", "which": "any"},
    {"fact": "milestones", "state": "accepted", "which": "all"},
    {"fact": "milestones", "state": "collected", "which": "any"},
    {"fact": "milestones", "state": "collected", "which": "all"},
    {"fact": "new_opportunity"},
]


def test_one_of_each_covers_the_vocabulary():
    assert {f["fact"] for f in ONE_OF_EACH} == set(Fact.values)
    assert validate(ONE_OF_EACH) == []


@pytest.mark.parametrize(
    ("fact", "sentence"),
    [
        (ONE_OF_EACH[0], "the risk assessment form is on file"),
        (ONE_OF_EACH[1], "a risk assessment is on file, and a high risk has a director's go-ahead"),
        (ONE_OF_EACH[2], "need and budget at least “partly known”"),
        (ONE_OF_EACH[3], "all six key evaluation elements at least “confirmed”"),
        (ONE_OF_EACH[4], "the power map has a decision maker and a user"),
        (ONE_OF_EACH[7], "the customer has a grade"),
        (ONE_OF_EACH[8], "the deal is recorded as fitting the company's strategy"),
        (ONE_OF_EACH[9], "the contract is recorded (recording the won deal does it)"),
        (ONE_OF_EACH[10], "a payment milestone is accepted"),
        (ONE_OF_EACH[11], "every payment milestone is accepted"),
        (ONE_OF_EACH[12], "a payment milestone is fully collected"),
        (ONE_OF_EACH[13], "every payment milestone is fully collected"),
        (ONE_OF_EACH[14], "a new opportunity is opened on the customer after the win"),
    ],
)
def test_each_fact_reads_as_a_sentence(fact, sentence):
    assert describe_fact(fact) == sentence


def test_contacts_on_the_power_map_read_with_their_number_role_and_attitude():
    some = describe_fact(ONE_OF_EACH[5])
    assert some == "the power map has at least 2 contacts, each a coach / insider or a supporter"
    both = describe_fact(ONE_OF_EACH[6])
    assert (
        both == "the power map has at least one contact who is a technical evaluator and supporter"
    )


def test_the_facts_of_a_criterion_read_as_one_sentence():
    assert describe([{"fact": "customer_graded"}, {"fact": "strategic_fit"}]) == (
        "the customer has a grade; the deal is recorded as fitting the company's strategy"
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_fact_and_every_default_criterion_reads_in_both_languages(language):
    # the wording's translations are merged into the catalog later: this checks that every
    # fact renders (labels looked up, nothing missing), not the Chinese wording itself
    with translation.override(language):
        for fact in ONE_OF_EACH:
            sentence = describe_fact(fact)
            assert isinstance(sentence, str) and sentence.strip(), fact
            assert "?" not in sentence, fact
        for _stage, _text, evidence in DEFAULT_EVIDENCE:
            assert describe(evidence).strip()
        if language == "zh-hans":  # the labels from the vocabulary are translated already
            assert "需求" in describe_fact(ONE_OF_EACH[2])


# --- the data migration ---------------------------------------------------------------------

MIGRATION = "keyaccount.process.migrations.0005_default_evidence"


def evidence_by_criterion() -> dict[int, list]:
    return dict(ExitCriterion.objects.values_list("pk", "evidence"))


def test_the_migrated_playbook_holds_the_shipped_evidence(db):
    for data in DEFAULT_PLAYBOOK:
        stage = Stage.objects.get(code=data["code"])
        assert list(stage.criteria.order_by("order").values_list("text_zh", "evidence")) == [
            (c["text_zh"], c.get("evidence", [])) for c in data["criteria"]
        ]


def test_the_migration_sets_the_default_evidence_and_leaves_what_an_administrator_changed(db):
    migration = importlib.import_module(MIGRATION)
    ExitCriterion.objects.update(evidence=[])  # the playbook as it was before the migration
    renamed = ExitCriterion.objects.get(stage__code="initiation", text_zh="项目预算已确认")
    renamed.text_zh = "项目预算已落实"
    renamed.save()
    own = [{"fact": "buying_roles", "any": [{"role": "coach"}], "min": 2}]
    chosen = ExitCriterion.objects.get(text_zh="已识别至少一名内线/支持者")
    chosen.evidence = own
    chosen.save()
    elsewhere = ExitCriterion.objects.create(  # the same text in another stage
        stage=Stage.objects.get(code="implementation"), order=9, text_zh="项目预算已确认"
    )

    migration.forwards(django_apps, None)

    after = evidence_by_criterion()
    assert after[renamed.pk] == []
    assert after[chosen.pk] == own
    assert after[elsewhere.pk] == []
    untouched = {renamed.pk, chosen.pk, elsewhere.pk}
    for code, text, evidence in DEFAULT_EVIDENCE:
        criterion = ExitCriterion.objects.filter(stage__code=code, text_zh=text).first()
        if criterion is not None and criterion.pk not in untouched:
            assert after[criterion.pk] == evidence, text
    assert sum(1 for evidence in after.values() if evidence) == 14  # 15, less the renamed one
    assert ExitCriterion.objects.filter(evidence=[], text_zh="客户同意作为样板客户").exists()

    migration.forwards(django_apps, None)  # running it again changes nothing
    assert evidence_by_criterion() == after


def test_the_migration_backwards_makes_every_criterion_manual_and_forwards_restores_them(db):
    migration = importlib.import_module(MIGRATION)
    shipped = evidence_by_criterion()
    migration.backwards(django_apps, None)
    assert not any(evidence_by_criterion().values())
    migration.forwards(django_apps, None)
    assert evidence_by_criterion() == shipped
