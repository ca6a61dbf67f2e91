from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.evaluation.models.specs import Component

ABSENT_LABEL = _("缺考")


class ScoreEntry(models.Model):
    """One mark for one component of one application, entered by staff and confirmed by a second person.

    Theory has one entry (``marker`` empty); skills has one per examiner and review one per panel member,
    averaged into the ComponentResult. Double entry: the confirmer types the value again; a mismatch is
    flagged and neither value is overwritten.

    缺考: a candidate who did not sit is recorded as ``absent`` with no ``value`` (likewise the
    confirmation). The mark is the pair, so 缺考 against a number is a mismatch like any other.
    """

    class Status(models.TextChoices):
        ENTERED = "entered", _("待复核")
        CONFIRMED = "confirmed", _("已复核")
        MISMATCH = "mismatch", _("复核不一致")

    application = models.ForeignKey(
        "evaluation.Application", on_delete=models.CASCADE, related_name="score_entries"
    )
    component = models.CharField(_("科目"), max_length=10, choices=Component.choices)
    marker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评分人"),
    )
    value = models.DecimalField(_("成绩"), max_digits=5, decimal_places=2, null=True, blank=True)
    absent = models.BooleanField(_("缺考"), default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"))
    confirmation_value = models.DecimalField(
        _("复核录入"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    confirmation_absent = models.BooleanField(_("复核录入为缺考"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ENTERED)
    change_reason = models.TextField(_("锁定后修改原因"), blank=True)

    class Meta:
        verbose_name = _("成绩录入")
        verbose_name_plural = _("成绩录入")
        constraints = [
            models.UniqueConstraint(fields=["application", "component", "marker"], name="score_entry_unique"),
            models.CheckConstraint(
                condition=models.Q(value__gte=0, value__lte=100), name="score_entry_0_to_100"
            ),
            # A mark is either a score or 缺考, never both or neither.
            models.CheckConstraint(
                condition=models.Q(absent=False, value__isnull=False)
                | models.Q(absent=True, value__isnull=True),
                name="score_entry_value_or_absent",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmation_absent=False) | models.Q(confirmation_value__isnull=True),
                name="score_entry_confirmation_value_or_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_component_display()} {self.mark_display}"

    @property
    def mark(self) -> Decimal | None:
        """The entered mark: the score, or None for 缺考."""
        return None if self.absent else self.value

    @property
    def mark_display(self) -> str:
        return str(ABSENT_LABEL) if self.absent else str(self.value)

    @property
    def confirmation_display(self) -> str:
        if self.confirmation_absent:
            return str(ABSENT_LABEL)
        return "" if self.confirmation_value is None else str(self.confirmation_value)

    # The columns the attribute-setting methods below write, for ``save(update_fields=...)``: the mark
    # (``set_mark``), and the confirmation with who confirmed it and when (``set_confirmation`` plus
    # ``confirmed_by`` and ``confirmed_at``, or ``clear_confirmation``).
    MARK_FIELDS = ("value", "absent")
    CONFIRMATION_FIELDS = ("confirmation_value", "confirmation_absent", "confirmed_by", "confirmed_at")

    def set_mark(self, mark: Decimal | None) -> None:
        """Set the entered mark (None = 缺考), keeping ``value`` and ``absent`` consistent."""
        self.value = mark
        self.absent = mark is None

    def set_confirmation(self, mark: Decimal | None) -> None:
        """Set the confirmation typed by the second person (None = 缺考)."""
        self.confirmation_value = mark
        self.confirmation_absent = mark is None

    def clear_confirmation(self) -> None:
        self.confirmation_value = None
        self.confirmation_absent = False
        self.confirmed_by = None
        self.confirmed_at = None


class ComponentResult(models.Model):
    """The final score of one component (the average for skills and review) and whether it passed.

    ``absent`` (缺考): the candidate did not sit the component; it has no score and did not pass.
    ``carried_from`` names the earlier application whose pass a retake keeps.
    """

    application = models.ForeignKey(
        "evaluation.Application", on_delete=models.CASCADE, related_name="component_results"
    )
    component = models.CharField(_("科目"), max_length=10, choices=Component.choices)
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("合格"))
    absent = models.BooleanField(_("缺考"), default=False)
    carried_from = models.ForeignKey(
        "evaluation.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("科目成绩")
        verbose_name_plural = _("科目成绩")
        constraints = [
            models.UniqueConstraint(fields=["application", "component"], name="component_result_unique"),
            models.CheckConstraint(
                condition=models.Q(absent=False, score__isnull=False)
                | models.Q(absent=True, score__isnull=True, passed=False),
                name="component_result_score_or_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_component_display()} {self.score_display}"

    @property
    def score_display(self) -> str:
        return str(ABSENT_LABEL) if self.absent else str(self.score)
