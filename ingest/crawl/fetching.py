"""One crawl request, politely: per-host rate limit, conditional GET, retries with backoff that
honour Retry-After, redirects followed only within scope, a size limit."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ingest.crawl.urls import normalize
from ingest.fetch import ACCEPT, content_type, read_limited, transport_error
from rag.errors import FootnoteError

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

    def _get_with_retries(self, url: str, headers: dict) -> Fetched | str:
        """A Fetched, or the Location of a redirect."""
        attempt = 0
        while True:
            self.limiter.wait(url)
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status in (429, 500, 502, 503, 504) and attempt < self.retries:
                        delay = _retry_after(response.headers.get("retry-after"))
                        if delay is not None and delay > MAX_RETRY_AFTER:
                            return Fetched(
                                url, "failed", reason=f"HTTP {status}, Retry-After {delay:.0f} s"
                            )
                        attempt += 1
                        time.sleep(
                            delay if delay is not None else self.backoff * 2 ** (attempt - 1)
                        )
                        continue
                    return self._answer(url, response)
            except (httpx.TimeoutException, httpx.NetworkError) as exc:
                if attempt >= self.retries:
                    raise transport_error(url, exc, self.timeout) from None
                attempt += 1
                time.sleep(self.backoff * 2 ** (attempt - 1))
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


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
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
