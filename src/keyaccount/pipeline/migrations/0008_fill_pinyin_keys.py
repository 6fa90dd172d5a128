"""The competitors of the catalogue get their pinyin keys. Set-based, in chunks
(``core.pinyin_backfill``)."""

from django.db import migrations

from keyaccount.core.pinyin_backfill import backfill


def forwards(apps, schema_editor):
    backfill(
        apps.get_model("pipeline", "Competitor"),
        columns=("name",),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0007_pinyin_keys")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
