"""Load the default playbook of SPEC §4 (written by hand; content in playbook_default.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from keyaccount.process.playbook_default import DEFAULT_PLAYBOOK, validate_shape

    validate_shape(DEFAULT_PLAYBOOK)
    Stage = apps.get_model("process", "Stage")
    Step = apps.get_model("process", "Step")
    ExitCriterion = apps.get_model("process", "ExitCriterion")
    RequiredForm = apps.get_model("process", "RequiredForm")
    Role = apps.get_model("org", "Role")
    if Stage.objects.exists():
        return  # never overwrite a playbook an administrator has edited
    roles = {r.code: r for r in Role.objects.all()}
    text = ("name", "objective", "activities", "results", "reports")
    for s in DEFAULT_PLAYBOOK:
        stage = Stage.objects.create(
            code=s["code"],
            order=s["order"],
            probability=s["probability"],
            norm_days=s["norm_days"],
            **{f"{f}_{lang}": s[f"{f}_{lang}"] for f in text for lang in ("zh", "en")},
        )
        stage.roles.set([roles[c] for c in s["roles"]])
        steps = {}
        for st in s["steps"]:
            step = Step.objects.create(
                stage=stage,
                code=st["code"],
                order=st["order"],
                **{f"{f}_{lang}": st[f"{f}_{lang}"] for f in text for lang in ("zh", "en")},
            )
            step.roles.set([roles[c] for c in st["roles"]])
            steps[st["code"]] = step
        for order, c in enumerate(s["criteria"], start=1):
            ExitCriterion.objects.create(
                stage=stage,
                step=steps.get(c["step"]) if c["step"] else None,
                order=order,
                text_zh=c["text_zh"],
                text_en=c["text_en"],
                mandatory=c["mandatory"],
            )
        for form in s["required_forms"]:
            RequiredForm.objects.create(stage=stage, form=form)


class Migration(migrations.Migration):
    dependencies = [("process", "0001_initial"), ("org", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
