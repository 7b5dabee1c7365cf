"""Running one question through the pipeline for a request: a place in the generator's queue,
the answer streamed as server-sent events or returned whole, the answer recorded as given to
the key. Shared by the ask, conversation and OpenAI routes."""

import json
import threading
from collections.abc import AsyncIterator, Iterator

from fastapi import Request
from fastapi.responses import StreamingResponse

from rag.errors import FootnoteError
from rag.retrieval import Filters
from rag.serialise import answer_dict, sentence_dict
from rag.storage.keys import Key
from rag.types import Answer, Sentence
from ui.api.queue import AnswerQueue
from ui.api.streams import STARTED, AnswerStream, drive, final_answer


class Answering:
    def __init__(self, pipeline, answers, queue: AnswerQueue, model: str = ""):
        """`pipeline`: rag.answering.Pipeline; `answers`: the store's answer table owner;
        `model`: the generator's name, given in every answer."""
        self.pipeline, self.answers, self.queue = pipeline, answers, queue
        self.model = model

    @staticmethod
    def filters(collections: list[str], options=None) -> Filters:
        """Retrieval filters: the collections, and a request's AskOptions if any."""
        if options is None:
            return Filters(tuple(collections))
        return Filters(tuple(collections), options.source_prefix, options.since, options.until)

    async def start(self, question: str, where: Filters, turns, key: Key) -> AnswerStream:
        """Check the question and wait for the generator before any response byte is sent."""
        self.pipeline.check_question(question)
        cancel = threading.Event()
        stream = AnswerStream(self._stream(question, where, turns, key, cancel), cancel)
        await stream.begin()  # Busy or a question error become normal error responses
        return stream

    def _stream(self, question, where: Filters, turns, key: Key, cancel) -> Iterator:
        with self.queue.slot():
            yield STARTED
            for item in self.pipeline.stream(question, where, turns, cancel):
                if isinstance(item, Answer):
                    self.answers.give_to(item.id, key.id)
                yield item

    async def respond(self, request: Request, stream: AnswerStream, as_sse: bool, extra: dict):
        """The whole answer as JSON, or a text/event-stream of its sentences then the answer."""
        extra = {"model": self.model or None, **extra}
        if not as_sse:
            return {**answer_dict(await final_answer(request, stream)), **extra}
        events = _events(request, stream, extra)
        return StreamingResponse(events, media_type="text/event-stream")


async def _events(request: Request, stream: AnswerStream, extra: dict) -> AsyncIterator[str]:
    try:
        async for item in drive(request, stream):  # stops the model if the client leaves
            if isinstance(item, Sentence):
                yield _event("sentence", sentence_dict(item))
            elif isinstance(item, Answer):
                request.state.answer = item
                yield _event("answer", {**answer_dict(item), **extra})
    except FootnoteError as exc:
        yield _event("error", {"type": type(exc).__name__, "message": str(exc)})


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"
