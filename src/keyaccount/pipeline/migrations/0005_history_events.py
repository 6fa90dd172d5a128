"""Reasons the system wrote in the language of whoever caused them become language-neutral
events (``core.events``), rendered in the reader's language: "Contract … signed" on forecast
changes, "Risk assessed: …" on the deal's history."""

import json
import re

from django.db import migrations

CONTRACT = [re.compile(r"^Contract (?P<number>.+) signed$"), re.compile(r"^合同 (?P<number>.+) 已签订$")]
RISK = [re.compile(r"^Risk assessed: (?P<label>.+)$"), re.compile(r"^风险评估完成：(?P<label>.+)$")]
LEVELS = {
    "Low risk": "low", "低风险": "low",
    "Medium risk": "medium", "中风险": "medium",
    "High risk": "high", "高风险": "high",
}  # fmt: skip


def event(kind, **params):
    return "event:" + json.dumps({"kind": kind, **params}, ensure_ascii=False, sort_keys=True)


def _match(patterns, text):
    for pattern in patterns:
        found = pattern.match(text or "")
        if found:
            return found
    return None


def forwards(apps, schema_editor):
    ForecastChange = apps.get_model("pipeline", "ForecastChange")
    for row in ForecastChange.objects.exclude(reason="").only("pk", "reason").iterator():
        found = _match(CONTRACT, row.reason)
        if found:
            ForecastChange.objects.filter(pk=row.pk).update(
                reason=event("contract_signed", number=found["number"])
            )
    History = apps.get_model("pipeline", "HistoricalOpportunity")
    rows = History.objects.filter(history_change_reason__isnull=False).exclude(
        history_change_reason=""
    )
    for row in rows.only("history_id", "history_change_reason").iterator():
        found = _match(RISK, row.history_change_reason)
        if found and found["label"] in LEVELS:
            History.objects.filter(history_id=row.history_id).update(
                history_change_reason=event("risk_assessed", level=LEVELS[found["label"]])
            )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0004_risk_questions_as_risks")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
