"""`footnote crawl URL`: discover a site's pages (sitemaps, feeds, links in scope), fetch them
politely, keep only real content, and sync the store incrementally."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from ingest.crawlreport import CrawlReport
from ingest.crawlstate import CrawlState, PageRecord
from ingest.extract import decode
from ingest.links import page_links
from ingest.pagefetch import Fetched, PageFetcher, RateLimiter
from ingest.pipeline import Ingestor, page_document
from ingest.quality import NearDuplicates, javascript_shell, signature
from ingest.robots import Robots
from ingest.safety import NetworkPolicy, guarded_client
from ingest.sitemaps import parse_listing
from ingest.urls import Scope, is_page_link, normalize
from rag.errors import FootnoteError, IngestError
from rag.types import Document

log = logging.getLogger(__name__)
MAX_SITEMAPS = 200
SAVE_EVERY = 50  # pages between checkpoints


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


class Crawler:
    """One crawl of one site. All store writes happen on the calling thread; workers only fetch."""

    def __init__(
        self,
        ingestor: Ingestor,
        state_engine,
        policy: NetworkPolicy,
        options: CrawlOptions,
        *,
        progress: Callable[[CrawlReport], None] | None = None,
        cancel: threading.Event | None = None,
    ):
        self.ingestor, self.engine, self.policy, self.o = ingestor, state_engine, policy, options
        self.progress, self.cancel = progress, cancel or threading.Event()

    def crawl(self, start_url: str) -> CrawlReport:
        start = normalize(start_url)
        if start is None:
            raise IngestError(f"{start_url!r} is not an http(s) URL; give a full https://... URL")
        self.policy.check_url(start)
        self.scope = Scope.of(start, self.o.prefix, self.o.include, self.o.exclude)
        self.state = CrawlState(self.engine, self.scope.origin + self.scope.prefix)
        began = time.perf_counter()
        embed_before = self.ingestor.embed_seconds
        self.records = self.state.pages()
        self.known = self.ingestor.store.document_hashes()
        resumed = None if self.o.restart else self.state.unfinished()
        if resumed:
            self.crawl_id, self.visited = resumed.crawl_id, resumed.visited
            self.report = CrawlReport.from_dict(resumed.report)
            self.report.resumed = True
        else:
            self.crawl_id, self.visited = self.state.start(start, self.o.collection), set()
            self.report = CrawlReport(start)
        previous_seconds = self.report.seconds
        self.frontier: deque[tuple[str, int]] = deque()
        self.enqueued: set[str] = set(self.visited)
        self.lastmods: dict[str, str] = {}
        self.duplicates = self._stored_signatures()
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
            self.visited.__contains__,
            self.o.max_bytes,
            self.o.retries,
            self.o.timeout,
        )
        listing = _is_listing(start)  # a sitemap or feed given as the start: crawl what it lists
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
        root = self.scope.origin + "/"
        queue = deque((name, root) for name in named or ["/sitemap.xml"])
        done: set[str] = set()
        while queue and len(done) < MAX_SITEMAPS:
            name, parent = queue.popleft()
            url = normalize(name, parent)
            if url is None or url in done:
                continue
            done.add(url)
            result = self.fetcher.fetch(url)
            if result.kind != "page":
                if named:  # a sitemap robots.txt names should exist
                    self.report.failed.append((url, f"sitemap: {result.reason or result.kind}"))
                continue
            self.report.bytes += len(result.body)
            listing = parse_listing(result.body)
            queue.extend((child, url) for child in listing.sitemaps)
            for page, lastmod in listing.pages.items():
                page = normalize(page, url)
                if page:
                    self.lastmods[page] = lastmod
                    self._enqueue(page, 0)

    def _enqueue(self, url: str, depth: int, count: bool = True) -> None:
        if url in self.enqueued or not self.scope.contains(url):
            return
        self.enqueued.add(url)
        if count:
            self.report.discovered += 1
        if not is_page_link(url):
            self._skip(url, "not a page (file type)")
        elif depth > self.o.max_depth:
            self._skip(url, "deeper than max_depth")
        elif not self.robots.allowed(url):
            self._skip(url, "disallowed by robots.txt")
        else:
            self.frontier.append((url, depth))

    # fetching

    def _fetch_all(self) -> None:
        inflight: dict[Future, tuple[str, int]] = {}
        processed = 0
        with ThreadPoolExecutor(self.o.concurrency, thread_name_prefix="crawl") as pool:
            try:
                while self.frontier or inflight:
                    if self.cancel.is_set():
                        raise KeyboardInterrupt
                    while self.frontier and len(inflight) < self.o.concurrency * 2:
                        if self.report.fetched + len(inflight) >= self.o.max_pages:
                            break
                        url, depth = self.frontier.popleft()
                        if url in self.visited:
                            continue
                        self.visited.add(url)
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
                    if self.progress:
                        self.progress(self.report)
            except BaseException:
                for future, (url, depth) in inflight.items():  # not done: visit on resume
                    future.cancel()
                    self.visited.discard(url)
                    self.frontier.appendleft((url, depth))
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
        self.report.unchanged += 1
        self._follow(record.links, depth)
        self.state.record(record)
        return True

    def _handle(self, result: Fetched, depth: int) -> None:
        url = result.url
        record = self.records.get(url)
        if result.kind == "not_modified" and record:
            self.report.unchanged += 1
            self._follow(record.links, depth)
            self.state.record(record)
        elif result.kind == "page":
            self.report.fetched += 1
            self.report.bytes += len(result.body)
            self._page(result, depth)
        elif result.kind == "gone" and record and record.source:
            self._remove([record.source], f"{result.reason}")
            self.state.forget([url])
        elif result.kind == "skipped":
            self._skip(url, result.reason)
        else:
            self.report.failed.append((url, result.reason or result.kind))
            if record:  # keep what was stored; try again next crawl
                self.state.record(record)

    def _page(self, result: Fetched, depth: int) -> None:
        url = normalize(result.final) or result.url
        if url != result.url and url in self.visited:
            return self._skip(result.url, "duplicate (redirect target already crawled)")
        self.visited.add(url)
        markup = ""
        links = []
        if "xml" in result.content_type and "html" not in result.content_type:
            for page in parse_listing(result.body).pages:  # a feed or sitemap linked as a page
                if normalize(page, url):
                    self._enqueue(normalize(page, url), depth + 1)
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
                if found.canonical in self.visited:
                    return self._skip(result.url, "duplicate (canonical URL already crawled)")
                self.visited.add(found.canonical)
                self.enqueued.add(found.canonical)
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
            doc = page_document(result.body, result.content_type, url, url, self.o.collection)
        except FootnoteError as exc:
            reason = _quality_reason(str(exc), markup)
            self._skip(result.url, reason, page)
            return
        if markup and javascript_shell(markup, doc.text):
            return self._skip(result.url, "JavaScript-only page", page)
        self._store(doc, page)

    def _store(self, doc: Document, page: PageRecord) -> None:
        previous = self.known.get(doc.source)
        if not (previous and previous[1] == doc.text_hash):
            sig = signature(doc.text)
            twin = self.duplicates.find(sig, exclude=doc.source)
            if twin:
                if previous:  # it used to be distinct; now it repeats another page
                    self._remove([doc.source], "now a duplicate")
                return self._skip(page.url, f"duplicate of {twin}", page, reason_kind="duplicate")
            self.duplicates.add(doc.source, sig)
        outcome, added = self.ingestor.put(doc, previous)
        self.known[doc.source] = (doc.id, doc.text_hash)
        self.report.chunks_added += added
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        self.state.record(page)

    def _feed(self, url: str) -> None:
        if url in self.visited or not self.scope.contains(url):
            return
        self.visited.add(url)
        result = self.fetcher.fetch(url)
        if result.kind == "page":
            for page in parse_listing(result.body).pages:
                page = normalize(page, url)
                if page:
                    self._enqueue(page, 1)

    def _follow(self, links: list[str], depth: int) -> None:
        for link in links:
            self._enqueue(link, depth + 1)

    def _skip(self, url, reason, page=None, reason_kind: str = "") -> None:
        self.report.skipped[reason_kind or reason] += 1
        self.report.skipped_pages.append((url, reason))
        if page is not None:
            self.state.record(PageRecord(url, "skipped", "", links=page.links))

    # sync

    def _remove(self, sources: list[str], reason: str) -> None:
        ids = [self.known.pop(s)[0] for s in sources if s in self.known]
        self.ingestor.remove(ids)
        for source in sources:
            self.duplicates.discard(source)
        self.report.removed += len(ids)
        self.report.removed_pages += [f"{s} ({reason})" for s in sources]

    def _remove_unseen(self) -> None:
        """After a complete crawl: stored pages no longer linked or listed are gone."""
        unseen = [
            r for u, r in self.records.items() if u not in self.visited and u not in self.enqueued
        ]
        stored = [r.source for r in unseen if r.status == "stored" and r.source]
        self._remove(stored, "no longer linked or in a sitemap")
        self.state.forget([r.url for r in unseen])

    def _stored_signatures(self) -> NearDuplicates:
        index = NearDuplicates()
        sources = [r.source for r in self.records.values() if r.status == "stored" and r.source]
        for source, text in self.ingestor.store.document_texts(sources).items():
            index.add(source, signature(text))
        return index

    def _checkpoint(self, status: str) -> None:
        self.state.save(
            self.crawl_id, status, self.report.as_dict(), list(self.frontier), self.visited
        )


def _is_listing(url: str) -> bool:
    path = url.lower().split("?", 1)[0]
    return path.endswith((".xml", ".xml.gz", ".rss", ".atom")) or path.rstrip("/").endswith(
        ("/feed", "/rss")
    )


def decode_or_empty(body: bytes, name: str) -> str:
    try:
        return decode(body, name)
    except IngestError:
        return ""


def _quality_reason(message: str, markup: str) -> str:
    if "no extractable main text" in message:
        return "JavaScript-only page" if markup and javascript_shell(markup, "") else "no main text"
    if "not HTML or text" in message:
        return "not HTML or text"
    return message


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


def make_crawler(app, options: CrawlOptions, **kwargs) -> Crawler:
    """A Crawler wired to an App's store, index and network policy (rag.compose.App)."""
    from ingest.pipeline import make_ingestor, network_policy

    return Crawler(
        make_ingestor(app), app.store.engine, network_policy(app.settings), options, **kwargs
    )
