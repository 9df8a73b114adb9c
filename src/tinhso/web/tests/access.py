"""The shell's routes in the access matrix (see tinhso.testing.access_matrix).

The home page is for every signed-in account (officials see their functions, a citizen a
plain greeting); the health checks answer anyone, as a load balancer asks them.
"""

from __future__ import annotations

from tinhso.testing.access_matrix import EVERYONE, SIGNED_IN, Endpoint

ENDPOINTS = [
    Endpoint("web:home", "GET", expect=SIGNED_IN),
    Endpoint("web:healthz", "GET", expect=EVERYONE),
    Endpoint("web:readyz", "GET", expect=EVERYONE),
]
