from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "skillcert.verification"
    label = "verification"
    verbose_name = "证书公开查询"
