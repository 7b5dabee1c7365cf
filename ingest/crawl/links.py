"""What a crawled HTML page says about other pages: links, canonical URL, feeds, robots meta."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree, html

from ingest.crawl.urls import normalize

_FEED_TYPES = ("application/rss+xml", "application/atom+xml")


@dataclass
class PageLinks:
    links: list[str] = field(default_factory=list)  # normalised, in document order, unique
    canonical: str = ""
    feeds: list[str] = field(default_factory=list)
    noindex: bool = False
    nofollow: bool = False


def page_links(markup: str, url: str) -> PageLinks:
    """Links of an HTML page resolved against its URL (or its <base href>)."""
    found = PageLinks()
    try:
        tree = html.document_fromstring(markup[:5_000_000])
    except (etree.ParserError, ValueError):
        return found
    base = url
    for element in tree.iter("base"):
        base = normalize(element.get("href", ""), url) or url
        break
    for element in tree.iter("meta"):
        if element.get("name", "").lower() in ("robots", "footnote"):
            content = element.get("content", "").lower()
            found.noindex |= "noindex" in content or "none" in content
            found.nofollow |= "nofollow" in content or "none" in content
    for element in tree.iter("link"):
        rel = element.get("rel", "").lower().split()
        href = normalize(element.get("href", ""), base)
        if href and "canonical" in rel and not found.canonical:
            found.canonical = href
        elif href and "alternate" in rel and element.get("type", "").lower() in _FEED_TYPES:
            found.feeds.append(href)
    seen: set[str] = set()
    for element in tree.iter("a", "area"):
        if "nofollow" in element.get("rel", "").lower():
            continue
        href = normalize(element.get("href", ""), base)
        if href and href not in seen:
            seen.add(href)
            found.links.append(href)
    return found
