from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

INDUSTRY_MODES = [
    ("sober_living", "Sober living"),
    ("restaurant", "Restaurant"),
    ("barbershop", "Barbershop"),
    ("gym", "Gym"),
    ("realtor", "Realtor"),
    ("auto_service", "Auto service"),
]


class Client(TenantMixin):
    """One agency client = one Postgres schema. The public tenant has slug 'public'."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True)
    industry_mode = models.CharField(max_length=32, choices=INDUSTRY_MODES, blank=True)
    plan = models.ForeignKey("billing.Plan", on_delete=models.PROTECT, null=True, blank=True)
    timezone = models.CharField(max_length=64, default="America/New_York")
    accent_color = models.CharField(max_length=7, default="#0ea5b7")
    avg_sale_value_cents = models.PositiveIntegerField(default=0)
    # BEY-6: conversations, visitors and leads older than this many days are deleted nightly
    # (analytics rollups stay). Empty = kept until deleted by hand.
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"


class Domain(DomainMixin):
    pass


class AdminNote(models.Model):
    """AX-2: private notes the agency keeps per client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="admin_notes")
    author = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True)
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.client_id}"
