"""Bulk ingestion on a Ray cluster: `footnote ingest --ray auto|ADDRESS`.

Fetching, extraction and chunking run as Ray tasks, embedding in a pool of Ray actors (each loads
the model once, on a GPU when the cluster has one); this process writes to the shared store. Only
chunks whose text has no cached vector are embedded, so a re-run is idempotent and cheap. Tasks
and actors are retried when a worker dies; items that still fail are reported, never lost
silently. Nothing here is imported unless --ray is given.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ingest.chunk import chunk_document
from ingest.pipeline import IngestOptions, Ingestor, IngestReport
from ingest.sources import expand
from rag.errors import ConfigError, FootnoteError

log = logging.getLogger(__name__)
BATCH = 16  # sources per extraction task
EmbedderSpec = tuple[str, str, int, str]  # (model folder, cache name, batch, precision)
EMBED_BATCH = 256  # texts per embedding call


def _ray():
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--ray needs Ray: pip install 'footnote[ray]' (ray[data]) on every node"
        ) from None
    return ray


def connect(address: str, num_cpus: int | None = None) -> None:
    """Join the cluster at `address`, or start a local one for 'auto'."""
    ray = _ray()
    if ray.is_initialized():
        return
    kwargs = {"include_dashboard": False, "logging_level": logging.WARNING}
    if address == "auto":
        ray.init(num_cpus=num_cpus, **kwargs)
    else:
        ray.init(address=address, **kwargs)


def _extract(
    sources: list[str], options: IngestOptions, collection: str
) -> list[tuple[str, object]]:
    """Runs on a worker: (source, (Document, chunks)) or (source, error message)."""
    loader = Ingestor(None, None, options)  # load() only
    out = []
    for source in sources:
        try:
            doc = loader.load(source, collection)
            chunks = chunk_document(doc, options.chunk_size, options.chunk_overlap)
            out.append((source, (doc, chunks)))
        except FootnoteError as exc:
            out.append((source, str(exc)))
    return out


class _Embedder:
    """A Ray actor holding one embedding model."""

    def __init__(
        self, path: str, name: str, batch_size: int, precision: str = "auto", max_tokens: int = 0
    ):
        from rag.retrieval.embedding import SentenceTransformerEmbedder

        self.model = SentenceTransformerEmbedder(
            path, name, batch_size=batch_size, precision=precision, max_tokens=max_tokens
        )

    def embed(self, texts: list[str]):
        return self.model.embed(texts)


def ray_ingest(
    ingestor: Ingestor,
    args: list[str],
    *,
    embedder: EmbedderSpec,
    collection: str = "default",
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest `args` with extraction and embedding spread over the cluster's workers."""
    ray = _ray()
    from ray.util import ActorPool

    started = time.perf_counter()
    report = IngestReport()
    expansion = expand(args)
    report.skipped = expansion.skipped
    extract = ray.remote(max_retries=3, retry_exceptions=False)(_extract)
    batches = [expansion.sources[i : i + BATCH] for i in range(0, len(expansion.sources), BATCH)]
    pending = [extract.remote(batch, ingestor.options, collection) for batch in batches]
    known = ingestor.store.document_hashes()
    model = ingestor.indexer.embedder.name
    gpus = 1 if ray.cluster_resources().get("GPU", 0) >= workers else 0
    # num_cpus=0: an actor naming a resource (num_gpus, even 0) holds a CPU while it lives, and
    # with as many actors as CPUs (2 on 2 cores) no extraction task could ever start: the
    # ingest waited forever when the actors were placed before the first tasks
    actor = ray.remote(num_cpus=0, num_gpus=gpus, max_restarts=2, max_task_retries=3)(_Embedder)
    pool = ActorPool([actor.remote(*embedder) for _ in range(workers)])
    buffered: list = []  # (doc, previous, chunks) waiting for their embeddings

    def store_buffered() -> None:
        _embed_missing(ingestor, pool, model, [c for _, _, chunks in buffered for c in chunks])
        for doc, previous, chunks in buffered:  # vectors are cached now: put only indexes
            outcome, added = ingestor.put(doc, previous, chunks)
            report.chunks_added += added
            if outcome == "moved":
                report.moved.append((doc.source, previous[2]))
            else:
                (report.updated if outcome == "updated" else report.added).append(doc.source)
        buffered.clear()

    try:
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for source, result in ray.get(done[0]):
                if isinstance(result, str):
                    report.failed.append((source, result))
                    continue
                doc, chunks = result
                previous = known.get(doc.source)
                if previous and previous[1:] == (doc.text_hash, doc.collection):
                    report.unchanged.append(doc.source)
                    continue
                buffered.append((doc, previous, chunks))
            if sum(len(b[2]) for b in buffered) >= workers * EMBED_BATCH:
                store_buffered()
            if progress:
                progress(len(batches) - len(pending))
        store_buffered()
    finally:
        ingestor.flush()
    report.seconds = time.perf_counter() - started
    return report


def _embed_missing(ingestor: Ingestor, pool, model: str, chunks) -> None:
    """Embed, on the actors in parallel, the chunk texts with no cached vector; cache them."""
    texts = {c.text_hash: c.indexed_text for c in chunks}
    cached = ingestor.store.embeddings.get(texts, model)
    missing = [(h, t) for h, t in texts.items() if h not in cached]
    parts = [missing[i : i + EMBED_BATCH] for i in range(0, len(missing), EMBED_BATCH)]
    results = pool.map(lambda a, part: a.embed.remote([t for _, t in part]), parts)
    for part, vectors in zip(parts, results, strict=True):
        ingestor.store.embeddings.put(model, dict(zip([h for h, _ in part], vectors, strict=True)))
