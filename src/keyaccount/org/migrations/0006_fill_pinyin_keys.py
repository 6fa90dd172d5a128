"""People written before users kept pinyin keys get them: from the name colleagues see
(``str(user)``: display name, else first and last name, else username). Set-based, in chunks
(``core.pinyin_backfill``)."""

from django.db import migrations

from keyaccount.core.pinyin_backfill import backfill


def shown_name(display_name: str, first_name: str, last_name: str, username: str) -> str:
    return display_name or f"{first_name} {last_name}".strip() or username


def forwards(apps, schema_editor):
    backfill(
        apps.get_model("org", "User"),
        columns=("display_name", "first_name", "last_name", "username"),
        name_of=shown_name,
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("org", "0005_pinyin_keys")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
