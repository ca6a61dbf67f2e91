from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.registry.models import TenantScopedModel

NO_JOB_TYPE = "--"  # 人社鉴发〔2021〕1号: "--" when there is no 工种/职业方向, never blank


class Certificate(TenantScopedModel):
    """A 职业技能等级证书, issued by the body to a candidate who passed an approved plan.

    Holder, occupation, level and body name are copied at issuance: a certificate states what was true
    when it was issued. ``province_code`` is the distribution key of a national deployment
    (ARCHITECTURE.md §7).
    """

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已撤销")

    number = models.CharField(_("证书编号"), max_length=22, unique=True)
    application = models.ForeignKey(
        "evaluation.Application", on_delete=models.PROTECT, related_name="certificates"
    )
    candidate = models.ForeignKey("accounts.Candidate", on_delete=models.PROTECT, related_name="certificates")
    holder_name = models.CharField(_("姓名"), max_length=60)
    holder_id_type = models.CharField(_("证件类型"), max_length=20)
    occupation = models.ForeignKey(
        "reference.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("职业")
    )
    occupation_name = models.CharField(_("职业名称"), max_length=80)
    job_type_name = models.CharField(_("工种/职业方向"), max_length=80)  # "--" when none, never blank
    level = models.ForeignKey(
        "reference.SkillLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("等级")
    )
    body_name = models.CharField(_("评价机构"), max_length=120)
    province_code = models.CharField(_("省级代码"), max_length=2)
    site_code = models.CharField(_("站点序列码"), max_length=6)
    year = models.PositiveSmallIntegerField(_("发证年份"))
    serial = models.PositiveIntegerField(_("证书序列码"))
    issue_date = models.DateField(_("发证日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revocation_reason = models.TextField(_("撤销原因"), blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )
    # Opens the public verification page from the QR code; unguessable, unlike the number.
    qr_token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["-issue_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["site_code", "year", "level", "serial"], name="certificate_serial_unique"
            ),
        ]
        indexes = [models.Index(fields=["province_code", "number"])]

    def __str__(self) -> str:
        return self.number


class SerialCounter(models.Model):
    """The last serial used for one site, year and level (证书序列码 counts per site, year and level).

    Taken with SELECT … FOR UPDATE in the issuing transaction: a rolled-back issuance rolls the counter back
    with it, so serials are never skipped, and concurrent issuers queue on the row, so never repeated.
    """

    site_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    level_digit = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("证书序列计数")
        verbose_name_plural = _("证书序列计数")
        constraints = [
            models.UniqueConstraint(
                fields=["site_code", "year", "level_digit"], name="serial_counter_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(last_serial__lte=999999), name="serial_counter_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_code}/{self.year}/{self.level_digit}: {self.last_serial}"
