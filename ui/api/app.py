"""The support-bot HTTP API (FastAPI + uvicorn), started by `footnote serve`.

Every request carries an API key scoped to collections and a role; retrieval is filtered to the
key's collections inside the search, so no endpoint can return, cite or list anything else.
The routes live in one router per concern (answers, conversations, openai, collections,
ingestion); this module wires them to the composition root's App.
"""

import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from rag.errors import FootnoteError, ModelError, NotFound
from rag.settings import recorded
from rag.storage.keys import AuthError
from ui.api.answering import Answering
from ui.api.answers import answers_router
from ui.api.auth import Forbidden, Guard, RateLimited
from ui.api.collections import collections_router
from ui.api.conversations import conversations_router
from ui.api.ingestion import ingestion_router
from ui.api.local import announce, fingerprint, local_url, withdraw
from ui.api.middleware import BodyLimit, RequestLog, log_event
from ui.api.openai import openai_router
from ui.api.queue import AnswerQueue, Busy

# a model that fails (a server down, a refused key) is the service's problem, not the caller's
STATUS = {AuthError: 401, Forbidden: 403, NotFound: 404, RateLimited: 429, ModelError: 503}


def create_api(app, *, warm: bool = True, local_token: str = "", on_stop=None) -> FastAPI:
    """The FastAPI application over a ui.compose.App; `local_token` opens every collection to
    the command line of this machine (ui.api.local); `on_stop()` runs at shutdown."""
    o = app.api_options
    queue = AnswerQueue(o.queue, o.queue_timeout, o.concurrency)
    guard = Guard(app.store.keys, o.max_collections, local_token)
    answering = Answering(app.pipeline, app.store.answers, queue, app.generator_name)
    ready = threading.Event()
    api = FastAPI(
        title="Footnote",
        version="0.1",
        description="Answers from your documents; every sentence checked against its source.",
        lifespan=_lifespan(app, ready, warm, on_stop),
    )
    api.add_middleware(RequestLog)
    api.add_middleware(BodyLimit, json_limit=256_000, upload_limit=o.max_upload_bytes * 2)
    api.state.queue, api.state.jobs = queue, app.jobs
    api.add_exception_handler(FootnoteError, _footnote_error)
    _health(api, ready, queue)
    api.include_router(answers_router(app.store, answering, guard))
    api.include_router(conversations_router(app.store, answering, guard))
    api.include_router(openai_router(answering, guard))
    api.include_router(collections_router(app.store, app.ingestor, guard))
    api.include_router(ingestion_router(app.jobs, o.max_upload_bytes, guard))
    return api


def _lifespan(app, ready: threading.Event, warm: bool, on_stop):
    """Load the models and the index in the background at start-up (/readyz says when)."""

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
        if on_stop:
            on_stop()

    return lifespan


async def _footnote_error(_request: Request, exc: FootnoteError) -> JSONResponse:
    """A FootnoteError as a JSON error with its status (400 unless known) and Retry-After."""
    headers = None
    if isinstance(exc, Busy):
        status, headers = 503, {"Retry-After": str(int(exc.retry_after + 0.999))}
    else:
        status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 400)
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
    body = {"error": {"type": type(exc).__name__, "message": str(exc)}}
    return JSONResponse(body, status_code=status, headers=headers)


def _health(api: FastAPI, ready: threading.Event, queue: AnswerQueue) -> None:
    @api.get("/healthz", tags=["health"])
    def healthz() -> dict:
        """The process is up."""
        return {"status": "ok"}

    @api.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        """The models and the index are loaded (503 while they load)."""
        status = {"status": "ready" if ready.is_set() else "loading", "waiting": queue.waiting}
        return JSONResponse(status, status_code=200 if ready.is_set() else 503)


def serve(app, host: str, port: int, log_level: str = "info") -> None:
    """Run the API with uvicorn (blocking), announced in the home for `footnote ask`."""
    import uvicorn

    token = secrets.token_urlsafe(32)
    digest = fingerprint(recorded(app.settings))  # as `footnote ask` computes it
    path = announce(app.settings.home_path, local_url(host, port), token, digest)
    # withdrawn at shutdown (uvicorn re-raises SIGTERM after it, ending the process) and on
    # a failed start
    api = create_api(app, local_token=token, on_stop=lambda: withdraw(path, token))
    log_event("starting", host=host, port=port)
    try:
        uvicorn.run(api, host=host, port=port, log_level=log_level, access_log=False)
    finally:
        withdraw(path, token)
