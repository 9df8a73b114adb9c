"""Errors of the documents services; views and the API turn them into messages and 409s."""

from __future__ import annotations


class DocumentConflict(Exception):
    """An action the document's state does not allow; `message` is for the user (HTTP 409)."""

    def __init__(self, message: str, *, code: str = "illegal_transition") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class LikelyDuplicate(Exception):
    """The incoming document looks already registered; the clerk confirms to register it anyway."""

    def __init__(self, message: str, duplicate_ids: list[int]) -> None:
        super().__init__(message)
        self.message = message
        self.duplicate_ids = duplicate_ids
