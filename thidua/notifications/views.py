from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thidua.accounts.access import scoped
from thidua.core.listing import Listing
from thidua.notifications.models import Notification
from thidua.notifications.services import email_preference_set, notifications_read


@scoped
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first and paged; opening the page marks them read."""
    qs = Notification.objects.visible_to(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    listing = Listing(request, qs.order_by("-created_at", "-id"))
    items = list(listing.page)  # read before they are marked read, so "mới" shows on this visit
    notifications_read(user=request.user)
    return render(
        request,
        "notifications/list.html",
        {"nav": "notifications", "listing": listing, "items": items, "unread": request.GET.get("unread") == "1"},
    )


@scoped
@require_POST
def email_preference(request: HttpRequest) -> HttpResponse:
    """The person turns e-mail copies of their notifications on or off (in-app ones always stay)."""
    on = request.POST.get("email") == "on"
    email_preference_set(user=request.user, on=on)
    messages.success(request, _("Đã bật nhận thông báo qua e-mail.") if on else _("Đã tắt nhận thông báo qua e-mail."))
    return redirect("notifications:list")
