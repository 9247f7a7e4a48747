"""How a view declares its access policy.

Every URL resolves to a view marked here:

* ``@public`` — anyone, on purpose (the portal, login);
* ``@scoped`` — login required; the view reads rows only through
  ``Model.objects.visible_to(user)`` (lists, exports, search);
* ``@scoped(Plan, perm=…)`` — login required, and the object named by the URL
  (``pk`` unless ``kwarg`` says otherwise) is fetched through the scope
  mechanism before the view runs: 404 when the user may not see it, 403 when
  they see it but lack ``perm``. The view receives the object, never the id.

``thidua/core/tests/test_url_inventory.py`` walks the resolver: an unmarked
view, or a route with an id whose view does not fetch through ``@scoped(Model)``,
fails the suite, and so does a route with an id that no scope-matrix row visits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, overload

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import HttpRequest, HttpResponse

from thidua.accounts.roles import Perm
from thidua.accounts.scope import get_for_user

V = TypeVar("V", bound=Callable[..., Any])

PUBLIC = "public"
SCOPED = "scoped"


@dataclass(frozen=True)
class Fetch:
    """What a ``@scoped(Model)`` view fetches before it runs."""

    model: type[models.Model]
    perm: str
    kwarg: str


def public(view: V) -> V:
    view.thidua_access = PUBLIC  # type: ignore[attr-defined]
    return view


def _login_required(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        return None
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = request.get_full_path()
        return response
    return redirect_to_login(request.get_full_path())


@overload
def scoped(source: V, /) -> V: ...


@overload
def scoped(
    source: type[models.Model] | models.QuerySet[Any], /, *, perm: str = ..., kwarg: str = ...
) -> Callable[[V], V]: ...


def scoped(source: Any, /, *, perm: str = Perm.VIEW, kwarg: str = "pk") -> Any:
    """Login required; with a model (or queryset), the URL's object is fetched for the user first."""
    if not isinstance(source, models.QuerySet) and not (isinstance(source, type) and issubclass(source, models.Model)):
        view = source

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return _login_required(request) or view(request, *args, **kwargs)

        wrapper.thidua_access = SCOPED  # type: ignore[attr-defined]
        return wrapper

    model = source.model if isinstance(source, models.QuerySet) else source

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refused = _login_required(request)
            if refused:
                return refused
            obj = get_for_user(source, request.user, perm, pk=kwargs.pop(kwarg))
            return view(request, obj, *args, **kwargs)

        wrapper.thidua_access = SCOPED  # type: ignore[attr-defined]
        wrapper.thidua_fetch = Fetch(model=model, perm=perm, kwarg=kwarg)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
