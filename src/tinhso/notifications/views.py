"""The outbox page for administrators: the filtered list and "send again" of a failed row."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.notifications import services
from tinhso.notifications.access import access_notification, notification_scope
from tinhso.notifications.forms import NotificationFilterForm
from tinhso.notifications.models import Status
from tinhso.notifications.selectors import NotificationFilters, notifications

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    scope = notification_scope(actor_for(request.user))
    filtering = any(key != "page" for key in request.GET)
    form = NotificationFilterForm(request.GET if filtering else None)
    page = None  # stays None while the filters have errors: they are shown instead
    if not filtering or form.is_valid():
        rows = notifications(
            scope=scope, filters=form.filters() if filtering else NotificationFilters()
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {
            "form": form,
            "page": page,
            "filtering": filtering,
            "failed": Status.FAILED,
            "pending": Status.PENDING,
            "query": request.GET.urlencode(),
            "show_agency": scope is None or len(scope) > 1,
            "breadcrumbs": [(_("Thông báo gửi đi"), None)],
        },
    )


@login_required
@require_POST
def notification_retry(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_notification(actor_for(request.user), pk)
    assert isinstance(request.user, User)
    try:
        services.notification_retry(actor=request.user, notification=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Đã đưa thông báo gửi %(recipient)s vào hàng chờ gửi lại.")
            % {"recipient": row.recipient},
        )
    # Back to the list as it was filtered; only the parsed parameters are kept.
    back = QueryDict(request.POST.get("back", "")).urlencode()
    url = reverse("notifications:notification_list")
    return HttpResponseRedirect(f"{url}?{back}" if back else url)
