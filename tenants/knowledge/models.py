"""What a bot knows: FAQs, articles, documents, scraped pages — all cut into embedded chunks."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from pgvector.django import HnswIndex, VectorField

EMBEDDING_DIMENSIONS = 384


class KnowledgeSource(models.Model):
    class Kind(models.TextChoices):
        FAQ = "faq", "FAQ"
        ARTICLE = "article", "Article"
        DOCUMENT = "document", "Document"
        PAGE = "page", "Web page"

    bot_id = models.PositiveBigIntegerField(db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=2000, blank=True)
    body = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]


class Faq(models.Model):
    """KB-1. Approved FAQs are also answered directly on a close match (BEY-4)."""

    bot_id = models.PositiveBigIntegerField(db_index=True)
    question = models.CharField(max_length=500)
    answer = models.TextField()
    approved = models.BooleanField(default=True)
    question_embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True)
    source = models.OneToOneField(KnowledgeSource, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question"]
        indexes = [
            HnswIndex(name="faq_question_hnsw", fields=["question_embedding"], m=16, ef_construction=64,
                      opclasses=["vector_cosine_ops"]),
        ]


class Chunk(models.Model):
    bot_id = models.PositiveBigIntegerField()
    source = models.ForeignKey(KnowledgeSource, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    text = models.TextField()
    content_hash = models.CharField(max_length=64)
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS)
    # Kept by Postgres itself, so full-text search can never drift from the text.
    search_vector = models.GeneratedField(
        expression=SearchVector("text", config="english"), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "content_hash"], name="unique_chunk_per_source"),
        ]
        indexes = [
            HnswIndex(name="chunk_embedding_hnsw", fields=["embedding"], m=16, ef_construction=64,
                      opclasses=["vector_cosine_ops"]),
            GinIndex(name="chunk_search_gin", fields=["search_vector"]),
            models.Index(fields=["bot_id"]),
        ]
