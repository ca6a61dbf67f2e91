from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "skillcert.registry"
    label = "registry"
    verbose_name = "评价机构"
