"""Billing changes that the client's bots (tenant apps) must follow. The control plane never
imports tenant apps, so it announces; tenants.bots.receivers acts inside the client's schema."""

from django.dispatch import Signal

# The quota or the plan changed (upgrade, new period): over-limit bots that may answer again resume.
# Arguments: client, actor, reason.
limits_changed = Signal()
# A payment stayed unpaid past the grace period: active bots pause. Receivers return the ids paused.
# Arguments: client, reason.
payment_hold = Signal()
# The payment arrived: the bots paused for payment (bot_ids) resume. Arguments: client, bot_ids, reason.
payment_release = Signal()
