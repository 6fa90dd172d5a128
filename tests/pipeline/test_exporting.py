"""The printable forms' content and their workbooks (``pipeline.exporting``, rule 9): the risk
assessment form (风险评估表) and the KA follow-up form (大客户跟进表). No cell is ever a formula,
whatever a note starts with; headers are in the active language; reads are bounded."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from keyaccount.pipeline import exporting, rules, services
from keyaccount.pipeline.models import RiskFactor

from ..pipeline_support import (
    high_risk_scores,
    low_risk_scores,
    make_opportunity,
    registered_customer,
)

HOSTILE = ("=1+1", "+SUM(A1:A3)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil.example","x")')


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def opp(cast):
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant)
    return make_opportunity(owner=cast.kam, customer=customer, amount=Decimal("3500000.00"))


def assess(cast, opp, scores, summary=""):
    return services.risk_assess(
        actor=cast.kam,
        opportunity=opp,
        assessed_on=timezone.localdate(),
        scores=scores,
        summary=summary,
    )


def load(content: bytes):
    return load_workbook(io.BytesIO(content))


def cells(workbook) -> list:
    """Every non-empty cell of every sheet, after asserting none of them is a formula."""
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value is not None:
                    found.append(cell)
    return found


def item(section, label):
    return next(i for i in section.items if i.label == label)


# --- the risk assessment form -------------------------------------------------------------


def test_risk_form_content(cast, opp):
    scores = low_risk_scores()
    scores["compliance"] = services.ScoreInput(3, "招标文件有倾向性")
    assessment = assess(cast, opp, scores, summary="可控")
    form = exporting.risk_form(assessment)
    assert form.name == "Risk assessment form"
    assert form.title == f"{opp.customer.name} · {opp.name}"
    assert [i.label for i in form.header] == [
        "Customer", "Opportunity", "Stage", "Owner", "Assessed on", "Assessed by",
    ]  # fmt: skip
    factors = form.block("factors")
    assert [c.label for c in factors.columns] == [
        "Factor", "Question", "Score (0–5)", "Weight", "Note",
    ]  # fmt: skip
    expected = list(RiskFactor.objects.order_by("order", "code"))
    assert [row[0] for row in factors.rows] == [f.name_en for f in expected]
    compliance = next(row for row in factors.rows if row[0] == "Compliance")
    assert compliance[2:] == [3, Decimal("10.00"), "招标文件有倾向性"]
    result = form.block("result")
    assert item(result, "Risk score (%)").value == assessment.total
    assert item(result, "Risk level").value == "Low risk"
    assert item(result, "Risk level").tone == "low"
    assert item(result, "Summary").value == "可控"
    assert [i.value for i in form.block("decision").items] == ["No decision needed"]


def test_high_risk_form_recommends_abandoning_until_a_director_decides(cast, opp):
    assessment = assess(cast, opp, high_risk_scores())
    form = exporting.risk_form(assessment)
    advice = item(form.block("result"), "Recommendation")
    assert advice.tone == "advice"
    assert advice.value == (
        "High risk: we recommend abandoning this opportunity. "
        "A sales director decides to continue or abandon."
    )
    (decision,) = form.block("decision").items
    assert (decision.value, decision.tone) == ("Awaiting risk decision", "pending")
    services.risk_decide(
        actor=cast.director, assessment=assessment, decision="continue", reason="战略客户"
    )
    assessment.refresh_from_db()
    decided = {i.label: i.value for i in exporting.risk_form(assessment).block("decision").items}
    assert decided["Decision"] == "Continue"
    assert decided["Decided by"] == str(cast.director)
    assert decided["Reason"] == "战略客户"
    assert isinstance(decided["Decided at"], datetime)


def test_recommendation_per_level():
    assert exporting.recommendation(rules.RiskLevel.HIGH).startswith("High risk: we recommend")
    assert exporting.recommendation(rules.RiskLevel.MEDIUM).startswith("Medium risk")
    assert exporting.recommendation(rules.RiskLevel.LOW).startswith("Low risk")


def test_risk_workbook_has_no_formula_even_when_notes_look_like_one(cast, opp):
    codes = list(RiskFactor.objects.order_by("order").values_list("code", flat=True))
    scores = {
        code: services.ScoreInput(2, HOSTILE[i % len(HOSTILE)]) for i, code in enumerate(codes)
    }
    assessment = assess(cast, opp, scores, summary="=cmd|' /C calc'!A0")
    export = exporting.export_risk_form(assessment)
    assert export.file_name.endswith(".xlsx") and export.file_name.startswith(
        "Risk assessment form"
    )
    workbook = load(export.content)
    assert workbook.sheetnames == ["Risk assessment form"]
    found = cells(workbook)
    texts = [c.value for c in found if isinstance(c.value, str)]
    for hostile in (*HOSTILE, "=cmd|' /C calc'!A0"):
        assert hostile in texts, hostile
    total = next(c for c in found if c.value == assessment.total)
    assert total.number_format == exporting.PERCENT_FORMAT
    assessed = next(c for c in found if isinstance(c.value, datetime))
    assert assessed.value.date() == assessment.assessed_on
    assert assessed.number_format == "yyyy-mm-dd"


def test_workbook_drops_control_characters(cast, opp):
    scores = low_risk_scores()
    scores["compliance"] = services.ScoreInput(1, "ok\x07bell")
    workbook = load(exporting.export_risk_form(assess(cast, opp, scores)).content)
    assert "okbell" in [c.value for c in cells(workbook)]


def test_headers_follow_the_active_language(cast, opp):
    assessment = assess(cast, opp, low_risk_scores())
    with translation.override("zh-hans"):
        workbook = load(exporting.export_risk_form(assessment).content)
    assert workbook.sheetnames == ["风险评估表"]
    values = [c.value for c in cells(workbook)]
    assert "风险评估表" in values and "客户" in values and "负责人" in values
    assert "支付能力" in values  # the factors' own Chinese names


# --- the KA follow-up form ----------------------------------------------------------------


@pytest.fixture
def filled(cast, opp):
    """Every part of the follow-up form filled, each text written like a formula."""
    services.opportunity_update(
        actor=cast.kam,
        opportunity=opp,
        data={"strategic_fit": True, "strategic_note": HOSTILE[0], "products": HOSTILE[1]},
        expected_version=opp.version,
    )
    services.element_set(
        actor=cast.kam, opportunity=opp, element="need", status="partly", notes=HOSTILE[2]
    )
    competitor = services.competitor_register(actor=cast.kam, name="@竞争对手")
    services.competitor_set(
        actor=cast.kam, opportunity=opp, competitor=competitor, strength="equal",
        their_strategy=HOSTILE[3], our_strategy=HOSTILE[4],
    )  # fmt: skip
    contact = opp.customer.contacts.order_by("name").first()
    services.buying_role_set(
        actor=cast.kam, opportunity=opp, contact=contact,
        data={"role": "coach", "influence": "low", "attitude": "supporter",
              "personal_motives": "=动机", "organisational_goals": "+目标", "notes": "-备注"},
    )  # fmt: skip
    services.follow_up_add(
        actor=cast.kam, opportunity=opp, on=date(2025, 3, 5), progress="-进展",
        next_steps="@下一步", support_needed="=支持",
    )  # fmt: skip
    assess(cast, opp, low_risk_scores())
    opp.refresh_from_db()
    return opp


def test_follow_up_form_content(cast, filled):
    form = exporting.follow_up_form(filled)
    assert form.name == "KA follow-up form"
    assert [b.key for b in form.blocks] == [
        "identity", "elements", "competitors", "roles", "risk", "follow_ups",
    ]  # fmt: skip
    identity = {i.label: i for i in form.block("identity").items}
    assert identity["Amount"].value == Decimal("3500000.00")
    assert identity["Amount"].currency == "CNY"
    probability = filled.stage.probability
    assert identity["Probability (%)"].value == probability
    assert identity["Weighted amount"].value == rules.weighted_amount(
        Decimal("3500000.00"), probability
    )
    assert identity["Fits company strategy"].value == "yes"
    assert identity["Team"].value == str(cast.east)
    assert identity["Expected signing date"].value == filled.expected_signing
    elements = form.block("elements")
    assert [r[0] for r in elements.rows] == [str(e.label) for e in rules.Element]
    need = elements.rows[0]
    assert need[1:4] == ["Partly known", HOSTILE[2], str(cast.kam)]
    (competitor,) = form.block("competitors").rows
    assert competitor == ["@竞争对手", "About equal", HOSTILE[3], HOSTILE[4]]
    (role,) = form.block("roles").rows
    assert role[1:] == ["Coach / insider", "Low", "Supporter", "=动机", "+目标", "-备注"]
    risk = {i.label: i.value for i in form.block("risk").items}
    assert risk["Risk level"] == "Low risk"
    (entry,) = form.block("follow_ups").rows
    assert entry == [date(2025, 3, 5), "-进展", "@下一步", "=支持", str(cast.kam)]


def test_follow_up_form_of_a_new_deal_says_what_is_missing(cast, opp):
    form = exporting.follow_up_form(opp)
    assert form.block("competitors").rows == []
    assert form.block("competitors").empty == "No competitor recorded."
    assert form.block("follow_ups").rows == []
    assert [i.value for i in form.block("risk").items] == ["Not assessed yet"]


def test_follow_up_workbook_keeps_every_text_as_text(cast, filled):
    export = exporting.export_follow_up_form(filled)
    workbook = load(export.content)
    assert workbook.sheetnames == ["KA follow-up form"]
    found = cells(workbook)
    texts = [c.value for c in found if isinstance(c.value, str)]
    for text in (*HOSTILE, "=动机", "+目标", "-备注", "-进展", "@下一步", "=支持", "@竞争对手"):
        assert text in texts, text
    amount = next(c for c in found if c.value == Decimal("3500000.00"))
    assert amount.number_format == "#,##0.00"
    assert "CNY" in texts


def test_follow_up_form_reads_a_fixed_number_of_queries(cast, opp):
    def count() -> int:
        fresh = (
            type(opp)
            .objects.select_related(
                "customer__region__parent", "customer__industry", "owner__unit", "stage", "step"
            )
            .get(pk=opp.pk)
        )
        with CaptureQueriesContext(connection) as ctx:
            exporting.follow_up_form(fresh)
        return len(ctx.captured_queries)

    services.follow_up_add(actor=cast.kam, opportunity=opp, on=date(2025, 1, 2), progress="一")
    few = count()
    for day in range(3, 20):
        services.follow_up_add(
            actor=cast.kam, opportunity=opp, on=date(2025, 1, day), progress=f"进展{day}"
        )
    for contact in opp.customer.contacts.all():
        services.buying_role_set(
            actor=cast.kam, opportunity=opp, contact=contact,
            data={"role": "user", "influence": "low", "attitude": "neutral"},
        )  # fmt: skip
    assert count() == few
