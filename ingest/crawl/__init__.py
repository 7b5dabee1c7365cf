"""The crawler: discovery (sitemaps, feeds, links in scope), polite fetching, quality gates and
incremental sync of one site."""

from ingest.crawl.crawler import Crawler
from ingest.crawl.options import CrawlOptions
from ingest.crawl.report import CrawlReport

__all__ = ["CrawlOptions", "CrawlReport", "Crawler"]
