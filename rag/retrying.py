"""One retry policy for every HTTP call that may meet a busy or failing server: crawl fetches
(ingest.crawl.fetching) and OpenAI-compatible model servers (rag.answering.remote).

tenacity runs the attempts. A 429 or 5xx answer is tried again after the wait its Retry-After
header asks for (seconds or an HTTP date), else after an exponential backoff; a server that asks
for more than `max_retry_after` is not waited for. Network errors the caller names as transient
are tried again with the same backoff. The last failure is raised as it was.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import tenacity

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")


class RetryableStatus(Exception):
    """An answer worth another try: its HTTP status, the seconds its Retry-After asked for
    (None: no header), and what the caller needs to report it if no try succeeds."""

    def __init__(self, status: int, retry_after: float | None, detail: Any = None):
        super().__init__(f"HTTP {status}")
        self.status, self.retry_after, self.detail = status, retry_after, detail


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date.

    >>> retry_after("3"), retry_after(" 0 "), retry_after(None), retry_after("soon")
    (3.0, 0.0, None, None)
    >>> retry_after("Wed, 21 Oct 2015 07:28:00 GMT")  # a date in the past: no wait
    0.0
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3  # tries after the first
    backoff: float = 0.5  # seconds before the first retry; doubles each time
    max_backoff: float = 8.0
    max_retry_after: float = 120.0  # a server asking for a longer wait fails at once
    sleep: Callable[[float], None] = time.sleep

    def run(self, attempt: Callable[[], T], transient: tuple[type[BaseException], ...]) -> T:
        """`attempt()` until it returns; RetryableStatus and `transient` errors are tried
        again (at most `retries` times), any other error and the last failure are raised."""
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=self.wait,
            retry=tenacity.retry_if_exception(lambda exc: self.worth_retrying(exc, transient)),
            reraise=True,
            sleep=self.sleep,
        )
        return retrying(attempt)

    def worth_retrying(self, exc: BaseException, transient: tuple[type[BaseException], ...]):
        if isinstance(exc, RetryableStatus):
            return exc.retry_after is None or exc.retry_after <= self.max_retry_after
        return isinstance(exc, transient)

    def wait(self, state: tenacity.RetryCallState) -> float:
        """Retry-After when the server gave one, else backoff * 2^(tries - 1), capped."""
        asked = getattr(state.outcome.exception(), "retry_after", None)
        if asked is not None:
            return asked
        return min(self.backoff * 2 ** (state.attempt_number - 1), self.max_backoff)

    def too_long(self, exc: RetryableStatus) -> bool:
        """Whether the server asked for a wait this policy does not make."""
        return exc.retry_after is not None and exc.retry_after > self.max_retry_after
