from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.evaluation import policy
from skillcert.registry.models import TenantScopedModel


class Component(models.TextChoices):
    THEORY = "theory", _("理论知识考试")
    SKILLS = "skills", _("操作技能考核")
    REVIEW = "review", _("综合评审")


class EligibilityTemplate(models.TextChoices):
    STANDARD_2018 = "standard_2018", _("国家职业技能标准(2018年版规程)")
    STANDARD_2023 = "standard_2023", _("国家职业标准(2023年版规程)")


class EvaluationSpec(TenantScopedModel):
    """How a body evaluates one occupation / job type / level of its filed scope (评价规范).

    Defaults come from settings through ``skillcert.evaluation.policy``; a body may set stricter values.
    """

    occupation = models.ForeignKey(
        "reference.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("职业")
    )
    job_type = models.ForeignKey(
        "reference.JobType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("工种"),
    )
    level = models.ForeignKey(
        "reference.SkillLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("等级")
    )
    has_theory = models.BooleanField(_("理论知识考试"), default=True)
    has_skills = models.BooleanField(_("操作技能考核"), default=True)
    has_review = models.BooleanField(_("综合评审"), default=False)  # required for levels 2 and 1
    theory_pass_mark = models.DecimalField(
        _("理论及格分"), max_digits=5, decimal_places=2, default=policy.pass_mark
    )
    skills_pass_mark = models.DecimalField(
        _("技能及格分"), max_digits=5, decimal_places=2, default=policy.pass_mark
    )
    review_pass_mark = models.DecimalField(
        _("评审及格分"), max_digits=5, decimal_places=2, default=policy.pass_mark
    )
    theory_minutes = models.PositiveSmallIntegerField(_("理论时长(分钟)"), default=policy.theory_minutes)
    skills_minutes = models.PositiveSmallIntegerField(_("技能时长(分钟)"), default=policy.skills_minutes)
    review_minutes = models.PositiveSmallIntegerField(_("评审时长(分钟)"), default=policy.review_minutes)
    candidates_per_invigilator = models.PositiveSmallIntegerField(
        _("每名监考对应考生数"), default=policy.candidates_per_invigilator
    )
    min_invigilators_per_room = models.PositiveSmallIntegerField(
        _("每考场最少监考人数"), default=policy.min_invigilators_per_room
    )
    candidates_per_examiner = models.PositiveSmallIntegerField(
        _("每名考评员对应考生数"), default=policy.candidates_per_examiner
    )
    min_examiners = models.PositiveSmallIntegerField(_("考评员最少人数(奇数)"), default=policy.min_examiners)
    min_review_panel = models.PositiveSmallIntegerField(
        _("评审组最少人数(奇数)"), default=policy.min_review_panel
    )
    eligibility_template = models.CharField(
        _("申报条件模板"),
        max_length=20,
        choices=EligibilityTemplate.choices,
        default=EligibilityTemplate.STANDARD_2018,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价规范")
        verbose_name_plural = _("评价规范")
        ordering = ["occupation__code", "level__rank"]

    def __str__(self) -> str:
        return f"{self.occupation.name} {self.job_type.name if self.job_type else '--'} {self.level.label}"

    def components(self) -> list[str]:
        present = [
            (Component.THEORY, self.has_theory),
            (Component.SKILLS, self.has_skills),
            (Component.REVIEW, self.has_review),
        ]
        return [component for component, on in present if on]

    def pass_mark(self, component: str) -> Decimal:
        marks: dict[str, Decimal] = {
            Component.THEORY: self.theory_pass_mark,
            Component.SKILLS: self.skills_pass_mark,
            Component.REVIEW: self.review_pass_mark,
        }
        return marks[component]


class EligibilityRoute(models.Model):
    """One way to qualify for a level (申报条件), as data: every condition listed must hold.

    ``conditions`` is a list of objects, e.g. ``{"kind": "work_years", "min": 6}``,
    ``{"kind": "certificate", "level_digit": 5, "years_since": 4}``, ``{"kind": "education", "in": [...]}``,
    ``{"kind": "title", "rank": "intermediate", "years_since": 1}``. The evaluator lives in
    ``skillcert.evaluation.eligibility``.
    """

    template = models.CharField(_("模板"), max_length=20)
    level = models.ForeignKey(
        "reference.SkillLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("等级")
    )
    code = models.CharField(_("条件编号"), max_length=40, unique=True)
    label = models.CharField(_("申报条件"), max_length=300)
    conditions = models.JSONField(_("条件"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("申报条件")
        verbose_name_plural = _("申报条件")
        ordering = ["template", "level__rank", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"
