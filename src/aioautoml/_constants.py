"""Defaults in one place. Each is a keyword argument of the clients; the README lists them."""

from __future__ import annotations

import aiohttp

# Pacing (limits.py). Qlik's documented tiers come from the specs' x-qlik-tier.
DEFAULT_BURST_FRACTION = 0.01  # a fresh bucket may start 1% of a minute's allowance at once
DEFAULT_RATE_HEADROOM = 0.01  # leave 1% of a tier's allowance unused: arrival jitter
DEFAULT_MAX_IN_FLIGHT = 32  # per tier and client
DATAROBOT_DEFAULT_BUCKET = "default"  # DataRobot documents no tiers: one bucket for everything
DATAROBOT_DEFAULT_MAX_IN_FLIGHT = 16

# Retries (retry.py)
DEFAULT_MAX_ATTEMPTS = 5  # first try included
DEFAULT_BACKOFF_BASE = 0.5  # seconds; doubled per attempt, full jitter
DEFAULT_BACKOFF_MAX = 30.0
DEFAULT_MAX_RETRY_AFTER = 300.0  # a 429 asking for longer raises RateLimitError at once
RETRYABLE_STATUSES = frozenset({502, 503, 504})

# The session
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=30, sock_connect=30, sock_read=120)
DEFAULT_CONNECTION_LIMIT = 100  # pooled connections; bulk jobs run many requests in parallel
DNS_CACHE_SECONDS = 300

# Long-running jobs (jobs.py)
DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_POLL_MAX_INTERVAL = 30.0
DEFAULT_POLL_BACKOFF = 1.5
DEFAULT_JOB_TIMEOUT = 3600.0
JOB_CANCEL_TIMEOUT = 30.0  # cancelling the work after the waiting task was cancelled

# Files (files.py)
DOWNLOAD_CHUNK_SIZE = 256 * 1024

# Bulk (bulk.py)
DEFAULT_BULK_CONCURRENCY = 64
