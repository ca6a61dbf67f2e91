"""Reads of the verification app's Django side: the enumeration watch's alerts (security.md P5).

City-wide, not scoped to a region: the public query is the city's, so their pages admit the municipal
administrator only.
"""

from django.db.models import QuerySet

from skillcert.verification.models import EnumerationAlert


def enumeration_alert_list() -> QuerySet[EnumerationAlert]:
    """Every enumeration alert, newest first, with who acknowledged it."""
    return EnumerationAlert.objects.select_related("acknowledged_by").order_by("-created_at", "-pk")


def enumeration_alert_open_count() -> int:
    """How many enumeration alerts nobody has acknowledged yet."""
    return EnumerationAlert.objects.filter(acknowledged_at__isnull=True).count()
