"""structlog JSON logging, with the request id and RPC bound per call through contextvars."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog


class _NeverFailingLogger(structlog.PrintLogger):
    """A log line that cannot be written (stderr on a full disk, a closed pipe) is dropped and
    counted, never raised: a log line must not turn a call's answer into an internal error."""

    dropped = 0

    def msg(self, message: str) -> None:
        try:
            super().msg(message)
        except (OSError, ValueError):  # ValueError: the stream was closed
            type(self).dropped += 1

    log = debug = info = warn = warning = err = error = critical = exception = failure = fatal = msg


def dropped_log_lines() -> int:
    """Log lines dropped so far because they could not be written (for the metrics)."""
    return _NeverFailingLogger.dropped


class _NeverFailingLoggerFactory:
    def __init__(self, file: TextIO) -> None:
        self._file = file

    def __call__(self, *args: Any) -> _NeverFailingLogger:
        return _NeverFailingLogger(self._file)


def configure_logging(level: str = "info") -> None:
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level `{level}`")
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=numeric)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_NeverFailingLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
