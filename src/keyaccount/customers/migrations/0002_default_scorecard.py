"""The default key-account scorecard (SPEC §5) and grade thresholds (written by hand)."""

from decimal import Decimal

from django.db import migrations

# code, group, name_zh, name_en, question_zh, question_en, weight
FACTORS = [
    ("reachability", "feasibility", "可达成性", "Reachability",
     "是否有可用的营销渠道到达该客户？", "Does a channel of ours reach this customer?", 12),
    ("profitability", "feasibility", "赢利性", "Profitability",
     "经济分析是否表明该客户可为公司带来赢利？", "Does the economics show this customer is profitable for us?", 14),
    ("implementability", "feasibility", "可实施性", "Implementability",
     "针对该客户，常用的实施方案是否可行？", "Is our usual implementation feasible for this customer?", 10),
    ("value", "feasibility", "价值性", "Value to the customer",
     "我们带来的价值对客户而言重要并紧迫吗？", "Is the value we bring important and urgent for them?", 14),
    ("sustainability", "feasibility", "可持续性", "Sustainability",
     "和竞争者相比，我们能一直保持领先吗？", "Can we stay ahead of competitors at this customer?", 10),
    ("unique_offer", "attractiveness", "差异化能力", "What competitors cannot offer",
     "我们能提供竞争对手不能（完美）提供的东西吗？", "Do we offer what competitors cannot (or not as well)?", 10),
    ("ability_to_pay", "attractiveness", "近期支付能力", "Ability to pay near-term",
     "客户近期是否具备支付能力？", "Can the customer pay in the near term?", 12),
    ("growth_potential", "attractiveness", "发展潜力", "Growth potential",
     "客户是否具备发展潜力？", "Does the customer have growth potential?", 8),
    ("service_fit", "attractiveness", "服务匹配度", "Service needs we can meet",
     "客户对服务的要求适合我们公司来完成吗？", "Are their service needs a fit for what we do?", 5),
    ("size", "attractiveness", "企业规模", "Company size",
     "收入、预算、员工和技术人员规模（大企业不等于大客户）", "Revenue, budget, staff (a big company is not necessarily a key account)", 5),
]


def load(apps, schema_editor):
    ScoringFactor = apps.get_model("customers", "ScoringFactor")
    GradingPolicy = apps.get_model("customers", "GradingPolicy")
    for order, (code, group, nzh, nen, qzh, qen, weight) in enumerate(FACTORS, start=1):
        ScoringFactor.objects.update_or_create(
            code=code,
            defaults={
                "group": group, "name_zh": nzh, "name_en": nen, "question_zh": qzh,
                "question_en": qen, "weight": Decimal(weight), "order": order,
            },
        )
    if not GradingPolicy.objects.exists():
        GradingPolicy.objects.create(
            threshold_a=Decimal(80), threshold_b=Decimal(65), threshold_c=Decimal(45)
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
