"""Customers written before they kept a pinyin sort key and the full pinyin get them (and their
initials again, from the same pass). Set-based, in chunks (``core.pinyin_backfill``)."""

from django.db import migrations

from keyaccount.core.pinyin_backfill import backfill


def forwards(apps, schema_editor):
    backfill(
        apps.get_model("customers", "Customer"),
        columns=("name",),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_pinyin_keys")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
