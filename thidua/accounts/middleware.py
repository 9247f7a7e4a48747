"""No copy of a private page or export is kept by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from thidua.accounts.access import PUBLIC

NO_STORE = "private, no-store"


class NoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every response but a ``@public`` view's own choice.

    Pages and exports behind login hold personal data (a member export carries phone and ID
    numbers) and must not stay in the disk cache of a shared office computer. So every response
    of a scoped view, the API and the Django admin is ``no-store``, whatever the view set; so is
    a public view's when it chose no caching of its own (the login page), and any response to a
    URL that matched no view. A ``@public`` view that sets Cache-Control keeps it: the portal's
    pages are shareable on purpose (``public``, or ``private`` for signed-in readers).

    The marker lives in ``thidua.accounts.access``; this middleware sits here rather than in
    ``thidua.core``, which imports no other app.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        public = match is not None and getattr(match.func, "thidua_access", None) == PUBLIC
        chosen = response.get("Cache-Control", "")
        if (public and chosen) or "no-store" in chosen:
            return response
        response["Cache-Control"] = NO_STORE
        return response
