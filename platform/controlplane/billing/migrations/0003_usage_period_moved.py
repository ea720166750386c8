"""UsagePeriod moves from controlplane.widgets to controlplane.billing (issue 10/13).

State only: the table `widgets_usageperiod` and its rows stay exactly where they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_seed_plans"),
        ("widgets", "0001_initial"),
        ("clients", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="UsagePeriod",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("period", models.CharField(max_length=7)),
                        ("messages", models.PositiveIntegerField(default=0)),
                        ("input_tokens", models.PositiveBigIntegerField(default=0)),
                        ("output_tokens", models.PositiveBigIntegerField(default=0)),
                        ("client", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                     related_name="usage_periods", to="clients.client")),
                    ],
                    options={
                        "db_table": "widgets_usageperiod",
                        "constraints": [models.UniqueConstraint(fields=("client", "period"),
                                                                name="unique_usage_period")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
