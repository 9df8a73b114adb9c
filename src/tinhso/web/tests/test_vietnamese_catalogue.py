"""No English from Django, DRF, django-otp, django-axes or drf-spectacular reaches a Vietnamese user.

Our own msgids are Vietnamese (docs/decisions/0001), but the libraries' strings come from their
Vietnamese catalogues, which are incomplete. `locale/vi/LC_MESSAGES/django.po` fills the gaps;
LOCALE_PATHS take precedence, so its translations win. These tests fail, naming the string, when
a library upgrade adds a string that neither catalogue translates.
"""

from __future__ import annotations

import ast
import re
import shutil
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import axes
import django
import django_otp
import drf_spectacular
import polib
import pytest
import rest_framework
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import path
from pytest_django import Settings
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

LOCALE_DIR = Path(settings.SRC_DIR) / "locale"
OUR_PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po"

DJANGO_DIR = Path(django.__file__).parent
DRF_LOCALE = Path(rest_framework.__file__).parent / "locale"

#: Django's catalogues a user can meet: the core and the installed contrib apps that have one.
#: (Django loads no catalogue of an app outside INSTALLED_APPS: admin, admindocs, flatpages…)
DJANGO_LOCALES = {
    "django": DJANGO_DIR / "conf" / "locale",
    "django.contrib.auth": DJANGO_DIR / "contrib" / "auth" / "locale",
    "django.contrib.contenttypes": DJANGO_DIR / "contrib" / "contenttypes" / "locale",
    "django.contrib.humanize": DJANGO_DIR / "contrib" / "humanize" / "locale",
    "django.contrib.sessions": DJANGO_DIR / "contrib" / "sessions" / "locale",
}

#: Skipped, as documented at the top of our django.po: the "install worked" page, shown only with
#: DEBUG=True and no URLconf.
SKIPPED_SOURCES = frozenset({"views/templates/default_urlconf.html"})

#: Packages without a Vietnamese (or any English) catalogue: their msgids are read from the source.
SOURCE_PACKAGES: dict[str, ModuleType] = {
    "django_otp": django_otp,
    "axes": axes,
    "drf_spectacular": drf_spectacular,
}

Key = tuple[str | None, str]  # (msgctxt, msgid)


def _key(entry: polib._BaseEntry) -> Key:
    return (entry.msgctxt or None, entry.msgid)


def _translated(entry: polib._BaseEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@cache
def _translated_keys(mo_path: Path) -> frozenset[Key]:
    if not mo_path.exists():
        return frozenset()
    return frozenset(_key(e) for e in polib.mofile(str(mo_path)) if _translated(e))


@cache
def _our_catalogue() -> polib.POFile:
    return polib.pofile(str(OUR_PO))


@cache
def _ours() -> frozenset[Key]:
    return frozenset(_key(e) for e in _our_catalogue() if _translated(e) and "fuzzy" not in e.flags)


def _ours_translation(msgid: str) -> str:
    entry = _our_catalogue().find(msgid)
    assert entry is not None, f"{msgid!r} is not in {OUR_PO}"
    return str(entry.msgstr)


def _vi_mo(locale_dir: Path) -> Path:
    return locale_dir / "vi" / "LC_MESSAGES" / "django.mo"


@cache
def _english_msgids(label: str) -> tuple[Key, ...]:
    """The msgids of a library's English catalogue, without the documented skipped groups."""
    if label == "rest_framework":
        # DRF ships compiled catalogues only; its English .mo translates every msgid to itself.
        entries = list(polib.mofile(str(DRF_LOCALE / "en" / "LC_MESSAGES" / "django.mo")))
        return tuple(_key(e) for e in entries)
    po = polib.pofile(str(DJANGO_LOCALES[label] / "en" / "LC_MESSAGES" / "django.po"))
    return tuple(
        _key(e)
        for e in po
        if not e.obsolete
        and not (e.occurrences and all(src in SKIPPED_SOURCES for src, _ in e.occurrences))
    )


_GETTEXT_FUNCTIONS = {
    "_": (0, None),
    "gettext": (0, None),
    "gettext_lazy": (0, None),
    "gettext_noop": (0, None),
    "ngettext": (0, None),
    "ngettext_lazy": (0, None),
    "pgettext": (1, 0),
    "pgettext_lazy": (1, 0),
    "npgettext": (1, 0),
    "npgettext_lazy": (1, 0),
}


@cache
def _source_msgids(package: str) -> tuple[Key, ...]:
    """The literal msgids a package passes to gettext and friends, read from its Python source.

    Calls whose message is not a literal (django-axes builds one admin message with an f-string)
    can never match a catalogue and are left out.
    """
    root = Path(SOURCE_PACKAGES[package].__file__ or "").parent
    found: dict[Key, None] = {}
    for source in sorted(root.rglob("*.py")):
        if {"tests", "migrations"} & set(source.relative_to(root).parts):
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            if name not in _GETTEXT_FUNCTIONS:
                continue
            msgid_index, context_index = _GETTEXT_FUNCTIONS[name]
            args = [
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                for a in node.args
            ]
            msgid = args[msgid_index] if len(args) > msgid_index else None
            if msgid is None:
                continue
            context = args[context_index] if context_index is not None else None
            found[(context, msgid)] = None
    return tuple(found)


@cache
def _vietnamese_loaded_for_every_app() -> frozenset[Key]:
    """What Django's merged Vietnamese catalogue already holds, apart from ours."""
    keys: set[Key] = set()
    for locale_dir in [*DJANGO_LOCALES.values(), DRF_LOCALE]:
        keys |= _translated_keys(_vi_mo(locale_dir))
    return frozenset(keys)


def _missing(expected: tuple[Key, ...], translated: frozenset[Key]) -> list[str]:
    return [
        f"{msgid!r}" + (f" (context {context!r})" if context else "")
        for context, msgid in expected
        if (context, msgid) not in translated
    ]


# --- (a) every string has a Vietnamese translation -------------------------------------------


@pytest.mark.parametrize("label", ["rest_framework", *DJANGO_LOCALES])
def test_every_string_of_the_library_catalogue_is_translated(label: str) -> None:
    # given
    locale_dir = DRF_LOCALE if label == "rest_framework" else DJANGO_LOCALES[label]
    translated = _translated_keys(_vi_mo(locale_dir)) | _ours()

    # when
    missing = _missing(_english_msgids(label), translated)

    # then
    assert _english_msgids(label), f"no English catalogue found for {label}"
    assert not missing, (
        f"{len(missing)} strings of {label} have no Vietnamese translation, neither in its own "
        f"catalogue nor in {OUR_PO}:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("package", SOURCE_PACKAGES)
def test_every_string_of_a_package_without_catalogue_is_translated(package: str) -> None:
    # given
    translated = _vietnamese_loaded_for_every_app() | _ours()

    # when
    missing = _missing(_source_msgids(package), translated)

    # then
    assert _source_msgids(package), f"no translatable string found in {package}"
    assert not missing, (
        f"{len(missing)} strings of {package} have no Vietnamese translation in {OUR_PO}:\n"
        + "\n".join(missing)
    )


# --- (b), (c) our catalogue is well formed ----------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACE = re.compile(r"\{[^{}]*\}")
_TAG = re.compile(r"<[^>]+>")
_VIETNAMESE_LETTER = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")


def _placeholders(text: str) -> Counter[str]:
    text = text.replace("%%", "")
    return Counter(_PRINTF.findall(text) + _BRACE.findall(text) + _TAG.findall(text))


def test_our_catalogue_keeps_every_placeholder() -> None:
    # given
    entries = list(_our_catalogue())

    # when
    wrong = []
    for entry in entries:
        # Vietnamese has one plural form: msgstr[0] serves every n, like the English plural.
        source = entry.msgid_plural or entry.msgid
        targets = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        wrong += [
            f"{entry.msgid!r} → {target!r}"
            for target in targets
            if _placeholders(target) != _placeholders(source)
        ]

    # then
    assert entries
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_our_catalogue_is_nfc_normalised() -> None:
    # given
    texts = [
        text for entry in _our_catalogue() for text in (entry.msgstr, *entry.msgstr_plural.values())
    ]

    # when
    decomposed = [text for text in texts if unicodedata.normalize("NFC", text) != text]

    # then
    assert texts
    assert not decomposed, "msgstr not in NFC:\n" + "\n".join(map(repr, decomposed))


def test_our_catalogue_is_vietnamese_and_holds_only_library_strings() -> None:
    # given
    catalogue = _our_catalogue()

    # when
    vietnamese_msgids = [e.msgid for e in catalogue if _VIETNAMESE_LETTER.search(e.msgid)]
    untranslated = [e.msgid for e in catalogue if not _translated(e) or "fuzzy" in e.flags]

    # then
    assert catalogue.metadata["Language"] == "vi"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert not vietnamese_msgids, f"our own Vietnamese source strings: {vietnamese_msgids}"
    assert not untranslated, f"untranslated or fuzzy entries: {untranslated}"


# --- (d) end to end: the API answers in Vietnamese --------------------------------------------


class _NameSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=5)


class _ProtectedView(APIView):
    """Guarded by the project's default authentication and permission classes."""

    def get(self, request: Request) -> Response:
        return Response({})


class _OpenView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        serializer = _NameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.data)


urlpatterns = [
    path("api/v1/protected/", _ProtectedView.as_view()),
    path("api/v1/open/", _OpenView.as_view()),
]


@pytest.fixture(scope="module")
def compiled_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our catalogues compiled by `manage.py compile_catalogues`, away from the source tree."""
    locale = tmp_path_factory.mktemp("locale") / "locale"
    shutil.copytree(LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo"))
    with override_settings(LOCALE_PATHS=[locale]):
        call_command("compile_catalogues", verbosity=0)
    assert _vi_mo(locale).exists(), "compile_catalogues did not compile the vi catalogue"
    return locale


@pytest.fixture
def api(settings: Settings, compiled_locale: Path) -> Iterator[APIClient]:
    # Setting LOCALE_PATHS also empties Django's cache of loaded catalogues.
    settings.LOCALE_PATHS = [compiled_locale]
    settings.ROOT_URLCONF = __name__
    yield APIClient()


VIETNAMESE_REQUESTS = [
    pytest.param({"HTTP_ACCEPT_LANGUAGE": "vi"}, id="accept-language-vi"),
    pytest.param({}, id="default-language"),
]


@pytest.mark.parametrize("headers", VIETNAMESE_REQUESTS)
def test_a_request_without_credentials_is_refused_in_vietnamese(
    api: APIClient, headers: dict[str, Any]
) -> None:
    # given
    expected = _ours_translation("Authentication credentials were not provided.")

    # when
    response = api.get("/api/v1/protected/", **headers)

    # then
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == expected
    assert "credentials" not in response.content.decode()


@pytest.mark.parametrize("headers", VIETNAMESE_REQUESTS)
def test_a_serializer_error_is_in_vietnamese(api: APIClient, headers: dict[str, Any]) -> None:
    # given
    expected = _ours_translation(
        "Ensure this field has no more than {max_length} characters."
    ).format(max_length=5)

    # when
    response = api.post("/api/v1/open/", {"name": "quá dài"}, format="json", **headers)

    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": [expected]}
    assert "Ensure" not in response.content.decode()


def test_an_english_request_still_gets_english(api: APIClient) -> None:
    # when
    response = api.get("/api/v1/protected/", HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response.json()["detail"] == "Authentication credentials were not provided."
