"""Structured JSON logs: one line per event, with the request id of the request being served."""

from __future__ import annotations

import logging
from typing import Any

import structlog

from tinhso import requestcontext


def add_request_context(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    ctx = requestcontext.current()
    if ctx is not None:
        event_dict.setdefault("request_id", ctx.request_id)
    return event_dict


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    add_request_context,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class JsonFormatter(structlog.stdlib.ProcessorFormatter):
    """Renders both structlog events and plain `logging` records as JSON lines."""

    def __init__(
        self, fmt: str | None = None, datefmt: str | None = None, style: Any = "%"
    ) -> None:
        super().__init__(
            fmt=fmt,
            datefmt=datefmt,
            style=style,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            foreign_pre_chain=_SHARED,
        )


def configure_structlog() -> None:
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]


__all__ = ["JsonFormatter", "add_request_context", "configure_structlog", "get_logger", "logging"]
