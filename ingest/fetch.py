"""Fetch single URLs with a timeout and a size limit."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from rag.errors import IngestError


@dataclass(frozen=True)
class Page:
    url: str  # final URL after redirects
    content_type: str
    body: bytes


def fetch_url(url: str, timeout: float, max_bytes: int, user_agent: str) -> Page:
    """GET a URL, following redirects; raise IngestError for dead, slow, huge or non-text pages."""
    headers = {"User-Agent": user_agent, "Accept": "text/html,text/plain,text/markdown;q=0.9"}
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise IngestError(f"{url} answered HTTP {response.status_code}; check the URL")
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise IngestError(_too_big(url, declared, max_bytes))
            body = bytearray()
            for block in response.iter_bytes():
                body.extend(block)
                if len(body) > max_bytes:
                    raise IngestError(_too_big(url, len(body), max_bytes))
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            return Page(str(response.url), content_type.lower(), bytes(body))
    except httpx.TimeoutException:
        raise IngestError(
            f"{url} did not answer within {timeout:g} s; retry or raise fetch_timeout"
        ) from None
    except httpx.InvalidURL as exc:
        raise IngestError(f"{url} is not a valid URL ({exc})") from None
    except httpx.HTTPError as exc:
        raise IngestError(f"{url} could not be fetched ({type(exc).__name__}: {exc})") from None


def _too_big(url: str, size: int, limit: int) -> str:
    return f"{url} is over the size limit ({size:,} > {limit:,} bytes); raise max_file_bytes"
