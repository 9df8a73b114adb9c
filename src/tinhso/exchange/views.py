"""The clerk's interconnection pages: the packages sent with each recipient's state and
failures, the packages received with their verdicts; sending a failed package again; answering
a revoke from the document page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import ExchangeOutbox
from tinhso.documents.selectors import document_detail
from tinhso.exchange import selectors, services
from tinhso.exchange.access import may_watch_agency, require_watcher
from tinhso.exchange.models import Verdict

PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def sent_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_watcher(actor)
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    page = Paginator(selectors.sent_packages(actor, state=state, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exchange/sent.html",
        {
            "page": page,
            "rows": list(page),
            "state": state if state in selectors.SENT_STATES else "",
            "kind": kind if kind in selectors.KINDS else "",
            "states": ExchangeOutbox.State.choices,
            "kinds": ExchangeOutbox.Kind.choices,
            "counts": selectors.sent_counts(actor),
            "tab": "sent",
        },
    )


@login_required
@require_GET
def received_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_watcher(actor)
    verdict = request.GET.get("verdict", "")
    if verdict not in Verdict.values:
        verdict = ""
    page = Paginator(selectors.received_packages(actor, verdict=verdict), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exchange/received.html",
        {
            "page": page,
            "rows": list(page),
            "verdict": verdict,
            "verdicts": Verdict.choices,
            "tab": "received",
        },
    )


@login_required
@require_POST
def outbox_retry(request: HttpRequest, outbox_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_watcher(actor)
    agency_id = (
        ExchangeOutbox.objects.filter(pk=outbox_id).values_list("agency_id", flat=True).first()
    )
    if agency_id is None and not ExchangeOutbox.objects.filter(pk=outbox_id).exists():
        raise Http404(_("Không tìm thấy gói tin."))
    if not may_watch_agency(actor, agency_id):
        raise Http404(_("Không tìm thấy gói tin."))
    try:
        services.outbox_retry(actor=_user(request), outbox_id=outbox_id)
    except DocumentConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Gói tin được đưa lại vào hàng đợi gửi."))
    return HttpResponseRedirect(reverse("exchange:sent") + "?state=pending")


class RefuseRevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do từ chối thu hồi"), max_length=2000, widget=forms.Textarea
    )


@login_required
@require_POST
def revoke_answer(request: HttpRequest, document_id: int, answer: str) -> HttpResponse:
    """The clerk of the receiving agency agrees to a revoke (15) or refuses it (16)."""
    if answer not in ("dong-y", "tu-choi"):
        raise Http404(_("Thao tác không tồn tại."))
    actor = actor_for(request.user)
    if not actor.is_official:
        raise PermissionDenied(_("Chức năng này dành cho cán bộ, công chức."))
    d = document_detail(actor, document_id)  # 404 for whoever does not see it
    target = reverse("documents:detail", args=[d.pk])
    try:
        if answer == "dong-y":
            services.revoke_agree(actor=_user(request), document_id=d.pk)
            messages.success(request, _("Đã hủy văn bản theo đề nghị thu hồi của nơi gửi."))
        else:
            form = RefuseRevokeForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Cần ghi lý do từ chối thu hồi."))
                return HttpResponseRedirect(target)
            services.revoke_refuse(
                actor=_user(request), document_id=d.pk, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Đã từ chối thu hồi; nơi gửi được thông báo lý do."))
    except PermissionDenied:
        raise
    except DocumentConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(target)
