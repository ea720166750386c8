"""VAL-1 engagement becomes visits with a visitor message ÷ visits: a new rollup column, filled for the
rollup rows that already exist (hourly by UTC hour, daily by the client's local day) so past periods
do not read 0 % until the next full recompute."""

from django.db import migrations, models

HOURLY = """
WITH engaged AS (
    SELECT s.started_at FROM conversations_visitorsession s
     WHERE EXISTS (SELECT 1 FROM conversations_message m JOIN conversations_conversation c ON c.id = m.conversation_id
                    WHERE c.session_id = s.id AND m.role = 'visitor'))
UPDATE analytics_hourlyrollup h SET engaged_sessions = sub.n
  FROM (SELECT date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, count(*) AS n
          FROM engaged GROUP BY 1) sub
 WHERE h.hour = sub.hour
"""

DAILY = """
WITH zone AS (
    SELECT COALESCE((SELECT timezone FROM public.clients_client WHERE schema_name = current_schema()), 'UTC') AS tz
), engaged AS (
    SELECT s.started_at FROM conversations_visitorsession s
     WHERE EXISTS (SELECT 1 FROM conversations_message m JOIN conversations_conversation c ON c.id = m.conversation_id
                    WHERE c.session_id = s.id AND m.role = 'visitor'))
UPDATE analytics_dailyrollup d SET engaged_sessions = sub.n
  FROM (SELECT (started_at AT TIME ZONE (SELECT tz FROM zone))::date AS day, count(*) AS n
          FROM engaged GROUP BY 1) sub
 WHERE d.day = sub.day
"""


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0003_event_moves_to_conversations"),
        ("conversations", "0007_link_conversations_to_sessions"),  # the links this backfill counts
    ]

    operations = [
        migrations.AddField(model_name="dailyrollup", name="engaged_sessions",
                            field=models.PositiveIntegerField(default=0)),
        migrations.AddField(model_name="hourlyrollup", name="engaged_sessions",
                            field=models.PositiveIntegerField(default=0)),
        migrations.RunSQL([HOURLY, DAILY], reverse_sql=migrations.RunSQL.noop),
    ]
