"""Configuration values of the client; every default carries its reason."""

from __future__ import annotations

import httpx

#: The live service; tests and benchmarks never aim here (they use the emulator).
DEFAULT_BASE_URL = "https://api.plivo.com"

#: Generous enough for a slow CDR page, short enough that a dead connection is
#: noticed; "no timeout" is never a default (a hung socket would hang a pull).
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

#: Attempts after the first for requests that are safe to retry (see _retry.py).
DEFAULT_MAX_RETRIES = 3

#: Pages of a list fetched at once by default: about 8 requests in flight reach
#: the documented 60 requests/s at ordinary internet latencies (8 / 0.13 s) and
#: stay far from httpcore's pool collapse above 16-32 connections
#: (performance-lab.md §5).
DEFAULT_CONCURRENCY = 8

#: The API's maximum (and default) page size (zentrunk-api.md §10).
MAX_PAGE_SIZE = 20

#: Connection pool matched to the concurrency cap (performance-lab.md rec. 4).
DEFAULT_MAX_CONNECTIONS = 16

ENV_AUTH_ID = "PLIVO_AUTH_ID"
ENV_AUTH_TOKEN = "PLIVO_AUTH_TOKEN"
ENV_BASE_URL = "ZENTRUNK_BASE_URL"
ENV_LOG = "ZENTRUNK_LOG"
