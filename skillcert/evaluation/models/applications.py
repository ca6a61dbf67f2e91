from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.registry.models import TenantScopedModel


class Education(models.TextChoices):
    NONE = "none", _("无/初中及以下")
    HIGH_SCHOOL = "high_school", _("普通高中")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中等职业学校(中专/职高)")
    TECHNICAL_SCHOOL = "technical_school", _("技工学校(中级工班)")
    SENIOR_TECHNICAL_SCHOOL = "senior_technical_school", _("高级技工学校/技师学院(高级工班)")
    TECHNICIAN_COLLEGE_PREP = "technician_college_prep", _("技师学院(预备技师/技师班)")
    HIGHER_VOCATIONAL = "higher_vocational", _("高职/大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士")
    DOCTORATE = "doctorate", _("博士")


class TitleRank(models.TextChoices):
    NONE = "none", _("无职称")
    JUNIOR = "junior", _("初级职称(助理级)")
    INTERMEDIATE = "intermediate", _("中级职称")
    ASSOCIATE_SENIOR = "associate_senior", _("副高级职称")
    SENIOR = "senior", _("正高级职称")


class Application(TenantScopedModel):
    """A candidate's application to one plan (报名), with the evidence for eligibility and the outcome."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已报名")
        ELIGIBLE = "eligible", _("资格审核通过")
        INELIGIBLE = "ineligible", _("不符合申报条件")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Source(models.TextChoices):
        SELF = "self", _("个人申报")
        BODY = "body", _("机构登记")
        GROUP = "group", _("团体申报")

    class Result(models.TextChoices):
        PENDING = "pending", _("待评定")
        PASSED = "passed", _("合格")
        FAILED = "failed", _("不合格")
        # Did not sit at least one component: neither passed nor failed, and not counted in 实考人数.
        ABSENT = "absent", _("缺考")

    plan = models.ForeignKey(
        "evaluation.EvaluationPlan", on_delete=models.PROTECT, related_name="applications"
    )
    candidate = models.ForeignKey("accounts.Candidate", on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    source = models.CharField(_("申报方式"), max_length=8, choices=Source.choices, default=Source.SELF)
    group_name = models.CharField(_("团体申报单位"), max_length=120, blank=True)
    # Evidence declared for eligibility.
    work_years = models.DecimalField(_("本职业累计工作年限"), max_digits=4, decimal_places=1, default=0)
    education = models.CharField(_("学历"), max_length=24, choices=Education.choices, default=Education.NONE)
    education_related = models.BooleanField(_("本专业或相关专业"), default=False)
    graduation_on = models.DateField(_("毕业时间"), null=True, blank=True)
    title_rank = models.CharField(_("职称"), max_length=20, choices=TitleRank.choices, default=TitleRank.NONE)
    title_obtained_on = models.DateField(_("取得职称时间"), null=True, blank=True)
    # Prior certificates, legacy numbers accepted:
    # [{"number": ..., "level_digit": 4, "issued_on": "2020-06-30"}]
    prior_certificates = models.JSONField(_("已有证书"), default=list, blank=True)
    # The eligibility decision: the route that matched, or why none did.
    eligibility_route = models.CharField(_("符合条件"), max_length=40, blank=True)
    eligibility_explanation = models.TextField(_("审核说明"), blank=True)
    # A retake keeps the components passed in the earlier application.
    retake_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retakes"
    )
    ticket_number = models.CharField(_("准考证号"), max_length=24, null=True, blank=True, unique=True)
    result = models.CharField(_("评定结果"), max_length=8, choices=Result.choices, default=Result.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["plan", "created_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "candidate"], name="application_one_per_plan")]

    def __str__(self) -> str:
        return f"{self.candidate.name} @ {self.plan.number}"
