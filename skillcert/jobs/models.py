import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from skillcert.registry.models import Body


class Job(models.Model):
    """One piece of long work (an import, a ZIP of certificates) run outside the request, with its progress
    and outcome.

    Shown to users by ``uuid`` only. ``body`` is the tenant (null for an authority's job); a body has at
    most one queued or running job of each kind at a time (the partial unique constraint settles races):
    an import and a ZIP do not wait for each other (docs/decisions/0008).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    uuid = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=64)
    # PROTECT: a job is part of the body's record, like its audit trail.
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("评价机构")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提交人")
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(_("阶段"), max_length=40, blank=True)
    progress_done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    # A file name under SKILLCERT_JOBS_DIR (private, 0600), never a media URL; emptied when the job ends.
    input_file = models.CharField(_("输入文件"), max_length=100, blank=True)
    # The file the job made, under SKILLCERT_JOBS_DIR (private, 0600); emptied when its retention
    # (SKILLCERT_JOBS_OUTPUT_HOURS after finished_at) ends and the file is deleted.
    output_file = models.CharField(_("输出文件"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("提交时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"))

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "kind"],
                condition=Q(status__in=["queued", "running"]),
                name="jobs_one_active_job_per_body_kind",
            )
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat"),
            # The outputs still kept, found by age when they are purged.
            models.Index(fields=["finished_at"], condition=~Q(output_file=""), name="jobs_outputs_kept"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
