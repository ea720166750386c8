# The review app takes over ReviewItem from conversations (docs/decisions/0014-review-in-one-app.md).
# State only: same table (conversations_reviewitem), same columns and indexes, so no data moves.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('conversations', '0002_reviewitem_moves_to_review'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReviewItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('unknown_question', 'Unknown question'), ('fallback', 'Fallback'), ('crisis', 'Crisis'), ('thumbs_down', 'Thumbs down'), ('handoff', 'Handoff request')], max_length=20)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('resolved', 'Resolved'), ('dismissed', 'Dismissed')], db_index=True, default='open', max_length=10)),
                        ('question', models.TextField(blank=True)),
                        ('reason', models.CharField(blank=True, max_length=255)),
                        ('created_at', models.DateTimeField()),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('resolved_by', models.CharField(blank=True, max_length=254)),
                        ('conversation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='review_items', to='conversations.conversation')),
                        ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='conversations.message')),
                    ],
                    options={
                        'db_table': 'conversations_reviewitem',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
