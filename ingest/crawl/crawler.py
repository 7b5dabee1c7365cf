"""`footnote crawl URL`: discover a site's pages (sitemaps, feeds, links in scope), fetch them
politely, keep only real content, and sync the store incrementally."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from ingest.crawl.fetching import Fetched, PageFetcher, RateLimiter
from ingest.crawl.frontier import Frontier
from ingest.crawl.links import page_links
from ingest.crawl.options import CrawlOptions
from ingest.crawl.quality import javascript_shell, quality_reason
from ingest.crawl.report import CrawlReport
from ingest.crawl.robots import Robots
from ingest.crawl.sitemaps import looks_like_listing, parse_listing, walk_sitemaps
from ingest.crawl.sync import SiteSync
from ingest.crawl.urls import Scope, normalize
from ingest.extract import decode_or_empty
from ingest.pipeline import Ingestor, page_document
from ingest.safety import NetworkPolicy, guarded_client
from rag.errors import FootnoteError, IngestError
from rag.storage.crawls import PageRecord
from rag.storage.store import Store
from rag.types import Document

log = logging.getLogger(__name__)
SAVE_EVERY = 50  # pages between checkpoints


class Crawler:
    """One crawl of one site. All store writes happen on the calling thread; workers only fetch."""

    def __init__(
        self,
        ingestor: Ingestor,
        store: Store,
        policy: NetworkPolicy,
        options: CrawlOptions,
        *,
        progress: Callable[[CrawlReport], None] | None = None,
        cancel: threading.Event | None = None,
    ):
        self.ingestor, self.store, self.policy, self.o = ingestor, store, policy, options
        self.progress, self.cancel = progress, cancel or threading.Event()

    def crawl(self, start_url: str) -> CrawlReport:
        start = normalize(start_url)
        if start is None:
            raise IngestError(f"{start_url!r} is not an http(s) URL; give a full https://... URL")
        self.policy.check_url(start)
        self.scope = Scope.of(start, self.o.prefix, self.o.include, self.o.exclude)
        self.state = self.store.crawl_state(self.scope.origin + self.scope.prefix)
        began = time.perf_counter()
        embed_before = self.ingestor.embed_seconds
        self._live = (began, embed_before, self.ingestor.chunks_embedded)
        self.records = self.state.pages()
        resumed = None if self.o.restart else self.state.unfinished()
        if resumed:
            self.crawl_id, visited = resumed.crawl_id, resumed.visited
            self.report = CrawlReport.from_dict(resumed.report)
            self.report.resumed = True
        else:
            self.crawl_id, visited = self.state.start(start, self.o.collection), set()
            self.report = CrawlReport(start)
        previous_seconds = self.report.seconds
        self._previous_seconds = previous_seconds
        self.ingestor.on_wait = self._tell  # keep the display moving while the model works
        self.frontier = Frontier(
            self.scope, self.o.max_depth, lambda url: self.robots.allowed(url), visited
        )
        self.lastmods: dict[str, str] = {}
        stored = [r.source for r in self.records.values() if r.status == "stored" and r.source]
        self.sync = SiteSync(
            self.ingestor, self.report, stored, self.o.collection, self.o.move_from
        )
        with guarded_client(
            self.policy,
            timeout=self.o.timeout,
            user_agent=self.o.user_agent,
            follow_redirects=False,
            max_connections=self.o.concurrency * 2,
        ) as client:
            status = "interrupted"  # also after an unexpected error: the next run resumes
            try:
                self._run(client, start, resumed)
                status = "finished"
            except KeyboardInterrupt:
                self.report.stopped = "interrupted; run the same command again to resume"
            finally:
                self.ingestor.flush()
                self.ingestor.on_wait = None
                self.report.chunks_embedded = self.ingestor.chunks_embedded - self._live[2]
                self.report.embed_seconds = self.ingestor.embed_seconds - embed_before
                self.report.seconds = previous_seconds + time.perf_counter() - began
                self._checkpoint(status)
        return self.report

    # discovery

    def _run(self, client, start: str, resumed) -> None:
        robots = Robots.fetch(client, self.scope.origin, self.o.user_agent)
        if robots.note:
            self.report.failed.append((f"{self.scope.origin}/robots.txt", robots.note))
        self.robots = robots
        interval = max(1 / self.o.rate if self.o.rate else 0.0, robots.crawl_delay)
        self.fetcher = PageFetcher(
            client,
            RateLimiter(interval),
            self.scope.contains,
            robots.allowed,
            self.frontier.visited.__contains__,
            self.o.max_bytes,
            self.o.retries,
            self.o.timeout,
        )
        listing = looks_like_listing(start)  # a sitemap or feed as the start: crawl what it lists
        if resumed:
            for url, depth in resumed.frontier:
                self._enqueue(url, depth, count=False)
        elif not listing:
            self._enqueue(start, 0)
        if listing:
            self._discover_sitemaps([start])
        elif self.o.sitemaps:
            self._discover_sitemaps(robots.sitemaps)
        self._fetch_all()

    def _discover_sitemaps(self, named: list[str]) -> None:
        """Queue the pages of the sitemaps robots.txt names (or of /sitemap.xml, if any)."""
        root = self.scope.origin + "/"
        walk = walk_sitemaps(self.fetcher.fetch, named or ["/sitemap.xml"], root, bool(named))
        self.report.bytes += walk.bytes
        self.report.failed += walk.failures
        for page, lastmod in walk.pages.items():
            self.lastmods[page] = lastmod
            self._enqueue(page, 0)

    def _enqueue_feed(self, body: bytes, base: str, depth: int) -> None:
        """Queue the pages a feed (or a sitemap linked as a page) lists. A feed's dates are
        publication dates, not modification dates, so they are not kept as lastmod."""
        for page in parse_listing(body).pages:
            page = normalize(page, base)
            if page:
                self._enqueue(page, depth)

    def _enqueue(self, url: str, depth: int, count: bool = True) -> None:
        why = self.frontier.add(url, depth)
        if why is None:
            return
        self.report.discovered += count
        if why:
            self._skip(url, why)

    # fetching

    def _fetch_all(self) -> None:
        inflight: dict[Future, tuple[str, int]] = {}
        processed = 0
        with ThreadPoolExecutor(self.o.concurrency, thread_name_prefix="crawl") as pool:
            try:
                while self.frontier or inflight:
                    if self.cancel.is_set():
                        raise KeyboardInterrupt
                    while len(inflight) < self.o.concurrency * 2:
                        if self.report.fetched + len(inflight) >= self.o.max_pages:
                            break
                        nxt = self.frontier.pop()
                        if nxt is None:
                            break
                        url, depth = nxt
                        if self._unchanged_by_lastmod(url, depth):
                            continue
                        record = self.records.get(url)
                        etag = record.etag if record and record.status == "stored" else ""
                        since = record.last_modified if record and record.status == "stored" else ""
                        future = pool.submit(self.fetcher.fetch, url, etag, since)
                        inflight[future] = (url, depth)
                    if not inflight:
                        break
                    done, _ = wait(inflight, timeout=0.5, return_when=FIRST_COMPLETED)
                    for future in done:
                        self._handle(future.result(), inflight.pop(future)[1])
                        processed += 1
                        if processed % SAVE_EVERY == 0:
                            self._checkpoint("running")
                    self._tell()
            except BaseException:
                for future, (url, depth) in inflight.items():  # not done: visit on resume
                    future.cancel()
                    self.frontier.put_back(url, depth)
                raise
        if self.frontier:
            self.report.stopped = (
                f"max_pages={self.o.max_pages} reached; {len(self.frontier)} discovered pages "
                "not visited (raise crawl_max_pages)"
            )
        else:
            self.report.complete = True
            self._remove_unseen()

    def _unchanged_by_lastmod(self, url: str, depth: int) -> bool:
        """A stored page whose sitemap lastmod has not moved is unchanged without a request."""
        record, lastmod = self.records.get(url), self.lastmods.get(url, "")
        if not (record and lastmod and record.status == "stored" and record.lastmod == lastmod):
            return False
        self.sync.unchanged(record.source)
        self._follow(record.links, depth)
        self.state.record(record)
        return True

    def _handle(self, result: Fetched, depth: int) -> None:
        url = result.url
        record = self.records.get(url)
        if result.kind == "not_modified" and record:
            self.sync.unchanged(record.source)
            self._follow(record.links, depth)
            self.state.record(record)
        elif result.kind == "page":
            self.report.fetched += 1
            self.report.bytes += len(result.body)
            self._page(result, depth)
        elif result.kind == "gone" and record and record.source:
            self.sync.remove([record.source], result.reason)
            self.state.forget([url])
        elif result.kind == "skipped":
            self._skip(url, result.reason)
        else:
            self.report.failed.append((url, result.reason or result.kind))
            if record:  # keep what was stored; try again next crawl
                self.state.record(record)

    def _page(self, result: Fetched, depth: int) -> None:
        url = normalize(result.final) or result.url
        if url != result.url and url in self.frontier.visited:
            return self._skip(result.url, "duplicate (redirect target already crawled)")
        self.frontier.visited.add(url)
        markup = ""
        links = []
        if "xml" in result.content_type and "html" not in result.content_type:
            self._enqueue_feed(result.body, url, depth + 1)
            return self._skip(result.url, "not a page (sitemap or feed)")
        if "html" in result.content_type or not result.content_type:
            markup = decode_or_empty(result.body, url)
            found = page_links(markup, url)
            links = [u for u in found.links if self.scope.contains(u)]
            if not found.nofollow:
                self._follow(links, depth)
            for feed in found.feeds if depth == 0 and self.o.sitemaps else ():
                self._feed(feed)
            if found.canonical and found.canonical != url and self.scope.contains(found.canonical):
                if found.canonical in self.frontier.visited:
                    return self._skip(result.url, "duplicate (canonical URL already crawled)")
                self.frontier.visit(found.canonical)
                url = found.canonical
            if found.noindex:
                return self._skip(result.url, "noindex")
        page = PageRecord(
            result.url,
            "stored",
            url,
            result.etag,
            result.last_modified,
            self.lastmods.get(result.url, ""),
            links,
        )
        try:
            doc = page_document(
                result.body, result.content_type, url, url, self.o.collection, self.o.max_pdf_pages
            )
        except FootnoteError as exc:
            reason = quality_reason(str(exc), markup)
            self._skip(result.url, reason, page)
            return
        if markup and javascript_shell(markup, doc.text):
            return self._skip(result.url, "JavaScript-only page", page)
        self._store(doc, page)

    def _store(self, doc: Document, page: PageRecord) -> None:
        refused = self.sync.store(doc)
        if refused.startswith("duplicate"):
            return self._skip(page.url, refused, page, reason_kind="duplicate")
        if refused:
            return self._skip(page.url, refused, reason_kind="in another collection")
        self.state.record(page)

    def _feed(self, url: str) -> None:
        if url in self.frontier.visited or not self.scope.contains(url):
            return
        self.frontier.visit(url)
        result = self.fetcher.fetch(url)
        if result.kind == "page":
            self._enqueue_feed(result.body, url, 1)

    def _tell(self) -> None:
        """Bring the report's live figures up to date and pass it to `progress`."""
        if not self.progress:
            return
        began, embed_before, embedded_before = self._live
        self.report.seconds = self._previous_seconds + time.perf_counter() - began
        self.report.embed_seconds = self.ingestor.embed_seconds - embed_before
        self.report.chunks_embedded = self.ingestor.chunks_embedded - embedded_before
        self.progress(self.report)

    def _follow(self, links: list[str], depth: int) -> None:
        for link in links:
            self._enqueue(link, depth + 1)

    def _skip(self, url, reason, page=None, reason_kind: str = "") -> None:
        self.report.skipped[reason_kind or reason] += 1
        self.report.skipped_pages.append((url, reason))
        if page is not None:
            self.state.record(PageRecord(url, "skipped", "", links=page.links))

    # sync

    def _remove_unseen(self) -> None:
        """After a complete crawl: stored pages no longer linked or listed are gone."""
        unseen = [r for u, r in self.records.items() if not self.frontier.known(u)]
        stored = [r.source for r in unseen if r.status == "stored" and r.source]
        self.sync.remove(stored, "no longer linked or in a sitemap")
        self.state.forget([r.url for r in unseen])

    def _checkpoint(self, status: str) -> None:
        self.state.save(
            self.crawl_id,
            status,
            self.report.as_dict(),
            list(self.frontier.waiting),
            self.frontier.visited,
        )
