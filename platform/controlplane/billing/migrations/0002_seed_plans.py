from django.db import migrations

PLANS = [
    # key, name, price (cents), monthly messages, overage policy, overage cents / 100 messages
    ("starter", "Starter", 4900, 1000, "pause", 0, 1),
    ("growth", "Growth", 14900, 5000, "soft_limit", 200, 2),
    ("pro", "Pro", 39900, 20000, "soft_limit", 150, 3),
]


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for key, name, price, quota, policy, overage, order in PLANS:
        Plan.objects.update_or_create(
            key=key,
            defaults={"name": name, "monthly_price_cents": price, "monthly_message_quota": quota,
                      "overage_policy": policy, "overage_cents_per_100_messages": overage,
                      "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
