"""`{% load labels %}` then `{{ value|human }}`: stored values in words (see tenants.analytics.labels)."""

from django import template

from tenants.analytics.labels import human_label

register = template.Library()
register.filter("human", human_label)
