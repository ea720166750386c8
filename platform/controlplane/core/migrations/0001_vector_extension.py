# The pgvector extension must live in the public schema: created from a tenant
# migration it would land in that tenant's schema and every later tenant would fail.
from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [VectorExtension()]
