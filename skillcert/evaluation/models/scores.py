from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.evaluation.models.specs import Component


class ScoreEntry(models.Model):
    """One mark for one component of one application, entered by staff and confirmed by a second person.

    Theory has one entry (``marker`` empty); skills has one per examiner and review one per panel member,
    averaged into the ComponentResult. Double entry: the confirmer types the value again; a mismatch is
    flagged and neither value is overwritten.
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
    value = models.DecimalField(_("成绩"), max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"))
    confirmation_value = models.DecimalField(
        _("复核录入"), max_digits=5, decimal_places=2, null=True, blank=True
    )
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
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_component_display()} {self.value}"


class ComponentResult(models.Model):
    """The final score of one component (the average for skills and review) and whether it passed.

    ``carried_from`` names the earlier application whose pass a retake keeps.
    """

    application = models.ForeignKey(
        "evaluation.Application", on_delete=models.CASCADE, related_name="component_results"
    )
    component = models.CharField(_("科目"), max_length=10, choices=Component.choices)
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("合格"))
    carried_from = models.ForeignKey(
        "evaluation.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("科目成绩")
        verbose_name_plural = _("科目成绩")
        constraints = [
            models.UniqueConstraint(fields=["application", "component"], name="component_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_component_display()} {self.score}"
