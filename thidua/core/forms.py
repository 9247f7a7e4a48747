from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, next to the field it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def form_status(*forms_: forms.BaseForm) -> int:
    """400 when a submitted form has errors (bad input is a client error), else 200."""
    return 400 if any(f.is_bound and f.errors for f in forms_) else 200


__all__ = ["NON_FIELD_ERRORS", "apply_errors", "form_status"]
