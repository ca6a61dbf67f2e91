from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationRecord(models.Model):
    """One certificate as the public may see it: the read model of the verification app (ARCHITECTURE §4).

    Written only by ``records.verification_records_upsert`` in the issuing and revoking transactions; read
    only by the Starlette app with plain SQL, so the column names are part of its contract. No foreign keys:
    the table must stand alone on a read replica or a separate database, and the number is the natural key.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已撤销")

    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    # NFKC-normalised, trimmed: the public query matches it exactly after the same normalisation.
    holder_name = models.CharField(_("姓名"), max_length=60)
    # Candidate.id_number_index: HMAC of "<id_type>:<number>", never the number itself.
    id_number_index = models.CharField(_("证件号码索引"), max_length=64)
    occupation_name = models.CharField(_("职业名称"), max_length=80)
    occupation_code = models.CharField(_("职业编码"), max_length=20)
    job_type_name = models.CharField(_("工种/职业方向"), max_length=80)
    level_label = models.CharField(_("等级"), max_length=20)
    body_name = models.CharField(_("评价机构"), max_length=120)
    issue_date = models.DateField(_("发证日期"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    replaced_by_number = models.CharField(_("替代证书编号"), max_length=40, blank=True)
    qr_token = models.CharField(max_length=43, unique=True)
    province_code = models.CharField(_("省级代码"), max_length=2)

    class Meta:
        db_table = "verification_record"
        verbose_name = _("证书查询记录")
        verbose_name_plural = _("证书查询记录")
        # number and qr_token are unique (indexed); name + ID number goes through this one.
        indexes = [models.Index(fields=["id_number_index", "holder_name"], name="verification_id_name")]

    def __str__(self) -> str:
        return self.number
