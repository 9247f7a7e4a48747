"""The "Mã truy cập API" pages: a person's own API tokens, created (shown once) and revoked.

Each person manages only their own tokens (``ApiToken.scope_rule = OwnedBy("user")``): another
person's token is 404 here, whatever their roles. The token itself appears once, in the answer to
the form that created it (never stored, never redirected through a message or the session).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from thidua.accounts import tokens
from thidua.accounts.access import scoped
from thidua.accounts.models import ApiToken
from thidua.core.excel import Title
from thidua.core.forms import apply_errors, form_status
from thidua.core.listing import Column, Listing, Sort

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]
TOKEN_SORTS = (
    Sort("name", ("name",)),
    Sort("created", ("created_at",)),
    Sort("expires", ("expires_at",)),
    Sort("used", ("last_used_at",)),
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên gợi nhớ"),
        max_length=100,
        help_text=gettext_lazy("Để biết mã dùng ở đâu, ví dụ: Hệ thống văn phòng điện tử."),
    )
    access = forms.ChoiceField(label=gettext_lazy("Quyền"), choices=ApiToken.Access.choices, initial="read")
    expires_on = forms.DateField(
        label=gettext_lazy("Hết hạn sau ngày"),
        input_formats=DATE_INPUT,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        help_text=gettext_lazy("Tối đa 365 ngày kể từ hôm nay."),
    )


def _listing(request: HttpRequest) -> Listing:
    return Listing(request, ApiToken.objects.visible_to(request.user), sorts=TOKEN_SORTS, default_sort="-created")


def _status(token: ApiToken, now: dt.datetime) -> str:
    if token.revoked_at:
        return str(_("Đã thu hồi"))
    if token.expires_at <= now:
        return str(_("Đã hết hạn"))
    return str(_("Còn hiệu lực"))


@scoped
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """My tokens; the form creates one and this answer is the only place its value is shown."""
    form = TokenForm(request.POST or None, initial={"expires_on": timezone.localdate() + dt.timedelta(days=90)})
    created: tuple[ApiToken, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                access=form.cleaned_data["access"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = TokenForm(initial={"expires_on": timezone.localdate() + dt.timedelta(days=90)})
    listing = _listing(request)
    now = timezone.now()
    if listing.wants_export:
        return listing.export(
            "ma-truy-cap-api.xlsx",
            _("Mã truy cập API"),
            title=Title(_("Mã truy cập API của %(user)s") % {"user": request.user}, []),
            columns=[
                Column(_("Tên gợi nhớ"), lambda t: t.name),
                Column(_("Tiền tố"), lambda t: f"{tokens.PREFIX}{t.prefix}"),
                Column(_("Quyền"), lambda t: t.get_access_display()),
                Column(_("Ngày tạo"), lambda t: timezone.localtime(t.created_at)),
                Column(_("Hết hạn"), lambda t: timezone.localtime(t.expires_at)),
                Column(_("Dùng lần cuối"), lambda t: t.last_used_at and timezone.localtime(t.last_used_at)),
                Column(_("Trạng thái"), lambda t: _status(t, now)),
            ],
        )
    rows: list[dict[str, Any]] = [
        {"token": t, "status": _status(t, now), "active": t.is_active(now)} for t in listing.page
    ]
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "listing": listing,
            "rows": rows,
            "created": created[0] if created else None,
            "secret": created[1] if created else "",
            "prefix": tokens.PREFIX,
            "rate": tokens.rate_limit(),
        },
        status=201 if created else form_status(form),
    )


@scoped(ApiToken.objects.all())
@require_POST
def token_revoke(request: HttpRequest, token: ApiToken) -> HttpResponse:
    if tokens.token_revoke(token=token):
        messages.success(request, _("Đã thu hồi mã %(prefix)s.") % {"prefix": f"{tokens.PREFIX}{token.prefix}"})
    else:
        messages.info(request, _("Mã này đã bị thu hồi trước đó."))
    return redirect("tokens:list")
