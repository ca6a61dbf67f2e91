from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative area code of GB/T 2260, current or retired (ID numbers keep retired codes)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        PREFECTURE = "prefecture", _("地级")
        COUNTY = "county", _("县级")

    code = models.CharField(_("代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    in_use = models.BooleanField(_("在用"), default=True)
    established_year = models.PositiveSmallIntegerField(_("启用年份"), null=True, blank=True)
    retired_year = models.PositiveSmallIntegerField(_("弃用年份"), null=True, blank=True)
    successor_codes = models.CharField(_("新代码"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def successor_code_list(self) -> list[str]:
        """The codes of ``successor_codes`` without the optional ``[year]`` notes ("310115[1992];310101")."""
        return [part.split("[", 1)[0] for part in self.successor_codes.split(";") if part]


class SkillLevel(models.Model):
    """A rung of the skill ladder: the five certificate levels and the 新八级 additions."""

    code = models.CharField(_("代码"), max_length=16, primary_key=True)
    # The digit in position 16 of a certificate number (1 = 一级/高级技师 … 5 = 五级/初级工); none for
    # 学徒工, 特级技师 and 首席技师, which are not 1–5 certificate levels.
    certificate_digit = models.PositiveSmallIntegerField(
        _("证书等级代码"), null=True, blank=True, unique=True
    )
    label = models.CharField(_("等级"), max_length=20)  # as printed: "三级/高级工"
    name = models.CharField(_("等级名称"), max_length=10)  # "高级工"
    rank = models.PositiveSmallIntegerField(_("序位"), unique=True)  # 0 学徒工 … 7 首席技师
    is_high_skill = models.BooleanField(_("高技能人才"), default=False)

    class Meta:
        verbose_name = _("职业技能等级")
        verbose_name_plural = _("职业技能等级")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.label


class Occupation(models.Model):
    """An occupation of the national occupation catalogue (国家职业分类大典)."""

    code = models.CharField(_("职业编码"), max_length=10, unique=True)  # D-DD-DD-DD
    name = models.CharField(_("职业名称"), max_length=80)
    is_green = models.BooleanField(_("绿色职业(L)"), default=False)
    is_digital = models.BooleanField(_("数字职业(S)"), default=False)
    small_code = models.CharField(_("小类编码"), max_length=8, blank=True)
    small_name = models.CharField(_("小类名称"), max_length=80, blank=True)
    edition = models.CharField(_("版本"), max_length=10, default="2022")

    class Meta:
        verbose_name = _("职业")
        verbose_name_plural = _("职业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JobType(models.Model):
    """A job type (工种 / 职业方向) within an occupation."""

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="job_types")
    name = models.CharField(_("工种名称"), max_length=80)

    class Meta:
        verbose_name = _("工种")
        verbose_name_plural = _("工种")
        ordering = ["occupation__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["occupation", "name"], name="job_type_unique_per_occupation")
        ]

    def __str__(self) -> str:
        return self.name


class LevelRange(models.Model):
    """The certificate levels at which an occupation, or one of its job types, may be evaluated.

    Part of "国家公布的可备案职业(工种)、等级范围": bodies may file only within it. A job type's own range
    wins over its occupation's; with no range recorded, all five certificate levels are allowed
    (``skillcert.reference.selectors.level_range_resolve``).
    """

    # CASCADE: a range means nothing without its occupation or job type; filed scopes PROTECT those rows.
    occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="level_ranges", verbose_name=_("职业")
    )
    job_type = models.ForeignKey(
        JobType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="level_ranges",
        verbose_name=_("工种"),
    )
    # Both ends point at the certificate digit (5 = 五级/初级工 … 1 = 一级/高级技师), not the level code:
    # only the five certificate levels can be referenced at all, and the database can check the order.
    lowest = models.ForeignKey(
        SkillLevel,
        to_field="certificate_digit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("最低等级"),
    )
    highest = models.ForeignKey(
        SkillLevel,
        to_field="certificate_digit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("最高等级"),
    )

    class Meta:
        verbose_name = _("可评价等级范围")
        verbose_name_plural = _("可评价等级范围")
        ordering = ["occupation__code", "job_type__name"]
        constraints = [
            # A larger certificate digit is a lower level: 五级 (5) … 一级 (1).
            models.CheckConstraint(
                condition=models.Q(lowest_id__gte=models.F("highest_id")), name="level_range_lowest_not_above"
            ),
            models.UniqueConstraint(
                fields=["occupation"],
                condition=models.Q(job_type__isnull=True),
                name="level_range_unique_per_occupation",
            ),
            models.UniqueConstraint(
                fields=["occupation", "job_type"],
                condition=models.Q(job_type__isnull=False),
                name="level_range_unique_per_job_type",
            ),
        ]

    def __str__(self) -> str:
        subject = f"{self.occupation.name}（{self.job_type.name}）" if self.job_type else self.occupation.name
        if self.lowest_id == self.highest_id:
            return f"{subject}：{self.lowest.label}"
        return f"{subject}：{self.lowest.label}至{self.highest.label}"

    def clean(self) -> None:
        if self.job_type is not None and self.job_type.occupation_id != self.occupation_id:
            raise ValidationError({"job_type": _("工种不属于该职业。")})
