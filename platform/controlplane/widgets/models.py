"""Widget credentials and allowlists live in public: they are looked up before we know the client."""

from django.db import models


class WidgetToken(models.Model):
    """SEC-1: a random token, stored only as a SHA-256 hash, tied to one client and one bot."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="widget_tokens")
    bot_id = models.PositiveBigIntegerField(help_text="Bot id inside the client's schema")
    # The first characters identify the row without revealing the secret part.
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "bot_id"])]

    def __str__(self) -> str:
        return f"{self.client_id}/{self.bot_id} shl_{self.prefix}_…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AllowedOrigin(models.Model):
    """SEC-2: a site the bot may be embedded on: scheme://host[:port], host may start with '*.'."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="allowed_origins")
    bot_id = models.PositiveBigIntegerField()
    origin = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "bot_id", "origin"], name="unique_bot_origin")]
        ordering = ["origin"]

    def __str__(self) -> str:
        return self.origin

