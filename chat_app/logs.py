"""Logging set-up shared by the CLI and the server: our own lines on stderr, questions out of access logs.

uvicorn's access log prints each request's path with its query string, and ``/api/search?q=…`` carries
what a citizen asked; by default the query string is cut from the line (PLAN_ASSISTANT_LOG_QUERIES=1 keeps it).
"""
from __future__ import annotations

import logging
import sys

ACCESS_LOGGER = "uvicorn.access"
APP_LOGGER = "plan_assistant"
PATH_ARG = 2  # uvicorn.access args: (client, method, path with query, http version, status)
LOG_FORMAT = "%(levelname)s: %(message)s"


class StripQueryString(logging.Filter):
    """Rewrites the access record's path argument to drop everything from '?' on; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > PATH_ARG and isinstance(args[PATH_ARG], str):
            path = args[PATH_ARG]
            if "?" in path:
                record.args = (*args[:PATH_ARG], path.split("?", 1)[0], *args[PATH_ARG + 1:])
        return True


def configure_access_log(keep_queries: bool) -> None:
    """Idempotent: at most one StripQueryString on uvicorn's access logger, none when queries are kept."""
    logger = logging.getLogger(ACCESS_LOGGER)
    for f in [f for f in logger.filters if isinstance(f, StripQueryString)]:
        logger.removeFilter(f)
    if not keep_queries:
        logger.addFilter(StripQueryString())


def configure_app_log(level: int = logging.INFO) -> None:
    """Our loggers (index rebuilds, storage failures, purges) print to stderr once, without duplicates."""
    logger = logging.getLogger(APP_LOGGER)
    logger.setLevel(level)
    if not any(getattr(h, "_plan_assistant", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler._plan_assistant = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
