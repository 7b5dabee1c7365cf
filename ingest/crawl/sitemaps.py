"""Sitemaps (urlset, sitemap index, gzip, plain text) and feeds (RSS, Atom) -> URLs to crawl."""

from __future__ import annotations

import gzip
import io
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from ingest.crawl.urls import normalize

MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps.org limit, uncompressed
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, recover=True, remove_comments=True
)


@dataclass
class Listing:
    pages: dict[str, str] = field(default_factory=dict)  # URL -> lastmod ("" if none)
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of an index


def looks_like_listing(url: str) -> bool:
    """Whether a URL names a sitemap or a feed rather than a page."""
    path = url.lower().split("?", 1)[0]
    return path.endswith((".xml", ".xml.gz", ".rss", ".atom")) or path.rstrip("/").endswith(
        ("/feed", "/rss")
    )


def parse_listing(data: bytes) -> Listing:
    """URLs listed by a sitemap, sitemap index or feed. Unparseable input gives an empty listing."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
                data = f.read(MAX_SITEMAP_BYTES + 1)[:MAX_SITEMAP_BYTES]
        except (OSError, EOFError):
            return Listing()
    stripped = data.lstrip()
    if not stripped.startswith(b"<"):
        return _text_listing(stripped)
    try:
        root = etree.fromstring(stripped, _PARSER)
    except etree.XMLSyntaxError:
        return Listing()
    if root is None:
        return Listing()
    listing = Listing()
    kind = etree.QName(root).localname.lower()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname.lower()
        if kind == "sitemapindex" and name == "sitemap":
            loc = _child_text(element, "loc")
            if loc:
                listing.sitemaps.append(loc)
        elif kind == "urlset" and name == "url":
            loc = _child_text(element, "loc")
            if loc:
                listing.pages[loc] = _child_text(element, "lastmod")
        elif kind == "rss" and name == "item":
            link = _child_text(element, "link")
            if link:
                listing.pages[link] = _child_text(element, "pubdate")
        elif kind == "feed" and name == "entry":
            for link in element:
                is_link = isinstance(link.tag, str) and etree.QName(link).localname == "link"
                if is_link and link.get("rel", "alternate") == "alternate" and link.get("href"):
                    listing.pages[link.get("href")] = _child_text(element, "updated")
    return listing


def _child_text(element, name: str) -> str:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname.lower() == name:
            return (child.text or "").strip()
    return ""


def _text_listing(data: bytes) -> Listing:
    lines = data.decode("utf-8", "replace").splitlines()
    return Listing({line.strip(): "" for line in lines if line.strip().startswith("http")})


MAX_SITEMAPS = 200  # sitemap files read per crawl


@dataclass
class SitemapWalk:
    pages: dict[str, str] = field(default_factory=dict)  # normalised URL -> lastmod
    failures: list[tuple[str, str]] = field(default_factory=list)  # (sitemap URL, reason)
    bytes: int = 0


def walk_sitemaps(fetch: Callable, names: list[str], root: str, strict: bool) -> SitemapWalk:
    """Read sitemaps and the sitemap indexes they lead to, breadth first. `fetch(url)` returns
    an ingest.crawl.fetching.Fetched; `strict`: a sitemap that cannot be read is a failure (one
    robots.txt names should exist; a guessed /sitemap.xml need not)."""
    walk = SitemapWalk()
    queue = deque((name, root) for name in names)
    done: set[str] = set()
    while queue and len(done) < MAX_SITEMAPS:
        name, parent = queue.popleft()
        url = normalize(name, parent)
        if url is None or url in done:
            continue
        done.add(url)
        result = fetch(url)
        if result.kind != "page":
            if strict:
                walk.failures.append((url, f"sitemap: {result.reason or result.kind}"))
            continue
        walk.bytes += len(result.body)
        listing = parse_listing(result.body)
        queue.extend((child, url) for child in listing.sitemaps)
        for page, lastmod in listing.pages.items():
            page = normalize(page, url)
            if page:
                walk.pages[page] = lastmod
    return walk
