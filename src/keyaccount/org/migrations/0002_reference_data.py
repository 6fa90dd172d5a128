"""Load the eight roles, the region tree and the industries (written by hand)."""

from django.db import migrations


def load(apps, schema_editor):
    from keyaccount.org.seed import INDUSTRIES, REGIONS, ROLES

    Role = apps.get_model("org", "Role")
    Region = apps.get_model("org", "Region")
    Industry = apps.get_model("org", "Industry")
    for order, (code, name_zh, name_en, desc_zh, desc_en) in enumerate(ROLES, start=1):
        Role.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "description_zh": desc_zh,
                "description_en": desc_en,
                "order": order,
            },
        )
    by_code = {}
    for order, (code, name_zh, name_en, kind, parent) in enumerate(REGIONS, start=1):
        by_code[code], _ = Region.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "kind": kind,
                "parent": by_code.get(parent) if parent else None,
                "order": order,
            },
        )
    industries = {}
    for order, (code, name_zh, name_en, parent) in enumerate(INDUSTRIES, start=1):
        industries[code], _ = Industry.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "parent": industries.get(parent) if parent else None,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
