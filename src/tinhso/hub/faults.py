"""The hub's faults: a stable code, an HTTP status, a Vietnamese message and details.

Modelled on DHX's faults (wrong address, defective capsule, duplicate; anchors.md §2a) and
answered as ``{"fault": code, "message": …, "details": […]}`` (decision 0005 §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: The fault codes and their HTTP statuses. ``bad_request``, ``not_found``, ``not_available``
#: ``method_not_allowed`` and ``server_error`` are protocol faults the contract's table does not
#: list.
STATUS: dict[str, int] = {
    "bad_package": 400,
    "bad_request": 400,
    "unauthorised": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "duplicate": 409,
    "not_available": 409,
    "too_large": 413,
    "wrong_address": 422,
    "server_error": 500,
}


class HubFault(Exception):
    """A refusal the caller is told about; nothing was written."""

    def __init__(self, code: str, message: str, details: Sequence[Any] = ()) -> None:
        if code not in STATUS:
            raise ValueError(f"unknown hub fault code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = list(details)

    @property
    def status(self) -> int:
        return STATUS[self.code]

    def body(self) -> dict[str, Any]:
        return {"fault": self.code, "message": self.message, "details": self.details}
