"""ADM-1: index the items that were already open before the triage list existed (docs/decisions/0031-cross-client-triage-index.md).

Runs once in each client's schema (the tenant router skips it in public). New items are indexed by the
review services as they open; this only covers what was open at deploy time.
"""

import json

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The same grouping and priority the services use at run time (pure functions, no models).
    from controlplane.rollups.services import review_priority
    from tenants.review.services import review_group_key

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM public.clients_client WHERE schema_name = %s", [connection.schema_name])
        found = cursor.fetchone()
    if found is None:
        return
    review_item = apps.get_model("review", "ReviewItem")
    lead = apps.get_model("leads", "Lead")
    items = list(review_item.objects.filter(status="open").select_related("conversation"))
    if not items:
        return
    scores = dict(lead.objects.filter(conversation_id__in={i.conversation_id for i in items})
                  .values_list("conversation_id", "score"))
    rows = [(found[0], i.pk, i.conversation_id, i.conversation.bot_id, i.kind, review_priority(i.kind),
             i.question[:500], review_group_key(kind=i.kind, question=i.question, item_id=i.pk), i.created_at,
             i.conversation.summary, json.dumps(list(i.conversation.tags or [])), i.conversation.lead_type[:24],
             scores.get(i.conversation_id, "")[:4]) for i in items]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO public.rollups_reviewqueueentry (client_id, item_id, conversation_id, bot_id, kind, priority,"
            " question, group_key, created_at, summary, tags, intent, lead_score)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)"
            " ON CONFLICT (client_id, item_id) DO NOTHING", rows)


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0002_reviewitem_assigned_to"),
        ("rollups", "0004_review_queue_entry"),
        ("leads", "0001_initial"),
        ("clients", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
