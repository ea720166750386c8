"""What the conversations app announces to the apps above it.

A lower layer never imports an upper one (docs/decisions/0016-import-layers.md); when something
here changes what an upper app has computed, the service sends a named signal and the upper app
receives it, as controlplane.clients.signals and controlplane.billing.signals do for the tenant apps.
These are sent explicitly by services, never by model saves.
"""

from django.dispatch import Signal

# Sent by conversation_summarize after a conversation's topic tags changed, outside its transaction.
# Keyword argument: conversation (tenants.conversations.models.Conversation). Received by
# tenants.analytics.receivers, which re-opens the rollup of the day the conversation started.
conversation_tags_changed = Signal()
