"""Every default risk question asks about a risk, so that 5 always means "severe risk": the three
that asked the opposite ("Can the customer pay?", "Is our solution able…?", "Do we have the
capacity?") are turned round. Only questions still worded as shipped are changed."""

from django.db import migrations

# code: ((old zh, new zh), (old en, new en))
REWORDED = {
    "ability_to_pay": (
        ("客户是否有足够且可靠的支付能力？", "客户支付能力不足、不能按时足额付款的风险有多大？"),
        (
            "Can the customer pay, reliably and on time?",
            "How likely is it that the customer cannot pay in full and on time?",
        ),
    ),
    "technical_feasibility": (
        ("我们的方案在技术上能否满足需求？", "我们的方案在技术上满足不了需求的风险有多大？"),
        (
            "Is our solution technically able to meet the need?",
            "How likely is it that our solution cannot meet the need technically?",
        ),
    ),
    "delivery_capacity": (
        ("我们是否有足够的交付资源？", "我们交付资源不足的风险有多大？"),
        (
            "Do we have the delivery capacity for it?",
            "How likely is it that we lack the capacity to deliver it?",
        ),
    ),
}


def _apply(apps, forwards):
    RiskFactor = apps.get_model("pipeline", "RiskFactor")
    for code, ((old_zh, new_zh), (old_en, new_en)) in REWORDED.items():
        src_zh, dst_zh = (old_zh, new_zh) if forwards else (new_zh, old_zh)
        src_en, dst_en = (old_en, new_en) if forwards else (new_en, old_en)
        RiskFactor.objects.filter(code=code, question_zh=src_zh).update(question_zh=dst_zh)
        RiskFactor.objects.filter(code=code, question_en=src_en).update(question_en=dst_en)


def forwards(apps, schema_editor):
    _apply(apps, True)


def backwards(apps, schema_editor):
    _apply(apps, False)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0003_list_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
