"""One crawl request, politely: per-host rate limit, conditional GET, retries with backoff that
honour Retry-After (the policy shared with the model clients: rag.retrying), redirects followed
only within scope, a size limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ingest.crawl.urls import normalize
from ingest.fetch import ACCEPT, content_type, read_limited, transport_error
from rag.errors import FootnoteError
from rag.retrying import RETRY_STATUS, RetryableStatus, RetryPolicy, retry_after

MAX_REDIRECTS = 10
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for longer fails the page instead


class RateLimiter:
    """At most one request per `interval` seconds per host, across threads."""

    def __init__(self, interval: float):
        self.interval = interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


@dataclass(frozen=True)
class Fetched:
    url: str  # as requested
    kind: str  # page | not_modified | gone | failed | skipped
    final: str = ""  # after redirects
    reason: str = ""
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass
class PageFetcher:
    client: httpx.Client
    limiter: RateLimiter
    in_scope: Callable[[str], bool]
    allowed: Callable[[str], bool]  # robots.txt
    crawled: Callable[[str], bool]  # a URL already fetched in this crawl
    max_bytes: int
    retries: int
    timeout: float
    backoff: float = 0.5

    def fetch(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        """Fetch one page; never raises for a page-level problem (the result says what happened)."""
        current, seen = url, [url]
        for _ in range(MAX_REDIRECTS + 1):
            headers = {"Accept": ACCEPT}
            if current == url and etag:
                headers["If-None-Match"] = etag
            if current == url and last_modified:
                headers["If-Modified-Since"] = last_modified
            try:
                result = self._get_with_retries(current, headers)
            except FootnoteError as exc:
                return Fetched(url, "failed", current, str(exc))
            if isinstance(result, Fetched):
                return Fetched(url, result.kind, current, result.reason, *_rest(result))
            target = normalize(result, current)
            if target is None:
                return Fetched(url, "skipped", current, "redirect to a non-http URL")
            if target in seen:
                return Fetched(url, "failed", current, f"redirect loop ({' -> '.join(seen)})")
            if not self.in_scope(target):
                return Fetched(url, "skipped", target, "redirect out of scope")
            if not self.allowed(target):
                return Fetched(url, "skipped", target, "disallowed by robots.txt")
            if self.crawled(target):
                return Fetched(
                    url, "skipped", target, "duplicate (redirect target already crawled)"
                )
            seen.append(target)
            current = target
        return Fetched(url, "failed", current, f"more than {MAX_REDIRECTS} redirects")

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.retries, self.backoff, max_retry_after=MAX_RETRY_AFTER)

    def _get_with_retries(self, url: str, headers: dict) -> Fetched | str:
        """A Fetched, or the Location of a redirect; 429, 5xx and network errors are tried
        again under the shared retry policy (rag.retrying), each try after the rate limit."""

        def attempt() -> Fetched | str:
            self.limiter.wait(url)
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code in RETRY_STATUS:
                    asked = retry_after(response.headers.get("retry-after"))
                    raise RetryableStatus(response.status_code, asked)
                return self._answer(url, response)

        policy = self.policy
        try:
            return policy.run(attempt, (httpx.TimeoutException, httpx.NetworkError))
        except RetryableStatus as exc:
            waited = f", Retry-After {exc.retry_after:.0f} s" if policy.too_long(exc) else ""
            return Fetched(url, "failed", reason=f"HTTP {exc.status}{waited}")
        except httpx.HTTPError as exc:
            raise transport_error(url, exc, self.timeout) from None

    def _answer(self, url: str, response: httpx.Response) -> Fetched | str:
        status = response.status_code
        if status in (301, 302, 303, 307, 308) and response.headers.get("location"):
            return response.headers["location"]
        if status == 304:
            return Fetched(url, "not_modified")
        if status in (404, 410):
            return Fetched(url, "gone", reason=f"HTTP {status}")
        if status >= 400 or status < 200:
            return Fetched(url, "failed", reason=f"HTTP {status}")
        body = read_limited(response, url, self.max_bytes)
        return Fetched(
            url,
            "page",
            body=body,
            content_type=content_type(response),
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
        )


def _rest(result: Fetched) -> tuple:
    return result.body, result.content_type, result.etag, result.last_modified
