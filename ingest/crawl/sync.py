"""Keeping the store in step with one site: store pages whose text changed (never a near-copy of
another stored page), remove pages that are gone. Counts go to the crawl report."""

from __future__ import annotations

from ingest.crawl.quality import NearDuplicates, signature
from ingest.crawl.report import CrawlReport
from ingest.pipeline import Ingestor
from rag.types import Document


class SiteSync:
    def __init__(
        self,
        ingestor: Ingestor,
        report: CrawlReport,
        stored_sources: list[str],
        collection: str = "default",
        move_from: tuple[str, ...] | None = None,
    ):
        self.ingestor, self.report, self.collection = ingestor, report, collection
        self.move_from = move_from  # collections pages may be moved out of (None: any)
        self.known = ingestor.store.document_hashes()  # source -> (id, text hash, collection)
        self.duplicates = NearDuplicates()
        for source, text in ingestor.store.document_texts(stored_sources).items():
            self.duplicates.add(source, signature(text))

    def store(self, doc: Document) -> str:
        """Store a page's document (new, updated, unchanged or moved here); returns "" then,
        or why nothing was stored: it nearly repeats a stored page ("duplicate of SOURCE"), or
        it is stored in a collection this crawl may not move it out of."""
        previous = self.known.get(doc.source)
        if previous and not self.may_move(previous[2]):
            return f"stored in collection {previous[2]}, which this crawl may not change"
        if not (previous and previous[1] == doc.text_hash):
            sig = signature(doc.text)
            twin = self.duplicates.find(sig, exclude=doc.source)
            if twin:
                if previous:  # it used to be distinct; now it repeats another page
                    self.remove([doc.source], "now a duplicate")
                return f"duplicate of {twin}"
            self.duplicates.add(doc.source, sig)
        outcome, added = self.ingestor.put(doc, previous)
        self.known[doc.source] = (doc.id, doc.text_hash, doc.collection)
        self.report.chunks_added += added
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        return ""

    def unchanged(self, source: str) -> None:
        """A page that did not change (HTTP 304, or the same sitemap lastmod): counted as
        unchanged, or moved when it is stored in another collection than this crawl's."""
        previous = self.known.get(source)
        if previous is None or previous[2] == self.collection or not self.may_move(previous[2]):
            self.report.unchanged += 1
            return
        self.ingestor.store.catalog.move(previous[0], self.collection)
        self.known[source] = (previous[0], previous[1], self.collection)
        self.report.moved += 1

    def may_move(self, collection: str) -> bool:
        """Whether a page stored in `collection` may be moved into this crawl's."""
        return (
            collection == self.collection or self.move_from is None or collection in self.move_from
        )

    def remove(self, sources: list[str], reason: str) -> None:
        """Delete stored pages with their chunks."""
        ids = [self.known.pop(s)[0] for s in sources if s in self.known]
        self.ingestor.remove(ids)
        for source in sources:
            self.duplicates.discard(source)
        self.report.removed += len(ids)
        self.report.removed_pages += [f"{s} ({reason})" for s in sources]
