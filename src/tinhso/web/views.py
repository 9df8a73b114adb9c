from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tinhso.accounts.access import actor_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    return render(request, "web/home.html", {"actor": actor, "breadcrumbs": []})
