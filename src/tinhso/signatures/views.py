"""Screens: the trust list (provincial administrator), the signature report of a stored file,
and signing a stored PDF with a key on a token (PIN, and OTP for officials with two-factor)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import User
from tinhso.accounts.two_factor import confirmed_device
from tinhso.files.access import access_file
from tinhso.files.models import StoredFile
from tinhso.signatures import selectors, services
from tinhso.signatures.access import access_signing_key, may_manage_trust_list, usable_keys
from tinhso.signatures.models import SignaturePurpose, SigningKey, TrustRoot
from tinhso.signatures.presentation import LEVELS, report_view

LEVEL_CHOICES = ("B-T", "B-LT", "B-LTA")


@login_required
@require_http_methods(["GET", "POST"])
def trust_list(request: HttpRequest) -> HttpResponse:
    if not may_manage_trust_list(actor_for(request.user)):
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được quản lý danh sách tin cậy."))
    errors: list[str] = []
    pem = ""
    if request.method == "POST":
        upload = request.FILES.get("certificate")
        pem = request.POST.get("pem", "")
        data: bytes | str = upload.read(70 * 1024) if upload is not None else pem
        assert isinstance(request.user, User)
        try:
            root = services.trust_root_add(
                actor=request.user, pem=data, note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("Đã thêm “%(subject)s” vào danh sách tin cậy.") % {"subject": root.subject},
            )
            return HttpResponseRedirect(reverse("signatures:trust_list"))
    return render(
        request,
        "signatures/trust_list.html",
        {
            "roots": TrustRoot.objects.order_by("-enabled", "subject"),
            "errors": errors,
            "pem": pem,
            "breadcrumbs": [(_("Danh sách tin cậy"), None)],
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def trust_root_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_manage_trust_list(actor_for(request.user)):
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được quản lý danh sách tin cậy."))
    root = get_object_or_404(TrustRoot, pk=pk)
    assert isinstance(request.user, User)
    services.trust_root_update(
        actor=request.user,
        root=root,
        enabled=not root.enabled,
        trusted_from=root.trusted_from,
        trusted_until=root.trusted_until,
    )
    if root.enabled:
        messages.success(request, _("Đã ngừng tin cậy “%(s)s”.") % {"s": root.subject})
    else:
        messages.success(request, _("Đã tin cậy lại “%(s)s”.") % {"s": root.subject})
    return HttpResponseRedirect(reverse("signatures:trust_list"))


@login_required
@require_GET
def file_report(request: HttpRequest, file_id: int) -> HttpResponse:
    stored = access_file(actor_for(request.user), file_id)
    kept = selectors.latest_report(stored)
    if kept is None or request.GET.get("recheck"):
        kept = services.file_signatures_check(file=stored)
    return render(
        request,
        "signatures/file_report.html",
        {
            "stored": stored,
            "kept": kept,
            "report": report_view(kept.report),
            "file_name": stored.name,
            "breadcrumbs": [(_("Kiểm tra chữ ký số"), None)],
        },
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def sign_file(request: HttpRequest, file_id: int) -> HttpResponse:
    """Sign a stored PDF: choose the key, type the token PIN (and the OTP)."""
    actor = actor_for(request.user)
    stored = access_file(actor, file_id)
    purpose = request.GET.get("purpose") or request.POST.get("purpose") or SignaturePurpose.DOCUMENT
    if purpose not in SignaturePurpose.values:
        purpose = SignaturePurpose.DOCUMENT
    errors: list[str] = []
    posted_level = request.POST.get("level", "")
    level = posted_level or str(settings.TINHSO_SIGNATURE_LEVEL)
    assert isinstance(request.user, User)
    if request.method == "POST":
        key = posted_key(request, actor)
        if key is None:
            errors = [_("Chọn khóa ký số.")]
        else:
            try:
                record = services.file_sign(
                    actor=request.user,
                    file=stored,
                    key=key,
                    pin=request.POST.get("pin", ""),
                    otp=request.POST.get("otp", ""),
                    purpose=purpose,
                    # Only a level the signer chose; the default follows the TSA's presence.
                    level=posted_level if posted_level in LEVEL_CHOICES else None,
                    number_notation=request.POST.get("number_notation", ""),
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Đã ký số tệp “%(name)s”.") % {"name": stored.name})
                fallback = reverse("signatures:file_report", args=[record.result_id])
                return HttpResponseRedirect(_safe_next(request, fallback))
    return render_sign_page(
        request,
        actor=actor,
        stored=stored,
        purpose=purpose,
        errors=errors,
        breadcrumbs=[(_("Ký số"), None)],
        level=level,
        next_url=_safe_next(request, ""),
    )


def posted_key(request: HttpRequest, actor: Actor) -> SigningKey | None:
    """The key chosen in the signing form; None when none was chosen. A key the actor may not
    use does not exist for them (404), as in the API."""
    raw_key = request.POST.get("key", "")
    if not raw_key.isdigit():
        return None
    return access_signing_key(actor, int(raw_key))


def render_sign_page(
    request: HttpRequest,
    *,
    actor: Actor,
    stored: StoredFile,
    purpose: str,
    errors: list[str],
    breadcrumbs: list[tuple[str, str | None]],
    level: str = "",
    next_url: str = "",
) -> HttpResponse:
    """The signing form (keys, PIN, OTP; the level when `level` is given), 400 with errors."""
    return render(
        request,
        "signatures/sign.html",
        {
            "stored": stored,
            "keys": list(usable_keys(actor)),
            "purpose": purpose,
            "errors": errors,
            "needs_otp": confirmed_device(request.user) is not None,
            "levels": [(value, LEVELS[value]) for value in LEVEL_CHOICES] if level else [],
            "level": level,
            "next": next_url,
            "breadcrumbs": breadcrumbs,
        },
        status=400 if errors else 200,
    )
