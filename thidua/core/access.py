"""How a view declares its access policy.

Every URL must resolve to a view marked here: ``public`` (anyone, on purpose)
or ``scoped`` (login required, and the view fetches rows only through the
scope mechanism in ``thidua.accounts.scope``). ``tests/test_url_inventory.py``
walks the resolver and fails on any unmarked view, so a new view cannot
silently skip the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

V = TypeVar("V", bound=Callable[..., Any])

PUBLIC = "public"
SCOPED = "scoped"


def public(view: V) -> V:
    view.thidua_access = PUBLIC  # type: ignore[attr-defined]
    return view


def scoped(view: V) -> V:
    """Login required; the view reads and writes only through scope helpers."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=401)
                response["HX-Redirect"] = request.get_full_path()
                return response
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.thidua_access = SCOPED  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
