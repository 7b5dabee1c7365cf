"""Route: OpenAI-compatible chat completions. Citations stay in the text as numbered references
and, structured, in an extra `footnote` field."""

import json
import time
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from rag.errors import QuestionError
from rag.serialise import answer_dict
from rag.types import NOT_IN_SOURCES, Answer, Sentence
from ui.api import models as m
from ui.api.answering import Answering
from ui.api.auth import Guard
from ui.api.streams import drive, final_answer

SOURCES_HEADING = "\n\nSources:\n"


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: keep the text ones
        return " ".join(p.get("text", "") for p in content if p.get("type") == "text")
    return ""


def chat_history(messages) -> tuple[str, list[tuple[str, str]]]:
    """(last user question, earlier (question, answer) turns) from OpenAI-style messages."""
    turns: list[tuple[str, str]] = []
    pending: str | None = None
    for message in messages[:-1]:
        if message.role == "user":
            pending = _text(message.content)
        elif message.role == "assistant" and pending is not None:
            answer = _text(message.content).split(SOURCES_HEADING, 1)[0]
            turns.append((pending, answer))
            pending = None
    last = messages[-1]
    if last.role != "user":
        raise QuestionError("the last message must be the user's question (role 'user')")
    return _text(last.content), turns


def sources_block(answer: Answer) -> str:
    if answer.status == NOT_IN_SOURCES or not answer.citations:
        return ""
    lines = [f"[{c.number}] {c.title or c.source} ({c.url or c.source})" for c in answer.citations]
    return SOURCES_HEADING + "\n".join(lines)


def chat_completion(answer: Answer, model: str) -> dict:
    return {
        "id": f"chatcmpl-{answer.id or uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text + sources_block(answer)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": answer.tokens},
        "footnote": answer_dict(answer),
    }


def _chunk(chunk_id: str, model: str, delta: dict, finish: str | None = None, **extra) -> str:
    body = {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body)}\n\n"


async def chat_chunks(stream, model: str, request) -> AsyncIterator[str]:
    """Server-sent chat.completion.chunk events, one per verified sentence, then [DONE]."""
    chunk_id = f"chatcmpl-{uuid.uuid4().hex}"
    yield _chunk(chunk_id, model, {"role": "assistant", "content": ""})
    async for item in drive(request, stream):  # stops the model if the client leaves
        if isinstance(item, Sentence) and item.supported:
            marks = "".join(f" [{n}]" for n in item.citations)
            yield _chunk(chunk_id, model, {"content": item.text + marks + " "})
        elif isinstance(item, Answer):
            request.state.answer = item
            tail = item.text if item.status == NOT_IN_SOURCES else sources_block(item)
            yield _chunk(chunk_id, model, {"content": tail}, None)
            yield _chunk(chunk_id, model, {}, "stop", footnote=answer_dict(item))
    yield "data: [DONE]\n\n"


def openai_router(answering: Answering, guard: Guard) -> APIRouter:
    router = APIRouter(tags=["openai"])
    Asker = guard.Asker  # noqa: N806 - a type for FastAPI's dependency injection

    @router.post("/v1/chat/completions")
    async def chat(body: m.ChatRequest, request: Request, key: Asker):
        """OpenAI chat completions: the last user message is the question, earlier turns the
        conversation. Citations are in the text and, structured, in the `footnote` field."""
        question, turns = chat_history(body.messages)
        where = answering.filters(guard.scope(key, body.collections))
        stream = await answering.start(question, where, turns, key)
        if not body.stream:
            return chat_completion(await final_answer(request, stream), body.model)
        chunks = chat_chunks(stream, body.model, request)
        return StreamingResponse(chunks, media_type="text/event-stream")

    return router
