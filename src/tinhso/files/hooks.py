"""What other apps do with a file once it is stored: the signatures app checks the signatures
of every PDF that enters the system (Nghị định 30/2020 Điều 21.2: check authenticity and
integrity on receipt). Hooks run after the commit that stored the file, so a rolled-back
upload is never checked and a slow check never holds the upload's transaction open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from tinhso.files.models import StoredFile

logger = logging.getLogger(__name__)

StoredHook = Callable[[StoredFile], None]

_hooks: list[StoredHook] = []


def register_stored_hook(hook: StoredHook) -> None:
    """Call `hook(stored)` after the commit of every new stored file; from `AppConfig.ready()`."""
    if hook not in _hooks:
        _hooks.append(hook)


def unregister_stored_hook(hook: StoredHook) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


def file_stored(stored: StoredFile) -> None:
    """Schedule the hooks for after the commit (at once outside a transaction)."""
    for hook in list(_hooks):
        transaction.on_commit(lambda hook=hook: _run(hook, stored))  # type: ignore[misc]


def _run(hook: StoredHook, stored: StoredFile) -> None:
    try:
        hook(stored)
    except Exception:  # a hook's failure never turns a stored upload into an error
        logger.exception("files.hook_failed", extra={"file_id": stored.pk})
