from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest


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


def seen_state(request: HttpRequest) -> str | None:
    """The state token a transition form sends back (``seen``): what the page showed when clicked."""
    return request.POST.get("seen") or None


def attempt(request: HttpRequest, action: Callable[[], Any], *, success: str) -> bool:
    """Run a service for a one-button page action; say what happened in the page's messages.

    A ValidationError (wrong state, someone acted first, a rule) becomes an error message.
    """
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


__all__ = ["NON_FIELD_ERRORS", "apply_errors", "attempt", "form_status", "seen_state"]
