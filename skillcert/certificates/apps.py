from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "skillcert.certificates"
    label = "certificates"
    verbose_name = "证书"

    def ready(self) -> None:
        # The ZIP job words its own failures (the jobs mechanism's default wording speaks of an import).
        from skillcert.certificates.services.plan_zip_job import PLAN_ZIP, ZIP_WORDING
        from skillcert.jobs.services import job_kind_register

        job_kind_register(kind=PLAN_ZIP, wording=ZIP_WORDING)
