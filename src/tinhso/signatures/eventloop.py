"""pyHanko's synchronous calls start an event loop of their own (`asyncio.run`), which Python
refuses in a thread where a loop already runs — inside an ASGI view, a Playwright session, or a
notebook. Such callers get the work done on a short-lived thread of its own instead."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def outside_event_loop(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`func(*args, **kwargs)`, on another thread when this one runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tinhso-sync") as pool:
        return pool.submit(func, *args, **kwargs).result()
