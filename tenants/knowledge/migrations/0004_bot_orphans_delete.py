# Before bot_id becomes a real foreign key (0005; docs/decisions/0026-bot-foreign-keys.md): knowledge of a
# bot that no longer exists can never be answered from, so it is deleted (its chunks, FAQs, rebuilds and
# sites go with it) and the counts are printed. Bots are never deleted by the product, so none is expected.

from django.db import migrations

MODELS = ("Chunk", "Faq", "KnowledgeSource", "KnowledgeRebuild", "WebsiteSource")


def orphans_delete(apps, schema_editor):
    bot_ids = set(apps.get_model("bots", "Bot").objects.values_list("id", flat=True))
    for model_name in MODELS:
        model = apps.get_model("knowledge", model_name)
        deleted, _ = model.objects.exclude(bot_id__in=bot_ids).delete()
        if deleted:
            print(f"  schema {schema_editor.connection.schema_name}: deleted {deleted} {model_name} row(s) of "
                  "bots that no longer exist")


class Migration(migrations.Migration):

    dependencies = [
        ('knowledge', '0003_chunk_hnsw_m24'),
        ('bots', '0002_versions_review_and_test_cases'),
    ]

    operations = [
        migrations.RunPython(orphans_delete, migrations.RunPython.noop),
    ]
