# ClientReviewCount moves here from the removed controlplane.review_queue app
# (docs/decisions/0014-review-in-one-app.md). The table keeps its name, review_queue_clientreviewcount:
# on a database where review_queue's migration ran it already exists with its rows and nothing is
# done; on a fresh database (review_queue's migrations are gone) it is created here.

import django.db.models.deletion
from django.db import migrations, models


def create_table_if_missing(apps, schema_editor):
    model = apps.get_model('rollups', 'ClientReviewCount')
    if model._meta.db_table not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(model)


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0001_initial'),
        ('rollups', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ClientReviewCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('open_count', models.PositiveIntegerField(default=0)),
                        ('open_by_kind', models.JSONField(default=dict)),
                        ('latest_open_at', models.DateTimeField(blank=True, null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('client', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review_count', to='clients.client')),
                    ],
                    options={
                        'db_table': 'review_queue_clientreviewcount',
                        'ordering': ['-open_count', 'client__name'],
                    },
                ),
            ],
            database_operations=[],
        ),
        # After the state knows the model, so the function can build its table from it.
        migrations.RunPython(create_table_if_missing, migrations.RunPython.noop),
    ]
