"""The site's URLs with the register and work-file routes wired the way the lead wires them.

The pages of `documents.urls_registers` live in the `documents` namespace under `/van-ban/`,
the API of `documents.api.workfiles` under `/api/v1/documents/work-files/`. While the app's
own URL modules do not include them yet, this module adds them, so the tests run the real
site (sign-in, navigation, other apps) either way; once they are included it is the site's
URLs unchanged.
"""

from __future__ import annotations

from typing import cast

from django.urls import URLPattern, URLResolver, include, path, resolve
from django.urls.exceptions import Resolver404

from tinhso.config import urls as site
from tinhso.documents import urls_registers
from tinhso.documents.api import workfiles as api_workfiles

API_PREFIX = "api/v1/documents/work-files/"


def _with_pages(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    wanted = {p.name for p in urls_registers.urlpatterns}
    result: list[URLPattern | URLResolver] = []
    found = False
    for pattern in patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "documents":
            found = True
            existing = cast(list[URLPattern | URLResolver], list(pattern.url_patterns))
            names = {getattr(p, "name", None) for p in existing}
            if not wanted <= names:
                pattern = path(
                    str(pattern.pattern),
                    include((list(urls_registers.urlpatterns) + existing, "documents")),
                )
        result.append(pattern)
    if not found:
        result.append(path("van-ban/", include((list(urls_registers.urlpatterns), "documents"))))
    return result


def _api_wired() -> bool:
    try:
        match = resolve(f"/{API_PREFIX}", urlconf=site.__name__)
    except Resolver404:
        return False
    return match.url_name == "work-file-list"


urlpatterns: list[URLPattern | URLResolver] = _with_pages(
    cast(list[URLPattern | URLResolver], list(site.urlpatterns))
)
if not _api_wired():
    urlpatterns.insert(0, path(API_PREFIX, include(api_workfiles.urlpatterns)))
