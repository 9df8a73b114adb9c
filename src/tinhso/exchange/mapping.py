"""Between the e-office's words and edXML's: document types, urgency, steering type.

What DocumentType/Type, TypeDetail and SteeringType mean is not settled in the sources
(vn-eoffice.md §2.2, §7): the mappings are configuration, JSON objects keyed by the document
type code of Nghị định 30/2020 (`documents.kinds`) with a "default":

- `TINHSO_EDXML_DOCUMENT_TYPE`: `{"default": 1, "QĐ": 2}` or, with TypeDetail,
  `{"default": {"type": 1, "detail": 0}}`;
- `TINHSO_EDXML_STEERING_TYPE`: `{"default": 0, "CT": 1}`.

Received packages are read the other way: the type from TypeName (the type's name, which every
vendor writes), else from the configured Type when one type alone maps to it; priority 0–4 back
to urgency (QCVN 102:2016 OtherInfo/Priority; `documents.kinds.EDXML_PRIORITY`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings

from tinhso.documents.kinds import DOCUMENT_TYPES, EDXML_PRIORITY, TYPES_BY_CODE, Urgency
from tinhso.text import fold

logger = logging.getLogger(__name__)

#: What a received document is taken for when its type cannot be read: the letter (công văn)
#: is the commonest type and prints no abbreviation.
FALLBACK_TYPE = "CV"


def _config(name: str) -> dict[str, Any]:
    raw = getattr(settings, name, "") or "{}"
    try:
        value = json.loads(raw)
    except ValueError:
        logger.warning("exchange.bad_mapping", extra={"setting": name})
        return {}
    return value if isinstance(value, dict) else {}


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def document_type(doc_type: str) -> tuple[int, int, str]:
    """(Type, TypeDetail, TypeName) for a document type code."""
    mapping = _config("TINHSO_EDXML_DOCUMENT_TYPE")
    value = mapping.get(doc_type, mapping.get("default", 1))
    if isinstance(value, dict):
        type_code = _as_int(value.get("type"), 1)
        detail = _as_int(value.get("detail"), 0)
    else:
        type_code, detail = _as_int(value, 1), 0
    known = TYPES_BY_CODE.get(doc_type)
    return type_code, detail, known.name if known is not None else doc_type


def steering_type(doc_type: str) -> int | None:
    mapping = _config("TINHSO_EDXML_STEERING_TYPE")
    value = mapping.get(doc_type, mapping.get("default"))
    return None if value is None else _as_int(value, 0)


_BY_NAME = {fold(t.name): t.code for t in DOCUMENT_TYPES}


def doc_type_from(type_name: str, type_code: int | None) -> str:
    """The Nghị định 30 type of a received package (see the module docstring)."""
    code = _BY_NAME.get(fold(type_name or ""))
    if code is not None:
        return code
    folded = fold(type_name or "")
    for name, found in _BY_NAME.items():
        if folded and folded.startswith(name):
            return found
    if type_code is not None:
        mapping = _config("TINHSO_EDXML_DOCUMENT_TYPE")
        candidates = [
            key
            for key, value in mapping.items()
            if key != "default"
            and key in TYPES_BY_CODE
            and _as_int(value.get("type") if isinstance(value, dict) else value, -1) == type_code
        ]
        if len(candidates) == 1:
            return candidates[0]
    return FALLBACK_TYPE


def priority(urgency: str) -> int:
    return EDXML_PRIORITY.get(Urgency(urgency), 0) if urgency in Urgency.values else 0


def urgency_from(value: int | None) -> str:
    for urgency, code in EDXML_PRIORITY.items():
        if code == value:
            return str(urgency)
    return str(Urgency.NORMAL)
