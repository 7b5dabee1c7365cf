"""What one crawl may do (scope, limits, politeness), from the settings plus per-crawl flags."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CrawlOptions:
    collection: str = "default"
    prefix: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_pages: int = 10_000
    max_depth: int = 20
    concurrency: int = 4
    rate: float = 8.0  # requests per second per host; 0 = unlimited
    retries: int = 3
    timeout: float = 20.0
    max_bytes: int = 20_000_000
    user_agent: str = "Footnote"
    sitemaps: bool = True
    restart: bool = False  # ignore an interrupted crawl instead of resuming it


def crawl_options(settings, **overrides) -> CrawlOptions:
    """CrawlOptions from Settings (crawl_* and fetch settings), with per-crawl overrides."""
    s = settings
    options = CrawlOptions(
        max_pages=s.crawl_max_pages,
        max_depth=s.crawl_max_depth,
        concurrency=s.crawl_concurrency,
        rate=s.crawl_rate,
        retries=s.crawl_retries,
        timeout=s.fetch_timeout,
        max_bytes=s.max_file_bytes,
        user_agent=s.user_agent,
    )
    for name, value in overrides.items():
        if value is not None:
            setattr(options, name, value)
    return options
