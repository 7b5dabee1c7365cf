"""Embedding on a thread of its own, so reading, fetching and extracting the next sources goes on
while the model works (it spends its time in torch, which releases the GIL).

At most one batch is in flight. Its vectors are cached and indexed on the caller's thread when
the next batch is handed over or at `drain()`, so every store write stays on one thread and the
order of writes is the order of batches.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, TimeoutError
from dataclasses import dataclass

import numpy as np

from rag.retrieval.indexer import Indexer
from rag.types import Chunk

SLICE = 64  # texts per call to the model: progress moves in steps this small
# While the model works, the GIL changes hands at most this many seconds apart (Python's default
# is 5 ms): the model's thread needs it for a moment between torch operations, and waiting up to
# 5 ms each time behind a thread that extracts pages left the cores idle (docs/benchmarks.md).
SWITCH_INTERVAL = 0.0005


@dataclass
class _Job:
    chunks: Sequence[Chunk]
    hashes: list[str]  # of the texts being embedded, in the order of the vectors
    future: Future
    texts_before: int  # texts_embedded when the job began


class BackgroundEmbedder:
    """Embeds batches of chunks on one worker thread; `submit` returns at once (with
    `threaded` off it embeds and indexes before returning, on the caller's thread).

    `on_wait` is called about once a second while the caller waits for the model, so a
    progress display keeps moving.
    """

    def __init__(
        self, indexer: Indexer, on_wait: Callable[[], None] | None = None, threaded: bool = True
    ):
        self.indexer, self.on_wait, self.threaded = indexer, on_wait, threaded
        self.embed_seconds = 0.0  # spent in the model (on the worker thread)
        self.wait_seconds = 0.0  # the caller spent waiting for the model
        self.texts_embedded = 0  # texts through the model so far (moves during a batch)
        self.chunks_indexed = 0  # chunks with their vector in the index
        self._job: _Job | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._warming: Future | None = None

    @property
    def chunks_done(self) -> int:
        """Chunks indexed, plus the texts of the batch in flight that are embedded so far."""
        job = self._job
        return self.chunks_indexed + (self.texts_embedded - job.texts_before if job else 0)

    def warm_up(self) -> None:
        """Load the model on the worker thread now (once), while the caller reads on."""
        warm_up = getattr(self.indexer.embedder, "warm_up", None)
        if warm_up is not None and self._warming is None and self.threaded:
            self._warming = self._worker().submit(self._timed, warm_up)

    def submit(self, chunks: Sequence[Chunk]) -> None:
        """Index the batch in flight, then start embedding `chunks` (texts not cached)."""
        self.drain()
        texts = self.indexer.uncached(chunks)  # read after the previous batch was cached
        if not texts or not self.threaded:
            vectors = self._embed(list(texts.values())) if texts else []
            self.indexer.add(chunks, dict(zip(texts, vectors, strict=True)))
            self.chunks_indexed += len(chunks)
            return
        future = self._worker().submit(self._embed, list(texts.values()))
        self._job = _Job(chunks, list(texts), future, self.texts_embedded)

    def drain(self) -> None:
        """Wait for the batch in flight; cache its vectors and add its chunks to the index."""
        job = self._job
        if job is None:
            return
        started = time.perf_counter()
        try:
            vectors = self._result(job.future)  # the worker's error, if any, is raised here
        finally:
            self.wait_seconds += time.perf_counter() - started
        self._job = None
        self.indexer.add(job.chunks, dict(zip(job.hashes, vectors, strict=True)))
        self.chunks_indexed += len(job.chunks)

    def close(self) -> None:
        """Drain, then stop the worker thread (a later `submit` starts a new one)."""
        try:
            self.drain()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                _SwitchInterval.leave()
            self._pool = self._warming = None

    def _worker(self) -> ThreadPoolExecutor:
        if self._pool is None:
            _SwitchInterval.enter()
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="embed")
        return self._pool

    def _result(self, future: Future):
        while True:
            try:
                return future.result(timeout=1.0)
            except TimeoutError:
                if self.on_wait:
                    self.on_wait()

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Runs on the worker: the texts longest first (batches of alike lengths pad little),
        a slice at a time; the vectors come back in the order of `texts`."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        step = max(SLICE, getattr(self.indexer.embedder, "batch_size", 0))  # big on a GPU
        parts = []
        for start in range(0, len(order), step):
            rows = order[start : start + step]
            parts.append(self._timed(self.indexer.embedder.embed, [texts[i] for i in rows]))
            self.texts_embedded += len(rows)
        out = np.empty_like(np.concatenate(parts))  # (len(texts), dim)
        out[order] = np.concatenate(parts)
        return out

    def _timed(self, fn, *args):
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.embed_seconds += time.perf_counter() - started


class _SwitchInterval:
    """The process's GIL switch interval, short while any embedding thread runs."""

    _lock = threading.Lock()
    _active = 0
    _saved = 0.0

    @classmethod
    def enter(cls) -> None:
        with cls._lock:
            if cls._active == 0:
                cls._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(cls._saved, SWITCH_INTERVAL))
            cls._active += 1

    @classmethod
    def leave(cls) -> None:
        with cls._lock:
            cls._active -= 1
            if cls._active == 0:
                sys.setswitchinterval(cls._saved)
