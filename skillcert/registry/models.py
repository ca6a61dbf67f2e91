from django.db import models
from django.utils.translation import gettext_lazy as _


class Body(models.Model):
    """An evaluation body (评价机构): an employer or a social training evaluation organisation.

    Bodies are the tenants of skillcert: every body-owned row carries its body.
    """

    class Kind(models.TextChoices):
        EMPLOYER = "Y", _("用人单位")
        SOCIAL_ORGANISATION = "S", _("社会培训评价组织")

    name = models.CharField(_("机构名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("机构类别"), max_length=1, choices=Kind.choices)
    district = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="bodies", verbose_name=_("所在区")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价机构")
        verbose_name_plural = _("评价机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantScopedQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Body) -> "TenantScopedQuerySet":
        return self.filter(tenant=tenant)


class TenantScopedModel(models.Model):
    """Base of every body-owned model: the owning body is a required, indexed foreign key."""

    tenant = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价机构"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        abstract = True
