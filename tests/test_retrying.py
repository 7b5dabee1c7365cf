"""The retry policy shared by crawl fetches and the OpenAI-compatible client (rag.retrying),
and both of its users against servers on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading

import httpx
import pytest

from ingest.crawl.fetching import PageFetcher, RateLimiter
from rag.retrying import RetryableStatus, RetryPolicy


def run(policy: RetryPolicy, outcomes: list, transient=(ConnectionError,)):
    """Run the policy over a scripted series of outcomes (exceptions raised, else returned);
    returns (result or the exception raised, calls made)."""
    calls = []

    def attempt():
        outcome = outcomes[len(calls)]
        calls.append(outcome)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    try:
        return policy.run(attempt, transient), len(calls)
    except BaseException as exc:  # noqa: BLE001 - the test reports what was raised
        return exc, len(calls)


def test_backoff_doubles_and_retry_after_wins():
    waits: list[float] = []
    policy = RetryPolicy(retries=4, backoff=0.5, max_backoff=1.5, sleep=waits.append)
    busy = RetryableStatus(503, None)
    result, calls = run(policy, [busy, busy, ConnectionError(), RetryableStatus(429, 7.0), "ok"])
    assert (result, calls) == ("ok", 5)
    assert waits == [0.5, 1.0, 1.5, 7.0]  # doubling, capped; then what the server asked


def test_the_last_failure_is_raised_after_the_retries():
    waits: list[float] = []
    policy = RetryPolicy(retries=2, backoff=0.1, sleep=waits.append)
    last = RetryableStatus(502, None)
    result, calls = run(policy, [RetryableStatus(503, None), ConnectionError(), last, "ok"])
    assert result is last and calls == 3 and len(waits) == 2


def test_a_long_retry_after_and_other_errors_are_not_retried():
    policy = RetryPolicy(retries=3, max_retry_after=60, sleep=lambda s: None)
    too_long = RetryableStatus(429, 300.0)
    result, calls = run(policy, [too_long, "ok"])
    assert result is too_long and calls == 1 and policy.too_long(too_long)
    result, calls = run(policy, [ValueError("bad"), "ok"])
    assert isinstance(result, ValueError) and calls == 1


class Busy(http.server.BaseHTTPRequestHandler):
    """/later asks to come back in five minutes; /flaky... fail twice, then answer."""

    hits: dict[str, int] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        Busy.hits[self.path] = Busy.hits.get(self.path, 0) + 1
        flaky = self.path.startswith("/flaky") and Busy.hits[self.path] <= 2
        if self.path == "/later" or flaky:
            status, headers = 503, {"Retry-After": "300" if self.path == "/later" else "0"}
        else:
            status, headers = 200, {"Content-Type": "text/html"}
        body = b"<html><body><p>Support hours are nine to five.</p></body></html>"
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def busy():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetcher(client, retries=3) -> PageFetcher:
    yes = lambda url: True  # noqa: E731
    no = lambda url: False  # noqa: E731
    return PageFetcher(client, RateLimiter(0), yes, yes, no, 100_000, retries, 5.0, backoff=0)


def test_crawl_fetches_retry_under_the_policy(busy):
    with httpx.Client(timeout=5) as client:
        page = fetcher(client).fetch(busy + "/flaky")
        later = fetcher(client).fetch(busy + "/later")
        gave_up = fetcher(client, retries=1).fetch(busy + "/flaky-again")
    assert page.kind == "page" and Busy.hits["/flaky"] == 3
    assert later.kind == "failed" and later.reason == "HTTP 503, Retry-After 300 s"
    assert Busy.hits["/later"] == 1  # not waited for, not asked again
    assert (gave_up.kind, gave_up.reason, Busy.hits["/flaky-again"]) == ("failed", "HTTP 503", 2)
