from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Body(models.Model):
    """An evaluation body (评价机构): an employer or a social training evaluation organisation.

    Bodies are the tenants of skillcert: every body-owned row carries its body. The name, credit code,
    kind and district are those of the approved filing; a new application changes them only on approval.
    """

    class Kind(models.TextChoices):
        EMPLOYER = "Y", _("用人单位")
        SOCIAL_ORGANISATION = "S", _("社会培训评价组织")

    class FilingStatus(models.TextChoices):
        UNFILED = "unfiled", _("未备案")
        FILED = "filed", _("已备案")
        SUSPENDED = "suspended", _("整改中")
        REVOKED = "revoked", _("已退出")

    name = models.CharField(_("机构名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("机构类别"), max_length=1, choices=Kind.choices)
    district = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="bodies", verbose_name=_("所在区")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # 评价机构代码 (certificate number positions 2–5): "0000" for bodies filed with a province, otherwise the
    # code MOHRSS assigned.
    body_code = models.CharField(_("评价机构代码"), max_length=4, default="0000")
    filing_status = models.CharField(
        _("备案状态"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.UNFILED
    )
    filing_status_reason = models.TextField(_("状态说明"), blank=True)
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价机构")
        verbose_name_plural = _("评价机构")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(body_code__regex=r"^\d{4}$"), name="body_code_four_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def may_evaluate(self) -> bool:
        """Only a filed body may open plans or issue certificates (not one in 整改 or 退出)."""
        return self.filing_status == self.FilingStatus.FILED


class TenantScopedQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Body) -> "TenantScopedQuerySet":
        return self.filter(tenant=tenant)


class TenantScopedModel(models.Model):
    """Base of every body-owned model: the owning body is a required, indexed foreign key."""

    tenant = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价机构"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Site(TenantScopedModel):
    """An evaluation site (评价站点) of a body, where evaluations take place."""

    name = models.CharField(_("站点名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200)
    district = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区")
    )
    # 评价机构(站点)序列码 (certificate number positions 8–13), assigned by the authority at approval and
    # unique within the province.
    sequence_code = models.CharField(_("站点序列码"), max_length=6, null=True, blank=True, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("评价站点")
        verbose_name_plural = _("评价站点")
        ordering = ["tenant", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence_code__isnull=True) | models.Q(sequence_code__regex=r"^\d{6}$"),
                name="site_sequence_code_six_digits",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FilingApplication(TenantScopedModel):
    """An application to file (备案) a body or change its filed scope, reviewed by its district authority."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("首次备案")
        SCOPE_CHANGE = "scope_change", _("备案范围变更")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("退回修改")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    kind = models.CharField(_("申请类型"), max_length=16, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # What the body declares; copied onto the Body when the application is approved.
    body_name = models.CharField(_("机构名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    body_kind = models.CharField(_("机构类别"), max_length=1, choices=Body.Kind.choices)
    district = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区")
    )
    address = models.CharField(_("地址"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=40)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decision_reason = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # A scope change may ask to drop rows of the scope in force; approval marks them withdrawn.
    scope_withdrawals: "models.ManyToManyField[FiledScope, models.Model]" = models.ManyToManyField(
        "FiledScope", blank=True, related_name="withdrawal_requests", verbose_name=_("申请撤回的备案范围")
    )

    class Meta:
        verbose_name = _("备案申请")
        verbose_name_plural = _("备案申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.body_name} {self.get_kind_display()}（{self.get_status_display()}）"


class FilingApplicationSite(models.Model):
    """A site declared in a filing application; approval creates or updates the body's Site."""

    application = models.ForeignKey(FilingApplication, on_delete=models.CASCADE, related_name="sites")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("站点名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200)
    district = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区")
    )

    class Meta:
        verbose_name = _("申请站点")
        verbose_name_plural = _("申请站点")

    def __str__(self) -> str:
        return self.name


class FilingScopeRequest(models.Model):
    """One occupation / job type / level a body asks to evaluate, with the resources behind it."""

    application = models.ForeignKey(
        FilingApplication, on_delete=models.CASCADE, related_name="scope_requests"
    )
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
    examiners = models.PositiveSmallIntegerField(_("考评员人数"))
    internal_supervisors = models.PositiveSmallIntegerField(_("内部督导员人数"))
    question_bank = models.CharField(_("题库"), max_length=200)
    equipment = models.TextField(_("场地设备"))

    class Meta:
        verbose_name = _("申请备案范围")
        verbose_name_plural = _("申请备案范围")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "occupation", "job_type", "level"], name="scope_request_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occupation} {self.job_type or '--'} {self.level}"


class FiledScope(TenantScopedModel):
    """An occupation / job type / level the body is filed for, in force until withdrawn."""

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
    granted_by = models.ForeignKey(FilingApplication, on_delete=models.PROTECT, related_name="granted_scopes")
    granted_at = models.DateTimeField(_("生效时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("备案范围")
        verbose_name_plural = _("备案范围")
        ordering = ["occupation__code", "level__rank"]

    def __str__(self) -> str:
        return f"{self.occupation} {self.job_type or '--'} {self.level}"


class FilingStatusChange(TenantScopedModel):
    """A change of a body's filing status: filed, suspended (整改), reinstated, revoked (退出)."""

    from_status = models.CharField(_("原状态"), max_length=16, choices=Body.FilingStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Body.FilingStatus.choices)
    reason = models.TextField(_("原因"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("备案状态变更")
        verbose_name_plural = _("备案状态变更")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
