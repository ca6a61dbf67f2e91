"""The form of an evaluation spec: the values a body keeps for one occupation / job type / level."""

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict

from skillcert.evaluation.models import EvaluationSpec
from skillcert.evaluation.services.specs import SPEC_DEFAULTS, SPEC_FIELDS, review_required
from skillcert.reference.models import SkillLevel


class SpecForm(forms.Form):
    """Components, pass marks, durations, staff ratios and eligibility template of a spec."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(EvaluationSpec, fields=SPEC_FIELDS))
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    @classmethod
    def initial_for_level(cls, level: SkillLevel) -> dict[str, Any]:
        """The policy defaults of a new spec (综合评审 on for levels 2 and 1)."""
        initial = {field: default() for field, default in SPEC_DEFAULTS.items() if default is not None}
        initial["has_review"] = review_required(level)
        return initial

    @classmethod
    def initial_for_spec(cls, spec: EvaluationSpec) -> dict[str, Any]:
        return model_to_dict(spec, fields=SPEC_FIELDS)

    def values(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in SPEC_FIELDS}
