"""Opportunities keep their owner's org unit (``org.ownership``): filled from the owners in one
set-based UPDATE, before the indexes are built."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from keyaccount.org.ownership import backfill


def fill(apps, schema_editor):
    backfill(
        apps.get_model("pipeline", "Opportunity"),
        apps.get_model("org", "User"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0007_owner_unit'),
        ('org', '0006_fill_pinyin_keys'),
        ('pipeline', '0009_review_indexes'),
        ('process', '0005_default_evidence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='opportunity',
            name='owner_unit',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.orgunit', verbose_name="owner's org unit"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(fields=['owner_unit', 'status'], name='opp_unit_status'),
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(fields=['status', 'owner_unit', 'owner', 'currency', 'stage', 'probability_override', 'amount'], name='opp_totals'),
        ),
    ]
