"""What the portal views share: a service's refusal shown on the form that asked for the change."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

from skillcert.core.errors import ApplicationError

T = TypeVar("T")


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields where they exist, else on the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def form_action(form: forms.Form, action: Callable[[], T]) -> T | None:
    """Run ``action``: its result on success; on refusal the errors go onto ``form`` and None is returned.

    For services that return the object they changed: a service returning None would read as refused.
    """
    try:
        return action()
    except ValidationError as error:
        apply_errors(form, error)
    except ApplicationError as error:
        form.add_error(None, error.message)
    return None
