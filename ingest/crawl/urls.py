"""URL normalisation and crawl scope: one spelling per page, and which pages belong to a crawl."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|_hsenc|_hsmi)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# links to these are not pages; they are skipped without a request
# (PDF, Word and PowerPoint documents are read: ingest.pdf, ingest.office)
_NON_PAGE = (
    "zip gz tgz bz2 xz 7z rar tar exe dmg iso msi deb rpm apk jpg jpeg png gif svg webp ico "
    "bmp tif tiff mp3 mp4 m4a avi mov webm wav ogg woff woff2 ttf eot css js json doc xls "
    "xlsx ppt epub bin"
)
NON_PAGE_SUFFIXES = frozenset(f".{suffix}" for suffix in _NON_PAGE.split(" "))


def normalize(url: str, base: str = "") -> str | None:
    """The canonical spelling of an http(s) URL, resolved against base; None for other schemes.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters, an empty
    path becomes "/", and "." / ".." segments are resolved.
    """
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(urljoin(base, url) if base else url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _resolve_dots(parts.path or "/")
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        ]
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def _resolve_dots(path: str) -> str:
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    result = "/".join(out)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_page_link(url: str) -> bool:
    """False for links whose suffix says they are not a document (images, archives, ...)."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return dot <= path.rfind("/") or path[dot:] not in NON_PAGE_SUFFIXES


@dataclass(frozen=True)
class Scope:
    """Pages a crawl may visit: same origin, under a path prefix, matching include/exclude globs."""

    origin: str
    prefix: str = "/"
    include: tuple[str, ...] = field(default_factory=tuple)
    exclude: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, start: str, prefix: str = "", include=(), exclude=()) -> Scope:
        return cls(origin(start), prefix or "/", tuple(include), tuple(exclude))

    def contains(self, url: str) -> bool:
        if origin(url) != self.origin:
            return False
        path = urlsplit(url).path
        if not path.startswith(self.prefix):
            return False
        if self.include and not any(fnmatch(url, p) or fnmatch(path, p) for p in self.include):
            return False
        return not any(fnmatch(url, p) or fnmatch(path, p) for p in self.exclude)
