"""The roles of skillcert and which side (authority, body, candidate) each belongs to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # 人社部门 (authority) staff: scoped to a region.
    FILING_REVIEWER = "authority_filing_reviewer", _("备案审核员")
    SUPERVISOR = "authority_supervisor", _("督导员")
    STATISTICIAN = "authority_statistician", _("统计员")
    AUTHORITY_ADMIN = "authority_admin", _("管理员")
    # 评价机构 (body) staff: scoped to one body.
    BODY_ADMIN = "body_admin", _("机构管理员")
    EXAM_STAFF = "body_exam_staff", _("考务人员")
    EXAMINER = "body_examiner", _("考评员")
    INTERNAL_SUPERVISOR = "body_internal_supervisor", _("内部督导员")
    # 考生 (candidate): self-registered, sees only their own records.
    CANDIDATE = "candidate", _("考生")


AUTHORITY_ROLES = frozenset({Role.FILING_REVIEWER, Role.SUPERVISOR, Role.STATISTICIAN, Role.AUTHORITY_ADMIN})
BODY_ROLES = frozenset({Role.BODY_ADMIN, Role.EXAM_STAFF, Role.EXAMINER, Role.INTERNAL_SUPERVISOR})
STAFF_ROLES = AUTHORITY_ROLES | BODY_ROLES

# General groupings used by the permission checks of several apps; define them here, nowhere else.
# Body staff who run a body's evaluation work: specs, plans, applications, publicity, printing.
BODY_MANAGER_ROLES = frozenset({Role.BODY_ADMIN, Role.EXAM_STAFF})
# Body staff who take part in the exam itself: the managers and the examiners (scores, recusal).
BODY_EXAM_ROLES = BODY_MANAGER_ROLES | {Role.EXAMINER}
# Authority staff who decide on a body's plans and results and revoke certificates (not statisticians).
AUTHORITY_ACTOR_ROLES = frozenset({Role.FILING_REVIEWER, Role.SUPERVISOR, Role.AUTHORITY_ADMIN})
# Authority staff who review filings and change a body's status.
FILING_AUTHORITY_ROLES = frozenset({Role.FILING_REVIEWER, Role.AUTHORITY_ADMIN})
