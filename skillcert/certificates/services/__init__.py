"""Writes of the certificates app."""

from skillcert.certificates.services.issue import certificate_issue as certificate_issue
from skillcert.certificates.services.issue import certificates_issue_for_plan as certificates_issue_for_plan
