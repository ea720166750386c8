"""Conversations were never linked to the widget visit they happened in; new ones are (VAL-1
engagement counts visits with a visitor message through the link). Existing conversations get the
visitor's latest session that started no later than the conversation."""

from django.db import migrations

LINK = """
UPDATE conversations_conversation c
   SET session_id = (SELECT s.id FROM conversations_visitorsession s
                      WHERE s.visitor_id = c.visitor_id AND s.started_at <= c.started_at
                      ORDER BY s.started_at DESC LIMIT 1)
 WHERE c.session_id IS NULL
"""


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0006_live_handoff_hold"),
    ]

    operations = [migrations.RunSQL(LINK, reverse_sql=migrations.RunSQL.noop)]
