"""Fetch single URLs under the network policy, with a timeout and a size limit."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ingest.safety import NetworkPolicy, guarded_client
from rag.errors import IngestError


@dataclass(frozen=True)
class Page:
    url: str  # final URL after redirects
    content_type: str
    body: bytes


def fetch_url(
    url: str, timeout: float, max_bytes: int, user_agent: str, policy: NetworkPolicy
) -> Page:
    """GET a URL, following redirects; raise IngestError for dead, slow, huge, unsafe pages."""
    try:
        with (
            guarded_client(
                policy, timeout=timeout, user_agent=user_agent, follow_redirects=True
            ) as client,
            client.stream("GET", url, headers={"Accept": ACCEPT}) as response,
        ):
            if response.status_code >= 400:
                raise IngestError(f"{url} answered HTTP {response.status_code}; check the URL")
            body = read_limited(response, url, max_bytes)
            return Page(str(response.url), content_type(response), body)
    except httpx.TooManyRedirects:
        raise IngestError(f"{url} redirects too often (a redirect loop?)") from None
    except httpx.HTTPError as exc:
        raise transport_error(url, exc, timeout) from None


ACCEPT = (
    "text/html,application/xhtml+xml,text/plain,text/markdown;q=0.9,application/pdf;q=0.8,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.8,"
    "application/vnd.openxmlformats-officedocument.presentationml.presentation;q=0.8,*/*;q=0.1"
)


def content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def read_limited(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    """The body of a streamed response, refusing it once it passes max_bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise IngestError(_too_big(url, int(declared), max_bytes))
    body = bytearray()
    for block in response.iter_bytes():
        body.extend(block)
        if len(body) > max_bytes:
            raise IngestError(_too_big(url, len(body), max_bytes))
    return bytes(body)


def transport_error(url: str, exc: httpx.HTTPError, timeout: float) -> IngestError:
    """A clear IngestError for an httpx failure."""
    if isinstance(exc, httpx.TimeoutException):
        return IngestError(
            f"{url} did not answer within {timeout:g} s; retry or raise fetch_timeout"
        )
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return IngestError(f"{url} is not a valid http(s) URL ({exc})")
    return IngestError(f"{url} could not be fetched ({type(exc).__name__}: {exc})")


def _too_big(url: str, size: int, limit: int) -> str:
    return f"{url} is over the size limit ({size:,} > {limit:,} bytes); raise max_file_bytes"
