"""A synchronous answer generator driven from async code, and stopped when the client leaves."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from rag.errors import FootnoteError
from rag.types import Answer

STARTED = object()  # yielded once a stream holds the generator
END = object()


class AnswerStream:
    """A synchronous answer generator driven from async code, one step at a time in a worker
    thread; closing waits for a running step, so the generator is always released."""

    def __init__(self, iterator: Iterator, cancel: threading.Event):
        self.iterator, self.lock, self.closed = iterator, threading.Lock(), False
        self.cancel = cancel  # stops the generator at its next token
        self.on_answer = None

    def _step(self):
        with self.lock:
            item = next(self.iterator, END)
        if isinstance(item, Answer) and self.on_answer:
            self.on_answer(item)
        return item

    async def begin(self) -> None:
        """Wait for the generator (the first step ends once the stream holds it)."""
        if await run_in_threadpool(self._step) is not STARTED:
            raise FootnoteError("the answer stream did not start")

    async def next(self):
        if self.closed:
            return END
        return await run_in_threadpool(self._step)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.cancel.set()

            def close() -> None:
                with self.lock:
                    self.iterator.close()

            threading.Thread(target=close, daemon=True).start()


async def close_on_disconnect(request: Request, stream: AnswerStream) -> None:
    """Wait for the client to go away (it sends nothing more after its request), then stop
    the answer, even in the middle of a sentence."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            stream.close()
            return


async def drive(request: Request, stream: AnswerStream) -> AsyncIterator:
    """The stream's items until it ends or the client leaves; the generator is always released."""
    watcher = asyncio.create_task(close_on_disconnect(request, stream))
    try:
        while not stream.closed:
            item = await stream.next()
            if item is END:
                return
            yield item
    finally:
        watcher.cancel()
        stream.close()


async def final_answer(request: Request, stream: AnswerStream) -> Answer:
    """Run the stream to its end and return the Answer (recorded for the request log)."""
    async for item in drive(request, stream):
        if isinstance(item, Answer):
            request.state.answer = item
            return item
    raise FootnoteError("the answer stream ended without an answer")
