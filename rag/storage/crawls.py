"""What crawls remember between runs: per-page validators and links, and resumable crawl state."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa

from rag.storage.schema import crawl_pages, crawls


@dataclass
class PageRecord:
    url: str
    status: str  # stored | skipped | failed
    source: str = ""
    etag: str = ""
    last_modified: str = ""
    lastmod: str = ""
    links: list[str] = field(default_factory=list)


@dataclass
class Resumed:
    crawl_id: str
    report: dict
    frontier: list[tuple[str, int]]
    visited: set[str]


class CrawlState:
    """The page records and crawl progress of one site (origin + path prefix)."""

    def __init__(self, engine: sa.Engine, site: str):
        self.engine, self.site = engine, site
        self._pending: dict[str, PageRecord] = {}

    def pages(self) -> dict[str, PageRecord]:
        query = sa.select(crawl_pages).where(crawl_pages.c.site == self.site)
        with self.engine.connect() as conn:
            return {
                r.url: PageRecord(
                    r.url, r.status, r.source, r.etag, r.last_modified, r.lastmod, list(r.links)
                )
                for r in conn.execute(query)
            }

    def record(self, page: PageRecord) -> None:
        self._pending[page.url] = page

    def forget(self, urls: list[str]) -> None:
        with self.engine.begin() as conn:
            for url in urls:
                self._pending.pop(url, None)
            conn.execute(
                crawl_pages.delete().where(
                    crawl_pages.c.site == self.site, crawl_pages.c.url.in_(urls)
                )
            )

    def unfinished(self) -> Resumed | None:
        """The latest crawl of this site, if it was interrupted."""
        query = (
            sa.select(crawls)
            .where(crawls.c.site == self.site)
            .order_by(crawls.c.started_at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        if row is None or row.status == "finished":
            return None
        frontier = [(u, int(d)) for u, d in row.frontier]
        return Resumed(row.id, dict(row.report), frontier, set(row.visited))

    def start(self, start_url: str, collection: str) -> str:
        crawl_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(
                crawls.insert().values(
                    id=crawl_id,
                    site=self.site,
                    start_url=start_url,
                    collection=collection,
                    status="running",
                    report={},
                    frontier=[],
                    visited=[],
                    started_at=time.time(),
                )
            )
        return crawl_id

    def save(
        self,
        crawl_id: str,
        status: str,
        report: dict,
        frontier: list[tuple[str, int]] = (),
        visited: set[str] = frozenset(),
    ) -> None:
        """Write pending page records and the crawl's progress in one transaction."""
        pending, self._pending = self._pending, {}
        with self.engine.begin() as conn:
            if pending:
                conn.execute(
                    crawl_pages.delete().where(
                        crawl_pages.c.site == self.site, crawl_pages.c.url.in_(list(pending))
                    )
                )
                now = time.time()
                conn.execute(
                    crawl_pages.insert(),
                    [
                        {**p.__dict__, "site": self.site, "crawl_id": crawl_id, "fetched_at": now}
                        for p in pending.values()
                    ],
                )
            conn.execute(
                crawls.update()
                .where(crawls.c.id == crawl_id)
                .values(
                    status=status,
                    report=report,
                    frontier=[list(item) for item in frontier],
                    visited=sorted(visited),
                    finished_at=time.time() if status == "finished" else None,
                )
            )
