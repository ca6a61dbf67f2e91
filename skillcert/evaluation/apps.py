from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "skillcert.evaluation"
    label = "evaluation"
    verbose_name = "等级认定"
