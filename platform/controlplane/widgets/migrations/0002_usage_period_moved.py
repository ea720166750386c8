"""UsagePeriod now belongs to controlplane.billing; its table stays (state only)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("widgets", "0001_initial"),
        ("billing", "0003_usage_period_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="UsagePeriod")],
            database_operations=[],
        ),
    ]
