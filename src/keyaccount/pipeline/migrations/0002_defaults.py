"""Default risk factors, loss reasons, pipeline policy and element requirements (SPEC §4, §6).

Written by hand. Also marks the risk assessment form as required before leaving the
first-interview step of the default playbook. Idempotent: never overwrites edited data.
"""

from decimal import Decimal

from django.db import migrations

# code, name_zh, name_en, question_zh, question_en, weight. Every question asks about a risk
# (0 = none … 5 = severe); 0004 rewords installs that still have the first wording.
RISK_FACTORS = [
    ("ability_to_pay", "支付能力", "Ability to pay",
     "客户支付能力不足、不能按时足额付款的风险有多大？", "How likely is it that the customer cannot pay in full and on time?", 12),
    ("budget_unconfirmed", "预算未确认", "Budget unconfirmed",
     "项目预算是否尚未落实？", "Is the project budget still unconfirmed?", 12),
    ("decision_unclear", "决策流程不清", "Decision process unclear",
     "决策流程和决策人是否仍不清楚？", "Are the decision process and decision makers still unclear?", 12),
    ("strong_incumbent", "强势在位供应商", "Strong incumbent",
     "是否有根基深厚的在位供应商？", "Is there a well-entrenched incumbent supplier?", 10),
    ("technical_feasibility", "技术可行性", "Technical feasibility",
     "我们的方案在技术上满足不了需求的风险有多大？", "How likely is it that our solution cannot meet the need technically?", 12),
    ("delivery_capacity", "交付能力", "Delivery capacity",
     "我们交付资源不足的风险有多大？", "How likely is it that we lack the capacity to deliver it?", 10),
    ("price_pressure", "价格与毛利压力", "Price / margin pressure",
     "价格或毛利是否承受很大压力？", "Is there heavy pressure on price or margin?", 10),
    ("relationship_coverage", "关系覆盖不足", "Weak relationship coverage",
     "我们与关键决策人的关系是否覆盖不足？", "Is our coverage of the key decision makers weak?", 12),
    ("compliance", "合规风险", "Compliance",
     "是否存在招投标或合规方面的风险？", "Are there tender or compliance risks?", 10),
]

LOSS_REASONS = [
    ("price", "价格", "Price"),
    ("technical_fit", "技术方案不符", "Solution did not fit"),
    ("relationship", "客户关系不足", "Weak relationship"),
    ("incumbent", "在位供应商续约", "Incumbent renewed"),
    ("budget_cut", "预算取消或削减", "Budget cut or cancelled"),
    ("project_cancelled", "项目取消", "Project cancelled"),
    ("timing", "时机延误", "Lost on timing"),
    ("qualification", "资质不符", "Qualification not met"),
    ("other", "其他", "Other"),
]

# stage code -> [(element, minimum)]
ELEMENT_REQUIREMENTS = {
    "development": [("need", "partly")],
    "initiation": [("need", "confirmed"), ("budget", "confirmed"), ("schedule", "confirmed"),
                   ("decision", "partly")],
    "proposal": [("competition", "partly"), ("priority_items", "confirmed")],
    "tender": [("decision", "confirmed")],
}


def load(apps, schema_editor):
    RiskFactor = apps.get_model("pipeline", "RiskFactor")
    LossReason = apps.get_model("pipeline", "LossReason")
    PipelinePolicy = apps.get_model("pipeline", "PipelinePolicy")
    ElementRequirement = apps.get_model("pipeline", "ElementRequirement")
    Stage = apps.get_model("process", "Stage")
    Step = apps.get_model("process", "Step")
    RequiredForm = apps.get_model("process", "RequiredForm")
    if not RiskFactor.objects.exists():
        for order, (code, zh, en, qzh, qen, weight) in enumerate(RISK_FACTORS, start=1):
            RiskFactor.objects.create(
                code=code, name_zh=zh, name_en=en, question_zh=qzh, question_en=qen,
                weight=Decimal(weight), order=order,
            )
    if not LossReason.objects.exists():
        for order, (code, zh, en) in enumerate(LOSS_REASONS, start=1):
            LossReason.objects.create(code=code, name_zh=zh, name_en=en, order=order)
    if not PipelinePolicy.objects.exists():
        PipelinePolicy.objects.create()
    if not ElementRequirement.objects.exists():
        stages = {s.code: s for s in Stage.objects.all()}
        for code, items in ELEMENT_REQUIREMENTS.items():
            if code in stages:
                for element, minimum in items:
                    ElementRequirement.objects.create(
                        stage=stages[code], element=element, minimum=minimum
                    )
    step = Step.objects.filter(code="first_interview").first()
    if step is not None:
        RequiredForm.objects.filter(
            stage_id=step.stage_id, form="risk_assessment", step__isnull=True
        ).update(step=step)


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0001_initial"),
        ("process", "0003_requiredform_step"),
        ("process", "0002_default_playbook"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
