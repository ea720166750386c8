"""`{% load labels %}` then `{{ value|human }}` (or `{{ list|humans }}`, deduplicated): stored values in words (see tenants.analytics.labels)."""

from django import template

from tenants.analytics.labels import human_label, human_labels, zone_label

register = template.Library()
register.filter("human", human_label)
register.filter("humans", human_labels)
register.filter("zone", zone_label)
