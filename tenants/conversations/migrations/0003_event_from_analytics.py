# The conversations app takes over Event from analytics (docs/decisions/0016-import-layers.md).
# State only: same table (analytics_event), same columns and indexes, so no data moves.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0002_reviewitem_moves_to_review'),
        ('analytics', '0003_event_moves_to_conversations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Event',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('widget_load', 'Widget loaded'), ('session_start', 'Session started'), ('message', 'Bot replied'), ('lead_captured', 'Lead captured'), ('booking_click', 'Booking link clicked'), ('fallback', 'Fallback reply'), ('crisis', 'Crisis detected'), ('feedback', 'Answer feedback'), ('handoff', 'Handoff requested')], max_length=16)),
                        ('occurred_at', models.DateTimeField()),
                        ('bot_id', models.PositiveBigIntegerField()),
                        ('visitor_id', models.BigIntegerField(blank=True, null=True)),
                        ('conversation_id', models.UUIDField(blank=True, null=True)),
                        ('data', models.JSONField(blank=True, default=dict)),
                    ],
                    options={
                        'db_table': 'analytics_event',
                        'indexes': [models.Index(fields=['kind', 'occurred_at'], name='analytics_e_kind_d7b278_idx'), models.Index(fields=['occurred_at'], name='analytics_e_occurre_cf6407_idx'), models.Index(fields=['conversation_id'], name='analytics_e_convers_80a543_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
