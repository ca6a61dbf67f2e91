from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.evaluation.models.specs import Component
from skillcert.registry.models import TenantScopedModel


class EvaluationPlan(TenantScopedModel):
    """An evaluation plan (考前计划 / 评价批次): one spec, one site, dated components, a capacity.

    Its status walks the spine: draft → submitted → acknowledged (open for applications) → scores locked
    → publicity → reported → results approved → issued. Each step is one service with its audit event.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待人社部门确认")
        REJECTED = "rejected", _("已退回")
        ACKNOWLEDGED = "acknowledged", _("已确认，报名中")
        SCORES_LOCKED = "scores_locked", _("成绩已锁定")
        PUBLICITY = "publicity", _("公示中")
        REPORTED = "reported", _("结果已报送")
        RESULTS_RETURNED = "results_returned", _("结果被退回")
        RESULTS_APPROVED = "results_approved", _("结果已核准")
        ISSUED = "issued", _("证书已发放")

    number = models.CharField(_("计划编号"), max_length=20, unique=True)
    spec = models.ForeignKey(
        "evaluation.EvaluationSpec",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("评价规范"),
    )
    site = models.ForeignKey(
        "registry.Site", on_delete=models.PROTECT, related_name="plans", verbose_name=_("评价站点")
    )
    capacity = models.PositiveIntegerField(_("计划人数"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("退回原因"), blank=True)
    external_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_plans",
        verbose_name=_("外部督导员"),
    )
    scores_locked_at = models.DateTimeField(_("成绩锁定时间"), null=True, blank=True)
    scores_locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    publicity_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("公示结束"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价计划")
        verbose_name_plural = _("评价计划")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.spec}"


class PlanSession(models.Model):
    """The date and time of one component of a plan (理论 / 技能 / 评审), in a room."""

    plan = models.ForeignKey(EvaluationPlan, on_delete=models.CASCADE, related_name="sessions")
    component = models.CharField(_("科目"), max_length=10, choices=Component.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    room = models.CharField(_("考场"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("考试安排")
        verbose_name_plural = _("考试安排")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "component"], name="plan_session_one_per_component"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="plan_session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_component_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class PlanStaff(models.Model):
    """A member of the body's staff assigned to a plan: chief examiner, examiner, invigilator, reviewer."""

    class Duty(models.TextChoices):
        CHIEF_EXAMINER = "chief_examiner", _("考评组长")
        EXAMINER = "examiner", _("考评员")
        INVIGILATOR = "invigilator", _("监考人员")
        REVIEWER = "reviewer", _("评审组成员")
        INTERNAL_SUPERVISOR = "internal_supervisor", _("内部督导员")

    plan = models.ForeignKey(EvaluationPlan, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_duties")
    duty = models.CharField(_("职责"), max_length=24, choices=Duty.choices)

    class Meta:
        verbose_name = _("计划人员")
        verbose_name_plural = _("计划人员")
        constraints = [
            models.UniqueConstraint(fields=["plan", "user", "duty"], name="plan_staff_unique_duty")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_duty_display()}"


class StaffQualification(TenantScopedModel):
    """The skill level a member of staff holds in an occupation: an examiner marks only levels up to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualifications"
    )
    occupation = models.ForeignKey("reference.Occupation", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("reference.SkillLevel", on_delete=models.PROTECT, related_name="+")
    certificate_number = models.CharField(_("证书编号"), max_length=22, blank=True)

    class Meta:
        verbose_name = _("人员资质")
        verbose_name_plural = _("人员资质")
        constraints = [
            models.UniqueConstraint(fields=["user", "occupation"], name="qualification_one_per_occupation")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.occupation.name} {self.level.label}"


class Recusal(models.Model):
    """An examiner's declared relationship with a candidate: the examiner must not mark that candidate."""

    plan = models.ForeignKey(EvaluationPlan, on_delete=models.CASCADE, related_name="recusals")
    examiner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recusals")
    candidate = models.ForeignKey("accounts.Candidate", on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(_("关系说明"), max_length=200)
    declared_at = models.DateTimeField(_("申报时间"))

    class Meta:
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [
            models.UniqueConstraint(fields=["plan", "examiner", "candidate"], name="recusal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.examiner} ↔ {self.candidate.name}"
