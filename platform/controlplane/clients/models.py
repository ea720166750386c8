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
    accent_color = models.CharField(max_length=7, default="#0ea5b7")  # UX-2 brand colour
    logo_name = models.CharField(max_length=40, blank=True)  # UX-2: a content-hash PNG name in brand storage
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


class AgencyBrand(models.Model):
    """White label: how the agency presents the product to its clients and their visitors (one row).

    Edited by a platform admin in the portal (audited); read by every shell, the widget and the PDFs.
    """

    name = models.CharField(max_length=80, default="Shoreline")
    accent_color = models.CharField(max_length=7, default="#0ea5b7")
    support_email = models.EmailField(blank=True)
    website = models.CharField(max_length=253, blank=True)  # the agency's own domain, e.g. agency.example
    logo_name = models.CharField(max_length=40, blank=True)
    show_powered_by = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class CustomDomain(models.Model):
    """A client's own host for its dashboard (dashboard.clientbusiness.com).

    Served only once verified: verification creates the django-tenants Domain row that routes it.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="custom_domains")
    hostname = models.CharField(max_length=253, unique=True)
    token = models.CharField(max_length=64)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname


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
