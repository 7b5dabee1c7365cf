"""sources -> fetch/read -> extract -> chunk -> store -> embed -> index, with a report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.background import BackgroundEmbedder
from ingest.chunk import chunk_document
from ingest.extract import (
    BINARY_SUFFIXES,
    BINARY_TYPES,
    binary_document,
    decode,
    html_document,
    read_file,
    text_document,
)
from ingest.fetch import fetch_url
from ingest.progress import IngestProgress, embedding_summary
from ingest.safety import NetworkPolicy
from ingest.sources import expand, is_url, under
from rag.errors import FootnoteError, IngestError
from rag.retrieval.indexer import Indexer
from rag.storage.store import Store
from rag.types import Chunk, Document

log = logging.getLogger(__name__)


def page_document(
    body: bytes, ctype: str, source: str, url: str, collection: str, max_pages: int | None = None
) -> Document:
    """A fetched page as a Document: HTML through extraction, text as is, PDF and Office files
    (by content type, or by name when the server says only octet-stream); others refused."""
    name = source.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    suffix = BINARY_TYPES.get(ctype) or next(
        (s for s in BINARY_SUFFIXES if name.lower().endswith(s) and ctype in ("", _OCTETS)), ""
    )
    if suffix:
        return binary_document(body, suffix, source, name, collection, max_pages)
    if ctype and not (ctype.startswith("text/") or "html" in ctype or "xml" in ctype):
        raise IngestError(f"{source} is {ctype}, not HTML, text, PDF, Word or PowerPoint")
    text = decode(body, source)
    if "html" in ctype or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return html_document(text, source, url, collection)
    return text_document(text, source, source.rstrip("/").rsplit("/", 1)[-1], collection)


_OCTETS = "application/octet-stream"


@dataclass(frozen=True)
class IngestOptions:
    """How sources are read and cut: chunking, size and time limits, the network policy."""

    chunk_size: int
    chunk_overlap: int
    max_bytes: int
    fetch_timeout: float
    user_agent: str
    policy: NetworkPolicy
    max_pdf_pages: int  # the most pages a PDF may have


@dataclass
class IngestReport:
    """What an ingest run did, per source."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)  # (source, its old collection)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    skipped: list[str] = field(default_factory=list)  # unsupported files inside folders
    chunks_added: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0  # the model's working time (it overlaps reading the sources)

    @property
    def ok(self) -> bool:
        """False only when sources were given and none could be ingested."""
        done = self.added or self.updated or self.unchanged or self.moved
        return not self.failed or bool(done)

    def summary(self, collection: str = "") -> str:
        """Counts, then a line per failure and per document moved into `collection`."""
        lines = [
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, moved {len(self.moved)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)}, "
            f"skipped {len(self.skipped)} ({self.chunks_added} new chunks, {self.seconds:.1f} s)"
        ]
        if self.chunks_added:
            speed = embedding_summary(self.chunks_added, self.seconds, self.embed_seconds)
            lines.append(f"  {speed}")
        lines += [f"  failed: {reason}" for _, reason in self.failed]
        into = f" to collection {collection}" if collection else ""
        lines += [f"  moved{into}: {source} (was in {old})" for source, old in self.moved]
        if self.skipped:
            lines.append(
                f"  skipped {len(self.skipped)} files of unsupported types, e.g. {self.skipped[0]}"
            )
        return "\n".join(lines)


class Ingestor:
    """Turns sources into stored, embedded, indexed documents. Batches embedding across files,
    on a thread of its own (`background`) while the next sources are read."""

    def __init__(
        self,
        store: Store,
        indexer: Indexer,
        options: IngestOptions,
        flush_chunks: int = 512,
        background: bool = True,
    ):
        self.store, self.indexer, self.options = store, indexer, options
        self.flush_chunks, self.background = flush_chunks, background
        self._pending: list[Chunk] = []
        self.chunks_found = 0  # new chunks stored by this ingestor
        self.on_wait: Callable[[], None] | None = None  # ~1/s while waiting for the model
        self._embedding = BackgroundEmbedder(indexer, lambda: self._waiting(), background)

    @property
    def embed_seconds(self) -> float:
        """Time the model spent embedding (and loading), for reports."""
        return self._embedding.embed_seconds

    @property
    def chunks_embedded(self) -> int:
        """Of `chunks_found`, those embedded or cached (moving while a batch is embedded)."""
        return self._embedding.chunks_done

    def ingest(
        self,
        args: list[str],
        *,
        prune: bool = False,
        collection: str = "default",
        progress: Callable[[int], None] | None = None,
        on_total: Callable[[int], None] | None = None,
        status: Callable[[IngestProgress], None] | None = None,
    ) -> IngestReport:
        """Ingest every source; bad ones are logged, listed in the report and skipped.
        `progress` gets 1 per source done; `status` a snapshot after each source and about
        once a second while waiting for the model."""
        started = time.perf_counter()
        report = IngestReport()
        expansion = expand(args)
        report.skipped = expansion.skipped
        if on_total:
            on_total(len(expansion.sources))
        known = self.store.document_hashes()
        found, embed_before, done = self.chunks_found, self.embed_seconds, [0]

        def tell() -> None:
            if status:
                status(self.snapshot(done[0], len(expansion.sources), started, found))

        self.on_wait = tell
        try:
            for source in expansion.sources:
                self._ingest_one(source, collection, known, report)
                done[0] += 1
                if progress:
                    progress(1)
                tell()
            if prune:
                self._prune(expansion, known, report)
        finally:  # keep what was done, even on Ctrl-C
            self.flush()
            self.on_wait = None
        report.seconds = time.perf_counter() - started
        report.embed_seconds = self.embed_seconds - embed_before
        tell()
        return report

    def snapshot(
        self, sources_done: int, sources_total: int, started: float, chunks_before: int = 0
    ) -> IngestProgress:
        """Progress since `started` (a perf_counter time) of a run that began with
        `chunks_before` chunks found by this ingestor."""
        return IngestProgress(
            sources_done,
            sources_total,
            self.chunks_found - chunks_before,
            self.chunks_embedded - chunks_before,
            time.perf_counter() - started,
            self.embed_seconds,
        )

    def _ingest_one(self, source: str, collection: str, known: dict, report: IngestReport) -> None:
        try:
            doc = self.load(source, collection)
        except FootnoteError as exc:
            log.warning("skipping %s: %s", source, exc)
            report.failed.append((source, str(exc)))
            return
        previous = known.get(doc.source)
        outcome, added = self.put(doc, previous)
        report.chunks_added += added
        if outcome == "moved":
            report.moved.append((doc.source, previous[2]))
            return
        {"new": report.added, "updated": report.updated, "unchanged": report.unchanged}[
            outcome
        ].append(doc.source)

    def put(
        self,
        doc: Document,
        previous: tuple[str, str, str] | None,
        chunks: list[Chunk] | None = None,
    ) -> tuple[str, int]:
        """Store one document (previous: its stored (id, text hash, collection), if any); embed
        new chunks. `chunks` are the document's chunks when already made (by a Ray worker).

        A source lives in one collection: given another, the document moves there.
        Returns ("new" | "updated" | "unchanged" | "moved", number of chunks to embed).
        """
        moved = previous is not None and previous[2] != doc.collection
        if previous and previous[1] == doc.text_hash:
            if moved:
                self.store.catalog.move(doc.id, doc.collection)
            return ("moved" if moved else "unchanged"), 0
        if chunks is None:
            chunks = chunk_document(doc, self.options.chunk_size, self.options.chunk_overlap)
        self.indexer.load()  # not built later from a store holding chunks not embedded yet
        changes = self.store.put_document(doc, chunks)
        self.indexer.remove(changes.removed_vector_ids)
        self._pending.extend(changes.added)
        self.chunks_found += len(changes.added)
        if changes.added:
            self._embedding.warm_up()  # the model loads while the next sources are read
        if len(self._pending) >= self.flush_chunks:
            self._flush()
        return ("moved" if moved else "updated" if previous else "new"), len(changes.added)

    def remove(self, doc_ids: list[str]) -> None:
        """Delete documents with their chunks from the store and the index."""
        if doc_ids:
            self.indexer.remove(self.store.delete_documents(doc_ids))

    def load(self, source: str, collection: str = "default") -> Document:
        """Read or fetch one source and extract its text."""
        o = self.options
        if not is_url(source):
            return read_file(Path(source), o.max_bytes, collection, o.max_pdf_pages)
        page = fetch_url(source, o.fetch_timeout, o.max_bytes, o.user_agent, o.policy)
        return page_document(
            page.body, page.content_type, source, page.url, collection, o.max_pdf_pages
        )

    def flush(self) -> None:
        """Embed and index the chunks stored so far, and save the index."""
        try:
            self._flush()
        finally:
            self._embedding.close()
        self.indexer.save()

    def _flush(self) -> None:
        """Hand the pending chunks to the embedding thread (indexing the batch before)."""
        pending, self._pending = self._pending, []
        if pending:
            self._embedding.submit(pending)

    def _waiting(self) -> None:
        if self.on_wait:
            self.on_wait()

    def _prune(self, expansion, known: dict, report: IngestReport) -> None:
        seen = set(expansion.sources)
        gone = {
            doc_id: src
            for src, (doc_id, *_) in known.items()
            if under(src, expansion.roots) and (src not in seen or not Path(src).exists())
        }
        if gone:
            self.remove(list(gone))
            report.removed.extend(sorted(gone.values()))
