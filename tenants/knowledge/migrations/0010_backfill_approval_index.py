"""BOT-4: index the changes already waiting for an admin before the cross-client approvals list existed
(docs/decisions/0035-cross-client-approvals-index.md).

Runs once in each client's schema (the tenant router skips it in public). New drafts are indexed by
tenants.knowledge.approval_index as they are saved; this only covers what waited at deploy time.
"""

from django.db import migrations

_INSERT = (
    "INSERT INTO public.rollups_approvalqueueentry (client_id, kind, object_id, bot_id, version_number, title,"
    " created_by, changes_live, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (client_id, kind, object_id) DO NOTHING")


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM public.clients_client WHERE schema_name = %s", [connection.schema_name])
        found = cursor.fetchone()
    if found is None:
        return
    client_id = found[0]
    faq = apps.get_model("knowledge", "Faq")
    draft = apps.get_model("knowledge", "KnowledgeDraft")
    version = apps.get_model("bots", "BotConfigVersion")
    rows = [(client_id, "faq", f.pk, f.bot_id, None, f.question[:300], "", f.replaces_id is not None, f.created_at)
            for f in faq.objects.filter(approved=False)]
    rows += [(client_id, d.kind, d.pk, d.bot_id, None, d.title[:300], d.created_by,
              bool(d.target_id or d.target_site_id), d.created_at) for d in draft.objects.all()]
    rows += [(client_id, "config", v.pk, v.bot_id, v.number, (v.note or f"Version {v.number}")[:300], v.created_by,
              True, v.submitted_at or v.created_at) for v in version.objects.filter(status="submitted")]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_INSERT, rows)


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0009_website_updates_wait_for_approval"),
        ("bots", "0002_versions_review_and_test_cases"),
        ("rollups", "0006_approval_queue_entry"),
        ("clients", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
