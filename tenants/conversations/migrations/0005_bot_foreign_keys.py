# bot_id becomes a real foreign key to bots.Bot (docs/decisions/0026-bot-foreign-keys.md). The column keeps
# its name, so code and raw SQL that use bot_id go on working; 0004 checked there are no orphans.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0004_bot_orphans_check'),
        ('bots', '0002_versions_review_and_test_cases'),
    ]

    operations = [
        # visitorsession: the column stays bot_id; the state learns its new name first, then it becomes a key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='visitorsession', old_name='bot_id', new_name='bot'),
                migrations.AlterField(model_name='visitorsession', name='bot', field=models.PositiveBigIntegerField(db_column='bot_id')),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='visitorsession',
            name='bot',
            field=models.ForeignKey(db_column='bot_id', db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='visitor_sessions', to='bots.bot'),
        ),
        # conversation: the column stays bot_id; the state learns its new name first, then it becomes a key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='conversation', old_name='bot_id', new_name='bot'),
                migrations.AlterField(model_name='conversation', name='bot', field=models.PositiveBigIntegerField(db_column='bot_id')),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='conversation',
            name='bot',
            field=models.ForeignKey(db_column='bot_id', db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='conversations', to='bots.bot'),
        ),
        # event: the column stays bot_id; the state learns its new name first, then it becomes a key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='event', old_name='bot_id', new_name='bot'),
                migrations.AlterField(model_name='event', name='bot', field=models.PositiveBigIntegerField(db_column='bot_id')),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='event',
            name='bot',
            field=models.ForeignKey(db_column='bot_id', db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='bots.bot'),
        ),
    ]
