from django.dispatch import Signal

# Sent inside the provisioning transaction, after the client's schema exists.
# Tenant apps listen to fill the new schema (the control plane never imports them).
# kwargs: client, actor
client_provisioned = Signal()
