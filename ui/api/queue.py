"""One generator, many requests: a bounded wait for the model, first come first served (one
question at a time for a model in process, `concurrency` for a server that batches)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rag.errors import FootnoteError


class Busy(FootnoteError):
    """The generator's queue is full, or the wait for it timed out."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class AnswerQueue:
    """At most `size` requests wait for the generator; each waits at most `timeout` seconds;
    `concurrency` are answered at once."""

    def __init__(self, size: int, timeout: float, concurrency: int = 1):
        self.size, self.timeout = size, timeout
        self._model = threading.BoundedSemaphore(concurrency)
        self._count = threading.Lock()
        self.waiting = 0
        self.served = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._count:
            if self.waiting >= self.size:
                raise Busy(
                    f"{self.waiting} questions are already waiting for the model; retry later",
                    retry_after=5.0,
                )
            self.waiting += 1
        try:
            if not self._model.acquire(timeout=self.timeout):
                raise Busy(
                    f"the model stayed busy for {self.timeout:g} s; retry later", retry_after=10.0
                )
            try:
                yield
            finally:
                self._model.release()
                self.served += 1
        finally:
            with self._count:
                self.waiting -= 1
