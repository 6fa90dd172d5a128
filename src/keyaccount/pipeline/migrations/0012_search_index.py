"""The deal search index: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL
(``pipeline.search``)."""

from django.db import migrations

from keyaccount.pipeline.search import drop_index, ensure_index


def create(apps, schema_editor):
    ensure_index(schema_editor.connection)


def drop(apps, schema_editor):
    drop_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0011_stored_forecast")]

    operations = [migrations.RunPython(create, drop)]
