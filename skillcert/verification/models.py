from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from skillcert.accounts.models import User


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


class EnumerationAlert(models.Model):
    """A sign that someone is enumerating certificates through the public query (security.md P5).

    Written by ``services.enumeration_watch_run`` from the detectors of watch.py; acknowledged by the
    municipal authority's administrator. City-wide, so no tenant: the public query is not per district.
    ``subject`` is a keyed hash from the event log (events.py), never an address or a number in clear.
    """

    class Kind(models.TextChoices):
        # The values are watch.AlertKind's.
        CLIENT_NUMBERS = "client_numbers", _("单一地址查询大量证书编号")
        NETWORK_NUMBERS = "network_numbers", _("单一网段查询大量证书编号")
        MISS_RATIO = "miss_ratio", _("查询未果比例过高")
        SEQUENTIAL = "sequential", _("连续证书序列号被查询")
        NUMBER_NETWORKS = "number_networks", _("同一证书被多个网段查询")

    kind = models.CharField(_("告警类型"), max_length=20, choices=Kind.choices)
    # The hash of the client, network, stem or number; "" for the overall miss ratio.
    subject = models.CharField(_("对象摘要"), max_length=40, blank=True)
    count = models.PositiveIntegerField(_("数量"))
    window_start = models.DateTimeField(_("首次出现"))
    window_end = models.DateTimeField(_("最后出现"))
    description = models.CharField(_("说明"), max_length=200)
    created_at = models.DateTimeField(_("告警时间"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # PROTECT: an acknowledgement names its user for as long as the alert is kept.
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("证书查询异常告警")
        verbose_name_plural = _("证书查询异常告警")
        constraints = [
            # One alert per incident: the watch run merges later sightings into it (services.py).
            models.UniqueConstraint(
                fields=["kind", "subject", "window_start"], name="verification_alert_once_per_window"
            ),
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")),
                name="verification_alert_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="verification_alert_acknowledged_by_whom",
            ),
        ]
        # The alert page lists newest first; the dashboard counts the unacknowledged.
        indexes = [models.Index(fields=["acknowledged_at", "created_at"], name="verification_alert_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}".strip()

    def mark_acknowledged(self, *, by: "User", at: datetime) -> None:
        """Set who acknowledged the alert and when, together."""
        self.acknowledged_by = by
        self.acknowledged_at = at
