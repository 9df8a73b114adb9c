"""The English catalogue translates every string marked for translation.

Source strings are Vietnamese (docs/decisions/0001): the Vietnamese UI is complete by
construction, and this test proves the English one is too. It extracts the strings afresh with
`makemessages` (GNU xgettext) from a copy of the tree, so a string added without its English
translation fails here, naming it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

SRC = Path(settings.SRC_DIR)
EN_PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def extracted_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> polib.POFile:
    tree = tmp_path / "tinhso"
    shutil.copytree(
        SRC,
        tree,
        ignore=shutil.ignore_patterns(
            "static", "tests", "__pycache__", "*.mo", "data", "migrations"
        ),
    )
    settings.LOCALE_PATHS = [tree / "locale"]
    monkeypatch.chdir(tree)
    call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True, no_location=True)
    return polib.pofile(str(tree / "locale" / "en" / "LC_MESSAGES" / "django.po"))


def test_every_marked_string_has_an_english_translation(extracted_catalogue: polib.POFile) -> None:
    missing = [
        entry.msgid
        for entry in extracted_catalogue
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert not missing, (
        f"{len(missing)} strings lack an English translation in {EN_PO}:\n"
        + "\n".join(missing[:50])
    )


def test_the_committed_catalogue_compiles() -> None:
    catalogue = polib.pofile(str(EN_PO))
    assert catalogue.percent_translated() == 100
    for entry in catalogue:
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert text.count("%(") == entry.msgid.count("%("), entry.msgid
