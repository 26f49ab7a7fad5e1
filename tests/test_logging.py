"""Logging: off unless ZENTRUNK_LOG, one line per retry and per 429, no secret reaches a handler."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from zentrunk_async import _logging
from zentrunk_async._logging import (
    configure_from_env,
    log_retry,
    log_throttled,
    logger,
    redact,
    register_secret,
)

TOKEN = "ZjA5NmQ2YmEtOTc4Yy00OGE1LWE5ZjMtY2U5NjQ2"


@pytest.fixture(autouse=True)
def clean_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no env handler, no level and no registered secrets."""
    monkeypatch.setattr(_logging, "_secrets", set())
    monkeypatch.delenv("ZENTRUNK_LOG", raising=False)
    yield
    if _logging._env_handler is not None:
        logger.removeHandler(_logging._env_handler)
        _logging._env_handler = None
    logger.setLevel(logging.NOTSET)


def _env_handlers() -> list[logging.Handler]:
    return [h for h in logger.handlers if not isinstance(h, logging.NullHandler)]


def test_logging_is_silent_without_zentrunk_log() -> None:
    """Unset, the library adds only a NullHandler and leaves levels alone."""
    configure_from_env()
    assert _env_handlers() == []
    assert logger.level == logging.NOTSET
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)


@pytest.mark.parametrize(
    ("value", "level"),
    [("info", logging.INFO), ("debug", logging.DEBUG), (" DEBUG ", logging.DEBUG)],
)
def test_zentrunk_log_installs_one_stderr_handler(
    monkeypatch: pytest.MonkeyPatch, value: str, level: int
) -> None:
    """ZENTRUNK_LOG=info|debug installs a single handler at that level, however often applied."""
    monkeypatch.setenv("ZENTRUNK_LOG", value)
    configure_from_env()
    configure_from_env()
    (handler,) = _env_handlers()
    assert isinstance(handler, logging.StreamHandler)
    assert handler.level == level
    assert logger.level == level


def test_zentrunk_log_unknown_value_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value that is not a level we offer is ignored rather than failing the client."""
    monkeypatch.setenv("ZENTRUNK_LOG", "loud")
    configure_from_env()
    assert _env_handlers() == []


def test_zentrunk_log_info_prints_retries_not_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At info, retry lines reach stderr and debug lines do not."""
    monkeypatch.setenv("ZENTRUNK_LOG", "info")
    configure_from_env()
    log_retry("GET", "https://api.example/v1/", 1, "status 503", 0.25)
    logger.debug("GET https://api.example/v1/ -> 200")
    err = capsys.readouterr().err
    assert "retrying GET https://api.example/v1/ after attempt 1 (status 503) in 0.25 s" in err
    assert "-> 200" not in err


def test_log_retry_is_one_line_with_reason_and_delay(caplog: pytest.LogCaptureFixture) -> None:
    """Each retry logs exactly one INFO record naming the request, the reason and the wait."""
    caplog.set_level(logging.INFO, logger="zentrunk_async")
    log_retry("DELETE", "https://api.example/v1/Trunk/1/", 2, "connect failure", 1.5)
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "\n" not in message
    for part in ("DELETE", "Trunk/1/", "attempt 2", "connect failure", "1.50 s"):
        assert part in message


@pytest.mark.parametrize(
    ("retry_after", "rate", "parts"),
    [
        (None, 29.5, ("no Retry-After", "29.5 req/s")),
        (2.0, 29.5, ("Retry-After 2 s", "29.5 req/s")),
        (None, None, ("pacing off",)),
    ],
)
def test_log_throttled_is_one_warning(
    caplog: pytest.LogCaptureFixture,
    retry_after: float | None,
    rate: float | None,
    parts: tuple[str, ...],
) -> None:
    """Each 429 logs one WARNING with the Retry-After and the new pace."""
    caplog.set_level(logging.INFO, logger="zentrunk_async")
    log_throttled("GET", "https://api.example/v1/Call/", retry_after, rate)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "429" in record.getMessage()
    for part in parts:
        assert part in record.getMessage()


def test_registered_secret_is_redacted_even_as_an_argument(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A registered token passed as a %-argument never reaches a handler."""
    register_secret(TOKEN)
    caplog.set_level(logging.INFO, logger="zentrunk_async")
    logger.info("%s", TOKEN)
    logger.info("token is %r", {"t": TOKEN})
    assert TOKEN not in caplog.text
    assert [r.getMessage() for r in caplog.records] == ["***", "token is {'t': '***'}"]


def test_user_handler_on_the_logger_never_sees_the_token() -> None:
    """Redaction happens on the logger, so a handler the user attaches gets clean records."""
    register_secret(TOKEN)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("auth %s", TOKEN)
        try:
            raise RuntimeError(f"boom {TOKEN}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert TOKEN not in stream.getvalue()
    assert "auth ***" in stream.getvalue()
    assert "RuntimeError: boom ***" in stream.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Basic TUFYWFg6c2VjcmV0dG9rZW4=", "Authorization: Basic ***"),
        ("{'Authorization': 'Basic TUFYWFg6c2VjcmV0dG9rZW4='}", "{'Authorization': 'Basic ***'}"),
        ("Bearer abc.def-ghi", "Bearer ***"),
        ("GET /x?auth_token=s3cr3t&limit=20", "GET /x?auth_token=***&limit=20"),
        ('{"password": "hunter22", "name": "pbx"}', '{"password": "***", "name": "pbx"}'),
        ("password=hunter22 user=bob", "password=*** user=bob"),
        ("https://MAXX:s3cr3t@api.plivo.com/v1/", "https://MAXX:***@api.plivo.com/v1/"),
        ("GET https://api.plivo.com/v1/Account/MAXX/ -> 200", None),
    ],
)
def test_redact_scrubs_headers_parameters_and_urls(text: str, expected: str | None) -> None:
    """Auth header values, credential parameters and URL passwords become ***; the rest stays."""
    assert redact(text) == (text if expected is None else expected)


def test_register_secret_ignores_short_strings() -> None:
    """A too-short 'secret' would blank ordinary text, so it is not registered."""
    register_secret("ab")
    assert redact("tab stop") == "tab stop"


def test_a_delete_reported_deleted_on_retry_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The one case where the SDK turns a 404 into success says so, at INFO."""
    from zentrunk_async._logging import log_deleted_on_retry

    caplog.set_level(logging.INFO, logger="zentrunk_async")
    log_deleted_on_retry("https://api.plivo.com/v1/Account/MA1/Zentrunk/Trunk/1/", 2)
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    assert "404" in record.getMessage()
    assert "reported as deleted" in record.getMessage()
