"""Liveness and readiness for the load balancer and the orchestrator."""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answers; touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> dict[str, object]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_queue() -> dict[str, object]:
    from huey.contrib.djhuey import HUEY

    started = time.perf_counter()
    # Reading the queue length opens the storage connection: Redis PING or the SQLite file.
    pending = HUEY.storage.queue_size()
    return {"ok": True, "pending": pending, "ms": round((time.perf_counter() - started) * 1000, 2)}


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database and the task queue are reachable: this process can do real work."""
    checks: dict[str, dict[str, object]] = {}
    for name, check in (("database", _check_database), ("queue", _check_queue)):
        try:
            checks[name] = check()
        except Exception as exc:  # a readiness probe reports every failure, whatever its kind
            checks[name] = {"ok": False, "error": exc.__class__.__name__}
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
