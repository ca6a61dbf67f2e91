"""Numbers that policy sets, read from settings (researched defaults in settings.py, not literals)."""

from decimal import Decimal

from django.conf import settings


def pass_mark() -> Decimal:
    return Decimal(str(settings.SKILLCERT_PASS_MARK))


def candidates_per_invigilator() -> int:
    return settings.SKILLCERT_CANDIDATES_PER_INVIGILATOR


def min_invigilators_per_room() -> int:
    return settings.SKILLCERT_MIN_INVIGILATORS_PER_ROOM


def candidates_per_examiner() -> int:
    return settings.SKILLCERT_CANDIDATES_PER_EXAMINER


def min_examiners() -> int:
    return settings.SKILLCERT_MIN_EXAMINERS


def min_review_panel() -> int:
    return settings.SKILLCERT_MIN_REVIEW_PANEL


def theory_minutes() -> int:
    return settings.SKILLCERT_THEORY_MINUTES


def skills_minutes() -> int:
    return settings.SKILLCERT_SKILLS_MINUTES


def review_minutes() -> int:
    return settings.SKILLCERT_REVIEW_MINUTES
