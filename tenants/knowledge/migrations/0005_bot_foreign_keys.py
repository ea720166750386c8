# bot_id becomes a real foreign key to bots.Bot (docs/decisions/0026-bot-foreign-keys.md). The column keeps
# its name, so code and raw SQL that use bot_id go on working; 0004 deleted any orphans first.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('knowledge', '0004_bot_orphans_delete'),
        ('bots', '0002_versions_review_and_test_cases'),
    ]

    operations = [
        # knowledgesource: the column stays bot_id; the state learns its new name first, then it becomes a key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='knowledgesource', old_name='bot_id', new_name='bot'),
                migrations.AlterField(model_name='knowledgesource', name='bot', field=models.PositiveBigIntegerField(db_column='bot_id', db_index=True)),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='knowledgesource',
            name='bot',
            field=models.ForeignKey(db_column='bot_id', on_delete=django.db.models.deletion.CASCADE, related_name='knowledge_sources', to='bots.bot'),
        ),
        # faq: the column stays bot_id; the state learns its new name first, then it becomes a key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='faq', old_name='bot_id', new_name='bot'),
                migrations.AlterField(model_name='faq', name='bot', field=models.PositiveBigIntegerField(db_column='bot_id', db_index=True)),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='faq',
            name='bot',
            field=models.ForeignKey(db_column='bot_id', on_delete=django.db.models.deletion.CASCADE, related_name='faqs', to='bots.bot'),
        ),
        # chunk: the column stays bot_id; the state learns its new name first, then it becomes a key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='chunk', old_name='bot_id', new_name='bot'),
                migrations.AlterField(model_name='chunk', name='bot', field=models.PositiveBigIntegerField(db_column='bot_id')),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='chunk',
            name='bot',
            field=models.ForeignKey(db_column='bot_id', db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='knowledge_chunks', to='bots.bot'),
        ),
        # knowledgerebuild: the column stays bot_id; the state learns its new name first, then it becomes a key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='knowledgerebuild', old_name='bot_id', new_name='bot'),
                migrations.AlterField(model_name='knowledgerebuild', name='bot', field=models.PositiveBigIntegerField(db_column='bot_id', db_index=True)),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='knowledgerebuild',
            name='bot',
            field=models.ForeignKey(db_column='bot_id', on_delete=django.db.models.deletion.CASCADE, related_name='knowledge_rebuilds', to='bots.bot'),
        ),
        # websitesource: the column stays bot_id; the state learns its new name first, then it becomes a key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='websitesource', old_name='bot_id', new_name='bot'),
                migrations.AlterField(model_name='websitesource', name='bot', field=models.PositiveBigIntegerField(db_column='bot_id', db_index=True)),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name='websitesource',
            name='bot',
            field=models.ForeignKey(db_column='bot_id', on_delete=django.db.models.deletion.CASCADE, related_name='websites', to='bots.bot'),
        ),
    ]
