"""Latin-script names get the keys of ``rules.name_key``/``core_key`` as they are now: legal
forms (Corporation, Inc, Ltd, GmbH …) dropped, common words left out of the core. Chinese
names keep theirs (unchanged rules). A customer whose new key would equal another live one's
(ACME Corp. beside Acme Corporation, registered before this rule) keeps its old key, so no
record is refused or lost; the likely-duplicate check shows the two from now on."""

from django.db import migrations

from keyaccount.customers import rules


def forwards(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    live = Customer.objects.exclude(status="rejected")
    taken = set(live.values_list("name_key", flat=True))
    changed = []
    for customer in Customer.objects.only("id", "name", "name_key", "core_key", "status").iterator(
        chunk_size=2000
    ):
        folded = (customer.name or "").lower()
        if not rules.is_latin(folded):
            continue
        name_key, core_key = rules.name_key(customer.name), rules.core_key(customer.name)
        if name_key != customer.name_key:
            if customer.status != "rejected" and name_key in taken:
                name_key = customer.name_key
            elif customer.status != "rejected":
                taken.discard(customer.name_key)
                taken.add(name_key)
        if (name_key, core_key) != (customer.name_key, customer.core_key):
            customer.name_key, customer.core_key = name_key, core_key
            changed.append(customer)
    Customer.objects.bulk_update(changed, ["name_key", "core_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_import_batch_state")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
