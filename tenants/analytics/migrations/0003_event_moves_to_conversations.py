# Event moves to the conversations app, which writes it (docs/decisions/0016-import-layers.md). State
# only: the table analytics_event stays where it is and keeps its rows; conversations' 0003 takes it over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0002_rollups_insights'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Event')],
            database_operations=[],
        ),
    ]
