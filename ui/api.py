"""The support-bot HTTP API (FastAPI + uvicorn), started by `footnote serve`.

Every request carries an API key scoped to collections and a role; retrieval is filtered to the
key's collections inside the search, so no endpoint can return, cite or list anything else.
"""

import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from rag.errors import FootnoteError
from rag.history import History, NotFound
from rag.render import answer_dict, sentence_dict
from rag.retrieve import Filters
from rag.types import Answer, Sentence
from ui import apimodels as m
from ui.api_admin import admin_router
from ui.apilog import BodyLimit, RequestLog, log_event
from ui.jobs import Jobs
from ui.keys import AuthError, Key, KeyStore, RateLimits
from ui.openai_compat import chat_chunks, chat_completion, chat_history
from ui.queue import AnswerQueue, Busy
from ui.streams import STARTED, AnswerStream, drive, final_answer


class Forbidden(FootnoteError):
    """The key may not do this (wrong role or a collection outside its scope)."""


def create_api(app, *, warm: bool = True) -> FastAPI:
    """The FastAPI application over a rag.compose.App."""
    s = app.settings
    keys, limits = KeyStore(app.store.engine), RateLimits()
    history, jobs = History(app.store.engine), Jobs(app)
    queue = AnswerQueue(s.api_queue, s.api_queue_timeout)
    ready = threading.Event()

    def warm_up() -> None:
        app.embedder.embed(["warm up"])
        getattr(app.generator, "warm_up", lambda: None)()
        app.indexer.index  # noqa: B018 - load the index before the first question
        ready.set()

    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
        else:
            ready.set()
        yield

    api = FastAPI(
        title="Footnote",
        version="0.1",
        description="Answers from your documents; every sentence checked against its source.",
        lifespan=lifespan,
    )
    api.add_middleware(RequestLog)
    api.add_middleware(BodyLimit, json_limit=256_000, upload_limit=s.max_file_bytes * 2)
    api.state.queue, api.state.jobs = queue, jobs

    # errors

    def _error(status: int, exc: Exception, headers: dict | None = None) -> JSONResponse:
        body = {"error": {"type": type(exc).__name__, "message": str(exc)}}
        return JSONResponse(body, status_code=status, headers=headers)

    @api.exception_handler(FootnoteError)
    async def footnote_error(_request: Request, exc: FootnoteError) -> JSONResponse:
        if isinstance(exc, Busy):
            return _error(503, exc, {"Retry-After": str(int(exc.retry_after + 0.999))})
        status = {AuthError: 401, Forbidden: 403, NotFound: 404, RateLimited: 429}.get(
            type(exc), 400
        )
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return _error(status, exc, headers)

    # authentication, scope

    def key_of(request: Request) -> Key:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() or request.headers.get("x-api-key", "")
        key = keys.authenticate(token)
        request.state.key_id = key.id
        wait = limits.take(key)
        if wait:
            raise RateLimited(
                f"rate limit of {key.rate_per_minute} requests per minute reached", wait
            )
        return key

    Asker = Annotated[Key, Depends(key_of)]

    def admin_of(key: Asker) -> Key:
        if not key.admin:
            raise Forbidden("this key may only ask; an admin key is needed")
        return key

    Admin = Annotated[Key, Depends(admin_of)]

    def scope(key: Key, requested: list[str]) -> list[str]:
        if len(requested) > s.api_max_collections:
            raise FootnoteError(
                f"{len(requested)} collections named; at most {s.api_max_collections}"
            )
        outside = sorted(set(requested) - set(key.collections))
        if outside:
            raise Forbidden(f"collections {outside} are not available to this key")
        return list(requested) or list(key.collections)

    # answering

    def filters(collections: list[str], options: m.AskOptions | None = None) -> Filters:
        o = options or m.AskOptions()
        return Filters(tuple(collections), o.source_prefix, o.since, o.until)

    def answer_stream(question, where: Filters, turns, key: Key, cancel) -> Iterator:
        with queue.slot():
            yield STARTED
            for item in app.pipeline.stream(question, where, turns, cancel):
                if isinstance(item, Answer):
                    _own_answer(item, key)
                yield item

    def _own_answer(answer: Answer, key: Key) -> None:
        from rag.schema import answer_keys

        with app.store.engine.begin() as conn:
            conn.execute(answer_keys.insert().values(answer_id=answer.id, key_id=key.id))

    async def start(question: str, where: Filters, turns, key: Key) -> AnswerStream:
        """Check the question and wait for the generator before any response byte is sent."""
        app.pipeline.check_question(question)
        cancel = threading.Event()
        stream = AnswerStream(answer_stream(question, where, turns, key, cancel), cancel)
        await stream.begin()  # Busy or a question error become normal error responses
        return stream

    async def respond(request: Request, stream: AnswerStream, as_sse: bool, extra: dict) -> object:
        if not as_sse:
            return {**answer_dict(await final_answer(request, stream)), **extra}
        return StreamingResponse(_sse(request, stream, extra), media_type="text/event-stream")

    async def _sse(request: Request, stream: AnswerStream, extra: dict) -> AsyncIterator[str]:
        try:
            async for item in drive(request, stream):  # stops the model if the client leaves
                if isinstance(item, Sentence):
                    yield _event("sentence", sentence_dict(item))
                elif isinstance(item, Answer):
                    request.state.answer = item
                    yield _event("answer", {**answer_dict(item), **extra})
        except FootnoteError as exc:
            yield _event("error", {"type": type(exc).__name__, "message": str(exc)})

    # health

    @api.get("/healthz", tags=["health"])
    def healthz() -> dict:
        """The process is up."""
        return {"status": "ok"}

    @api.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        """The models and the index are loaded (503 while they load)."""
        status = {"status": "ready" if ready.is_set() else "loading", "waiting": queue.waiting}
        return JSONResponse(status, status_code=200 if ready.is_set() else 503)

    # questions

    @api.post("/v1/ask", tags=["answers"], response_model=m.Answer)
    async def ask(body: m.AskRequest, request: Request, key: Asker):
        """Answer a question from the key's collections (or some of them)."""
        where = filters(scope(key, body.collections), body.options)
        stream = await start(body.question, where, None, key)
        return await respond(request, stream, body.stream, {})

    @api.post("/v1/conversations", tags=["conversations"])
    def new_conversation(body: m.ConversationRequest, key: Asker) -> dict:
        """Start a conversation over some of the key's collections."""
        collections = scope(key, body.collections)
        return {"id": history.new_conversation(key.id, collections), "collections": collections}

    @api.post("/v1/conversations/{conversation_id}/messages", tags=["conversations"])
    async def message(
        conversation_id: str,
        body: m.MessageRequest,
        request: Request,
        key: Asker,
    ):
        """Ask in a conversation: the question is rewritten from the earlier turns first."""

        def load() -> tuple[dict, list[tuple[str, str]]]:
            convo = history.conversation(conversation_id, key.id)
            answers = [app.store.load_answer(t["answer_id"])["text"] for t in convo["turns"]]
            return convo, [(t["question"], a) for t, a in zip(convo["turns"], answers, strict=True)]

        convo, turns = await run_in_threadpool(load)
        where = filters(scope(key, convo["collections"]))
        stream = await start(body.question, where, turns, key)
        stream.on_answer = lambda a: history.add_message(conversation_id, body.question, a.id)
        return await respond(request, stream, body.stream, {"conversation_id": conversation_id})

    @api.get("/v1/conversations/{conversation_id}", tags=["conversations"])
    def read_conversation(conversation_id: str, key: Asker) -> dict:
        """A conversation's turns with their stored answers and citations."""
        convo = history.conversation(conversation_id, key.id)
        for turn in convo["turns"]:
            turn["answer"] = app.store.load_answer(turn.pop("answer_id"))
        return convo

    @api.get("/v1/answers/{answer_id}", tags=["answers"])
    def read_answer(answer_id: str, key: Asker) -> dict:
        """A stored answer given to this key."""
        _check_owner(answer_id, key)
        return app.store.load_answer(answer_id)

    def _check_owner(answer_id: str, key: Key) -> None:
        from rag.schema import answer_keys

        with app.store.engine.connect() as conn:
            owner = conn.scalar(
                answer_keys.select()
                .with_only_columns(answer_keys.c.key_id)
                .where(answer_keys.c.answer_id == answer_id)
            )
        if owner != key.id:
            raise NotFound(f"no answer {answer_id!r} for this key")

    @api.post("/v1/feedback", tags=["answers"])
    def feedback(body: m.FeedbackRequest, key: Asker) -> dict:
        """Thumbs up or down, with an optional comment, on an answer this key received."""
        _check_owner(body.answer_id, key)
        rating = 1 if body.rating == "up" else -1
        feedback_id = history.add_feedback(body.answer_id, rating, body.comment, "api", key.id)
        return {"id": feedback_id}

    # OpenAI-compatible

    @api.post("/v1/chat/completions", tags=["openai"])
    async def chat(body: m.ChatRequest, request: Request, key: Asker):
        """OpenAI chat completions: the last user message is the question, earlier turns the
        conversation. Citations are in the text and, structured, in the `footnote` field."""
        question, turns = chat_history(body.messages)
        where = filters(scope(key, body.collections))
        stream = await start(question, where, turns, key)
        if not body.stream:
            return chat_completion(await final_answer(request, stream), body.model)
        chunks = chat_chunks(stream, body.model, request)
        return StreamingResponse(chunks, media_type="text/event-stream")

    # collections and ingestion (admin)

    @api.get("/v1/collections", tags=["collections"])
    def list_collections(key: Asker) -> list[dict]:
        """The key's collections and how many documents each holds."""
        counts = history.collections()
        return [{"name": c, "documents": counts.get(c, 0)} for c in key.collections]

    api.include_router(admin_router(app, history, jobs, Admin))

    return api


class RateLimited(FootnoteError):
    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after + 0.999))


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def serve(app, host: str, port: int, log_level: str = "info") -> None:
    """Run the API with uvicorn (blocking)."""
    import uvicorn

    log_event("starting", host=host, port=port)
    uvicorn.run(create_api(app), host=host, port=port, log_level=log_level, access_log=False)
