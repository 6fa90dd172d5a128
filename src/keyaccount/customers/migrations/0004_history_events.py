"""Reasons the system wrote in the language of whoever caused them become language-neutral
events (``core.events``), rendered in the reader's language: "Registration approved" /
"备案已批准" on owner changes and on the customer's history."""

from django.db import migrations

EVENT = 'event:{"kind": "registration_approved"}'
WRITTEN = ["Registration approved", "registration approved", "备案已批准"]


def forwards(apps, schema_editor):
    apps.get_model("customers", "OwnerChange").objects.filter(reason__in=WRITTEN).update(
        reason=EVENT
    )
    apps.get_model("customers", "HistoricalCustomer").objects.filter(
        history_change_reason__in=WRITTEN
    ).update(history_change_reason=EVENT)


def backwards(apps, schema_editor):
    apps.get_model("customers", "OwnerChange").objects.filter(reason=EVENT).update(
        reason="Registration approved"
    )
    apps.get_model("customers", "HistoricalCustomer").objects.filter(
        history_change_reason=EVENT
    ).update(history_change_reason="registration approved")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_import_batch")]
    operations = [migrations.RunPython(forwards, backwards)]
