"""Contacts written before they kept pinyin keys get them. Set-based, in chunks
(``core.pinyin_backfill``)."""

from django.db import migrations

from keyaccount.core.pinyin_backfill import backfill


def forwards(apps, schema_editor):
    backfill(
        apps.get_model("contacts", "Contact"),
        columns=("name",),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_pinyin_keys")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
