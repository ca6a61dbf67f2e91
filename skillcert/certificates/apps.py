from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "skillcert.certificates"
    label = "certificates"
    verbose_name = "证书"
