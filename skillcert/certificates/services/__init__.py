"""Writes of the certificates app."""

from skillcert.certificates.services.documents import certificate_pdf_download as certificate_pdf_download
from skillcert.certificates.services.documents import (
    plan_certificates_zip_download as plan_certificates_zip_download,
)
from skillcert.certificates.services.issue import certificate_issue as certificate_issue
from skillcert.certificates.services.issue import certificates_issue_for_plan as certificates_issue_for_plan
from skillcert.certificates.services.plan_zip_job import (
    plan_certificates_zip_job_download as plan_certificates_zip_job_download,
)
from skillcert.certificates.services.plan_zip_job import (
    plan_certificates_zip_start as plan_certificates_zip_start,
)
from skillcert.certificates.services.reissue import certificate_reissue as certificate_reissue
from skillcert.certificates.services.revoke import certificate_revoke as certificate_revoke
from skillcert.certificates.services.revoke import (
    certificates_revoke_for_plan as certificates_revoke_for_plan,
)
