"""The browser's download of a stored file (the same access as the API)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from tinhso.accounts.access import actor_for
from tinhso.files.access import access_file
from tinhso.files.downloads import file_response


@login_required
@require_GET
def download(request: HttpRequest, file_id: int) -> FileResponse:
    return file_response(access_file(actor_for(request.user), file_id))
