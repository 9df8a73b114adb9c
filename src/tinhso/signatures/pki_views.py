"""The demo/test PKI's services inside the platform: /pki/tsa (RFC 3161), /pki/ocsp (RFC 6960),
/pki/crl/<ca>.crl, /pki/ca/<name>.crt — only when `manage.py signatures_pki` has built a PKI in
TINHSO_PKI_DIR. A production installation uses the Government CA's services instead
(TINHSO_TSA_URL; the OCSP and CRL addresses are in the certificates) and has no such PKI: 404.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from tinhso.signatures.pki_services import cached_services

#: An RFC 3161 query or an OCSP request is a few hundred bytes.
MAX_BODY = 64 * 1024


@csrf_exempt
def pki(request: HttpRequest, path: str) -> HttpResponse:
    directory = Path(settings.TINHSO_PKI_DIR)
    if not (directory / "pki.json").exists():
        raise Http404("no demo PKI")
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        return HttpResponse(status=413)
    body = request.body if request.method == "POST" else b""
    reply = cached_services(directory).handle(
        request.method or "GET",
        "/" + path,
        body,
        content_type=request.META.get("CONTENT_TYPE", ""),
    )
    response = HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)
    for name, value in reply.headers:
        response[name] = value
    return response
