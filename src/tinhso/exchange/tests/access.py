"""The exchange routes in the access matrix (see tinhso.testing.access_matrix): the node's pages
and API (`access_node`) and the edXML inspection tool (`access_inspect`)."""

from __future__ import annotations

from tinhso.testing.access_matrix import Endpoint

ENDPOINTS: list[Endpoint] = []

try:
    from tinhso.exchange.tests.access_node import ENDPOINTS as _NODE
except ModuleNotFoundError as exc:  # pragma: no cover - while the module is being written
    if exc.name != "tinhso.exchange.tests.access_node":
        raise
    _NODE = []
try:
    from tinhso.exchange.tests.access_inspect import ENDPOINTS as _INSPECT
except ModuleNotFoundError as exc:  # pragma: no cover
    if exc.name != "tinhso.exchange.tests.access_inspect":
        raise
    _INSPECT = []

ENDPOINTS = [*_NODE, *_INSPECT]
