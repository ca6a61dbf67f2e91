from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Objection(models.Model):
    """An objection (异议) lodged during a plan's publicity; the body must answer it before reporting."""

    plan = models.ForeignKey("evaluation.EvaluationPlan", on_delete=models.CASCADE, related_name="objections")
    reference = models.CharField(_("受理编号"), max_length=24, unique=True)
    subject = models.CharField(_("异议对象"), max_length=120)  # the listed person or "整体"
    text = models.TextField(_("异议内容"))
    contact_name = models.CharField(_("联系人"), max_length=40)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    lodged_at = models.DateTimeField(_("提出时间"))
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["lodged_at"]

    def __str__(self) -> str:
        return self.reference


class ResultReport(models.Model):
    """A report of a plan's results (评价结果报送) to the authority, approved or returned with reasons."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已核准")
        RETURNED = "returned", _("已退回")

    plan = models.ForeignKey("evaluation.EvaluationPlan", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    passed_count = models.PositiveIntegerField(_("合格人数"))
    submitted_at = models.DateTimeField(_("报送时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_due_on = models.DateField(_("审核期限"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("结果报送")
        verbose_name_plural = _("结果报送")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.plan.number} {self.get_status_display()}"
