# Before bot_id becomes a real foreign key (0005; docs/decisions/0026-bot-foreign-keys.md): rows naming a
# bot that does not exist would make the constraint fail. Visitor history is not a migration's to delete,
# so this stops with a report instead; bots are never deleted by the product, so none is expected.

from django.db import migrations

TABLES = (("VisitorSession", "visitor sessions"), ("Conversation", "conversations"), ("Event", "events"))


def orphans_refuse(apps, schema_editor):
    bot_ids = set(apps.get_model("bots", "Bot").objects.values_list("id", flat=True))
    found = []
    for model_name, label in TABLES:
        model = apps.get_model("conversations", model_name)
        orphans = model.objects.exclude(bot_id__in=bot_ids)
        count = orphans.count()
        if count:
            ids = sorted(set(orphans.values_list("bot_id", flat=True)))[:10]
            found.append(f"{count} {label} of missing bot(s) {ids}")
    if found:
        raise RuntimeError(
            f"Schema {schema_editor.connection.schema_name!r} has rows for bots that no longer exist: "
            + "; ".join(found) + ". Restore those bots (or delete the rows on purpose), then migrate again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0003_event_from_analytics'),
        ('bots', '0002_versions_review_and_test_cases'),
    ]

    operations = [
        migrations.RunPython(orphans_refuse, migrations.RunPython.noop),
    ]
