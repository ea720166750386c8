"""Billing mirrors what it needs of Stripe (the system of record) in the public schema."""

from django.db import models


class OveragePolicy(models.TextChoices):
    PAUSE = "pause", "Pause the bot at the quota"
    SOFT_LIMIT = "soft_limit", "Keep answering, bill overage"


class Plan(models.Model):
    key = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    monthly_price_cents = models.PositiveIntegerField()
    monthly_message_quota = models.PositiveIntegerField()
    overage_policy = models.CharField(max_length=16, choices=OveragePolicy.choices)
    overage_cents_per_100_messages = models.PositiveIntegerField(default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Days a failed payment may stay unpaid before the client's bots pause (issue 13).
    grace_days = models.PositiveSmallIntegerField(default=7)
    # Kept current by `manage.py stripe_sync_plans`; blank until the first sync.
    stripe_product_id = models.CharField(max_length=64, blank=True)
    stripe_price_id = models.CharField(max_length=64, blank=True)
    stripe_overage_price_id = models.CharField(max_length=64, blank=True)
    stripe_synced_price_cents = models.PositiveIntegerField(null=True, blank=True)
    stripe_synced_overage_cents = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "key"]

    def __str__(self) -> str:
        return self.name

    @property
    def monthly_price(self) -> str:
        return f"${self.monthly_price_cents / 100:,.0f}"

    @property
    def overage_price(self) -> str:
        return f"${self.overage_cents_per_100_messages / 100:,.2f}"

    @property
    def pauses_at_quota(self) -> bool:
        return self.overage_policy == OveragePolicy.PAUSE


class UsagePeriod(models.Model):
    """Bot replies per client per calendar month (UTC); what plans meter (BILL-3/4/5).

    Moved here from controlplane.widgets (issue 10); the table keeps its name.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="usage_periods")
    period = models.CharField(max_length=7)  # YYYY-MM
    messages = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    # Soft-limit overage already reported to Stripe, in billed units (blocks of 100 messages).
    overage_units_reported = models.PositiveIntegerField(default=0)
    # Units being reported right now: written before the Stripe call, so a retry after a crash
    # resends exactly the same event (same identifier, same value), which Stripe deduplicates.
    overage_units_pending = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "widgets_usageperiod"
        constraints = [models.UniqueConstraint(fields=["client", "period"], name="unique_usage_period")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.period}: {self.messages} replies"


class BillingAccount(models.Model):
    """One client's Stripe customer and subscription, and its payment standing."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="billing")
    stripe_customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=64, blank=True)
    subscription_status = models.CharField(max_length=32, blank=True)
    payment_failed_at = models.DateTimeField(null=True, blank=True)
    # Set while the bots are paused because a payment stayed unpaid past the grace period.
    paused_for_payment = models.BooleanField(default=False)
    payment_paused_bot_ids = models.JSONField(default=list, blank=True)  # only these resume on payment
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"billing of {self.client_id}"


class Invoice(models.Model):
    """BILL-7: Stripe's invoices for one client, mirrored by webhooks."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=64, unique=True)
    number = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32)
    currency = models.CharField(max_length=8, default="usd")
    amount_due_cents = models.BigIntegerField(default=0)
    amount_paid_cents = models.BigIntegerField(default=0)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    hosted_invoice_url = models.URLField(max_length=800, blank=True)
    invoice_pdf_url = models.URLField(max_length=800, blank=True)
    issued_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id

    @property
    def amount(self) -> str:
        return f"${self.amount_due_cents / 100:,.2f}"


class WebhookEvent(models.Model):
    """Every Stripe event we accepted, once: the unique id makes redeliveries no-ops."""

    stripe_event_id = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=80)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id}"


class PlanChangeRequest(models.Model):
    """BILL-6: a client asks for another plan from its dashboard; a platform admin decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the agency"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="plan_requests")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    requested_by = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["client"], condition=models.Q(status="pending"),
                                               name="one_pending_plan_request")]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.plan_id} ({self.status})"
