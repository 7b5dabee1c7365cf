"""What one crawl may do: its scope and flags, and the limits and politeness it runs under (the
limits come from the settings, through the composition root)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class CrawlOptions:
    max_pages: int
    max_depth: int
    concurrency: int
    rate: float  # requests per second per host; 0 = unlimited
    retries: int
    timeout: float
    max_bytes: int
    max_pdf_pages: int  # the most pages a PDF may have
    user_agent: str
    collection: str = "default"
    prefix: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    sitemaps: bool = True
    restart: bool = False  # ignore an interrupted crawl instead of resuming it
    # collections whose pages this crawl may move into its own (None: any); an API key's scope
    move_from: tuple[str, ...] | None = None
