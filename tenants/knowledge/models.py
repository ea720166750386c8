"""What a bot knows: FAQs, articles, documents, scraped pages — all cut into embedded chunks."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from pgvector.django import HnswIndex, VectorField

EMBEDDING_DIMENSIONS = 384
# HNSW graph shape of the chunk index. m=16/ef_construction=64 (pgvector's defaults) gave
# recall@10 0.93 at 100k chunks; see docs/benchmarks.md "Knowledge" for the measured trade-off.
HNSW_M = 24
HNSW_EF_CONSTRUCTION = 128


class KnowledgeSource(models.Model):
    class Kind(models.TextChoices):
        FAQ = "faq", "FAQ"
        ARTICLE = "article", "Article"
        DOCUMENT = "document", "Document"
        PAGE = "page", "Web page"

    # What a bot knows goes with the bot (CASCADE, docs/decisions/0026-bot-foreign-keys.md).
    bot = models.ForeignKey("bots.Bot", on_delete=models.CASCADE, db_column="bot_id",
                            related_name="knowledge_sources")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=2000, blank=True)
    body = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    # Documents: the uploaded file's name, type and size (the file itself is not kept, only its text).
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=10, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    # Pages: which crawled site this page came from.
    website = models.ForeignKey("WebsiteSource", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="pages")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Faq(models.Model):
    """KB-1. Approved FAQs are also answered directly on a close match (BEY-4)."""

    # What a bot knows goes with the bot (CASCADE, docs/decisions/0026-bot-foreign-keys.md).
    bot = models.ForeignKey("bots.Bot", on_delete=models.CASCADE, db_column="bot_id",
                            related_name="faqs")
    question = models.CharField(max_length=500)
    answer = models.TextField()
    approved = models.BooleanField(default=True)
    question_embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True)
    source = models.OneToOneField(KnowledgeSource, on_delete=models.SET_NULL, null=True, blank=True)
    # BOT-4: a staff edit of a live FAQ is a draft next to it; approving it rewrites the live one.
    replaces = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="pending_edits")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question"]
        indexes = [
            HnswIndex(name="faq_question_hnsw", fields=["question_embedding"], m=16, ef_construction=64,
                      opclasses=["vector_cosine_ops"]),
        ]

    def __str__(self) -> str:
        return self.question


class FaqParaphrase(models.Model):
    """Another wording of an approved FAQ's question, written when the FAQ is approved (issue 11).

    Matching a visitor message against these as well as the question itself lifts the verbatim
    answer rate (docs/quality.md). Rule-written offline; model-written too when a key is configured.
    """

    faq = models.ForeignKey(Faq, on_delete=models.CASCADE, related_name="paraphrases")
    text = models.CharField(max_length=300)
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS)
    written_by = models.CharField(max_length=20, default="rules")  # "rules" | "model"

    class Meta:
        ordering = ["faq_id", "id"]

    def __str__(self) -> str:
        return self.text


class Chunk(models.Model):
    # What a bot knows goes with the bot (CASCADE, docs/decisions/0026-bot-foreign-keys.md).
    bot = models.ForeignKey("bots.Bot", on_delete=models.CASCADE, db_column="bot_id", db_index=False,
                            related_name="knowledge_chunks")  # indexed in Meta
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
            HnswIndex(name="chunk_embedding_hnsw", fields=["embedding"], m=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION,
                      opclasses=["vector_cosine_ops"]),
            GinIndex(name="chunk_search_gin", fields=["search_vector"]),
            models.Index(fields=["bot_id"]),
        ]

    def __str__(self) -> str:
        return f"chunk {self.position} of source {self.source_id}"


class KnowledgeRebuild(models.Model):
    """KB-4/ADM-9: one "Fix this bot" run: re-chunk and re-embed all of a bot's knowledge."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    # What a bot knows goes with the bot (CASCADE, docs/decisions/0026-bot-foreign-keys.md).
    bot = models.ForeignKey("bots.Bot", on_delete=models.CASCADE, db_column="bot_id",
                            related_name="knowledge_rebuilds")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    sources_total = models.PositiveIntegerField(default=0)
    sources_done = models.PositiveIntegerField(default=0)
    chunks_written = models.PositiveIntegerField(default=0)
    faqs_embedded = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    cancel_requested = models.BooleanField(default=False)
    requested_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The lock: at most one queued or running rebuild per bot, enforced by Postgres.
            models.UniqueConstraint(fields=["bot_id"], condition=models.Q(state__in=["queued", "running"]),
                                    name="one_active_rebuild_per_bot"),
        ]

    def __str__(self) -> str:
        return f"rebuild {self.pk} of bot {self.bot_id}: {self.state}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.sources_total:
            return 0
        return min(100, round(100 * self.sources_done / self.sources_total))

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES




class WebsiteSource(models.Model):
    """ADM-10: a site the bot learns from, crawled on demand and weekly (BEY-7)."""

    # What a bot knows goes with the bot (CASCADE, docs/decisions/0026-bot-foreign-keys.md).
    bot = models.ForeignKey("bots.Bot", on_delete=models.CASCADE, db_column="bot_id",
                            related_name="websites")
    start_url = models.URLField(max_length=2000)
    max_depth = models.PositiveSmallIntegerField(default=2)
    max_pages = models.PositiveIntegerField(default=50)
    weekly_refresh = models.BooleanField(default=True)
    last_crawled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_url"]
        constraints = [models.UniqueConstraint(fields=["bot_id", "start_url"], name="unique_site_per_bot")]

    def __str__(self) -> str:
        return self.start_url



class WebsiteCrawl(models.Model):
    """One crawl of a site and what changed since the one before (BEY-7)."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    site = models.ForeignKey(WebsiteSource, on_delete=models.CASCADE, related_name="crawls")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    trigger = models.CharField(max_length=10, default="manual")  # manual | weekly
    pages_fetched = models.PositiveIntegerField(default=0)
    added = models.JSONField(default=list, blank=True)  # [url]
    changed = models.JSONField(default=list, blank=True)  # [{"url", "title", "diff"}]
    removed = models.JSONField(default=list, blank=True)  # [url]
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)  # [{"url", "reason"}]
    error = models.TextField(blank=True)
    # BOT-4: the changes found wait for an admin as a "website update" draft (nothing went live).
    held = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.site_id} {self.started_at:%Y-%m-%d}: {self.summary}"

    @property
    def summary(self) -> str:
        held = "; waiting for approval" if self.held else ""
        return (f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
                f"{self.unchanged} unchanged{held}")


class KnowledgeDraft(models.Model):
    """BOT-4: a staff change to an article, a document or a website, waiting for an admin.

    A draft has no chunks, so the live bot keeps answering from the approved source (or knows
    nothing of it) until an admin approves; approving ingests it, discarding deletes it.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        DOCUMENT = "document", "Document"
        WEBSITE = "website", "Website"
        # A re-crawl of a live site found changed pages: settings hold {"pages": [{url, title, text}], "removed"}.
        RECRAWL = "recrawl", "Website update"

    bot = models.ForeignKey("bots.Bot", on_delete=models.CASCADE, related_name="knowledge_drafts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The live source (article, document) or site this draft changes; empty for something new.
    target = models.ForeignKey(KnowledgeSource, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="drafts")
    target_site = models.ForeignKey(WebsiteSource, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="drafts")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=2000, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=10, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    # Websites: {"max_depth", "max_pages", "weekly_refresh"}.
    settings = models.JSONField(default=dict, blank=True)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"draft {self.get_kind_display().lower()}: {self.title}"


class DocumentUpload(models.Model):
    """KB-3: an uploaded file waiting for the knowledge worker (docs/decisions/0034-document-extraction-in-the-worker.md).

    The web request only stores the bytes and queues a task; the worker parses them under memory,
    CPU and unpacking limits, then ingests (an admin's upload) or saves a draft (staff). The bytes
    are dropped once the upload is finished either way; the row keeps the outcome for the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Reading"
        DONE = "done", "Added"
        FAILED = "failed", "Not added"

    bot = models.ForeignKey("bots.Bot", on_delete=models.CASCADE, related_name="document_uploads")
    file_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    data = models.BinaryField(editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # What the person reads on the knowledge page: the result, or why the file was refused.
    message = models.TextField(blank=True)
    # The uploader (a platform user id in the public schema): an admin's upload is live, staff's a draft.
    uploaded_by_id = models.BigIntegerField(null=True, blank=True)
    uploaded_by = models.CharField(max_length=254, blank=True)
    draft = models.ForeignKey(KnowledgeDraft, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.ForeignKey(KnowledgeSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.PROCESSING)
