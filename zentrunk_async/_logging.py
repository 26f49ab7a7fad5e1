"""Logging under ``zentrunk_async``: silent by default, ``ZENTRUNK_LOG`` turns it on, no secrets.

A library must not configure logging for its application, so the
``zentrunk_async`` logger gets only a `logging.NullHandler` (the "Configuring
Logging for a Library" advice of the logging HOWTO) unless the user sets
``ZENTRUNK_LOG=info`` or ``debug``, which installs one stderr handler.

Redaction is a filter on the logger itself, so it runs before *any* handler,
the user's included, sees a record. A logger's filters only see records
created on that logger, not those propagated from children, so SDK code logs
through `logger` only, never through a ``zentrunk_async.<module>`` child.
"""

from __future__ import annotations

import logging
import os
import re
import sys

from ._config import ENV_LOG

logger = logging.getLogger("zentrunk_async")
logger.addHandler(logging.NullHandler())

REDACTED = "***"

#: Secrets shorter than this are not registered: replacing every "a1" in every
#: log line would hide more than it protects (Plivo auth tokens are 40 characters).
MIN_SECRET_LENGTH = 6

_PATTERNS = (
    # An Authorization header value: "Basic <base64>" or "Bearer <token>".
    (re.compile(r"\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+", re.IGNORECASE), rf"\1 {REDACTED}"),
    # auth_token=..., password: ..., "auth_token": "..." in query strings, reprs and JSON.
    (
        re.compile(
            r"""(\b(?:auth_token|password|secret)["']?\s*[=:]\s*["']?)[^\s"'&,;)}\]]+""",
            re.IGNORECASE,
        ),
        rf"\1{REDACTED}",
    ),
    # user:password@ in a URL.
    (re.compile(r"(//[^/\s:@]+:)[^/\s@]+@"), rf"\1{REDACTED}@"),
)

# Plain strings: a str cannot be weakly referenced, and a few tokens a process
# ever uses cost nothing to keep.
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Have every log record of the SDK show `value` as ``***`` from now on."""
    if len(value) >= MIN_SECRET_LENGTH:
        _secrets.add(value)


def redact(text: str) -> str:
    """`text` with registered secrets, auth headers and credential parameters as ``***``."""
    # Longest first, so a secret that contains another is replaced whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record so that no handler after it can print a secret.

    The message is formatted once with its arguments (a token passed as an
    argument is otherwise only substituted by the handler) and redacted; the
    traceback and stack text are rendered and redacted too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_filter = RedactingFilter()
logger.addFilter(_filter)


_env_handler: logging.Handler | None = None


def configure_from_env() -> None:
    """Apply ``ZENTRUNK_LOG`` (``info`` or ``debug``, any case): one stderr handler at that level.

    Idempotent: calling it again (every client does) adjusts the level and never
    adds a second handler. Unset, empty or unknown: nothing changes, the library
    stays silent.
    """
    global _env_handler
    level = {"info": logging.INFO, "debug": logging.DEBUG}.get(
        os.environ.get(ENV_LOG, "").strip().lower()
    )
    if level is None:
        return
    if _env_handler is None:
        _env_handler = logging.StreamHandler(sys.stderr)
        _env_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        _env_handler.addFilter(_filter)
        logger.addHandler(_env_handler)
    _env_handler.setLevel(level)
    logger.setLevel(level)


def log_retry(method: str, url: str, attempt: int, reason: str, delay: float) -> None:
    """One INFO line per retry: which request, why, after which attempt, and the wait."""
    logger.info(
        "retrying %s %s after attempt %d (%s) in %.2f s", method, url, attempt, reason, delay
    )


def log_throttled(method: str, url: str, retry_after: float | None, new_rate: float | None) -> None:
    """One WARNING line per 429: with pacing on, one means another client shares the account."""
    after = "no Retry-After" if retry_after is None else f"Retry-After {retry_after:g} s"
    pace = "pacing off" if new_rate is None else f"pace now {new_rate:.1f} req/s"
    logger.warning("429 Too Many Requests for %s %s (%s); %s", method, url, after, pace)


def log_deleted_on_retry(url: str, attempt: int) -> None:
    """A DELETE retried after a lost answer found the record gone: reported as deleted."""
    logger.info(
        "DELETE %s answered 404 on attempt %d after an earlier attempt may have deleted it: "
        "reported as deleted",
        url,
        attempt,
    )
