"""The default playbook's criteria that the record can answer become evidence criteria
(``process.evidence``): matched by stage and Chinese text, and only where an administrator has
not set evidence already. Existing checks of those criteria stay in the history."""

from django.db import migrations


def forwards(apps, schema_editor):
    from keyaccount.process.playbook_default import DEFAULT_PLAYBOOK

    ExitCriterion = apps.get_model("process", "ExitCriterion")
    for stage in DEFAULT_PLAYBOOK:
        for c in stage["criteria"]:
            evidence = c.get("evidence")
            if evidence:
                ExitCriterion.objects.filter(
                    stage__code=stage["code"], text_zh=c["text_zh"], evidence=[]
                ).update(evidence=evidence)


def backwards(apps, schema_editor):
    apps.get_model("process", "ExitCriterion").objects.update(evidence=[])


class Migration(migrations.Migration):
    dependencies = [("process", "0004_criterion_evidence")]
    operations = [migrations.RunPython(forwards, backwards)]
