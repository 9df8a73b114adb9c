from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.accounts.access import actor_for
from tinhso.organizations.models import UnitLevel
from tinhso.organizations.selectors import province_choices
from tinhso.organizations.selectors import unit_list as select_units

PAGE_SIZE = 50
PERIODS = (
    ("current", gettext_lazy("Đang có hiệu lực")),
    ("former", gettext_lazy("Trước 01/7/2025")),
)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    provinces = province_choices(actor=actor)
    province = request.GET.get("province", "")
    if province not in {code for code, _name in provinces}:
        province = ""
    level = request.GET.get("level", "")
    if level not in UnitLevel.values:
        level = ""
    period = request.GET.get("period", "")
    if period not in {"current", "former"}:
        period = ""
    q = request.GET.get("q", "").strip()[:200]
    units = select_units(
        actor=actor, province_code=province or None, level=level or None, period=period, q=q
    )
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/unit_list.html",
        {
            "page": page,
            "provinces": provinces,
            "province": province,
            "levels": UnitLevel.choices,
            "level": level,
            "periods": [(code, str(label)) for code, label in PERIODS],
            "period": period,
            "q": q,
            "breadcrumbs": [(_("Đơn vị hành chính"), None)],
        },
    )
