from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from thidua.accounts.access import scoped
from thidua.notifications.models import Notification
from thidua.notifications.services import notifications_read


@scoped
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's last 100 notifications; opening the page marks them read."""
    rows = list(Notification.objects.visible_to(request.user)[:100])
    notifications_read(user=request.user)
    return render(request, "notifications/list.html", {"nav": "notifications", "items": rows})
