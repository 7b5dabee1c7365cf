"""Routes: multi-turn conversations; a follow-up is rewritten from the earlier turns."""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from rag.serialise import answer_dict
from ui.api import models as m
from ui.api.answering import Answering
from ui.api.auth import Guard


def conversations_router(store, answering: Answering, guard: Guard) -> APIRouter:
    router = APIRouter(tags=["conversations"])
    Asker = guard.Asker  # noqa: N806 - a type for FastAPI's dependency injection

    @router.post("/v1/conversations")
    def new_conversation(body: m.ConversationRequest, key: Asker) -> dict:
        """Start a conversation over some of the key's collections."""
        collections = guard.scope(key, body.collections)
        return {"id": store.conversations.new(key.id, collections), "collections": collections}

    @router.post("/v1/conversations/{conversation_id}/messages")
    async def message(conversation_id: str, body: m.MessageRequest, request: Request, key: Asker):
        """Ask in a conversation: the question is rewritten from the earlier turns first."""

        def load() -> tuple[dict, list[tuple[str, str]]]:
            convo = store.conversations.get(conversation_id, key.id)
            answers = [store.answers.load(t["answer_id"]).text for t in convo["turns"]]
            return convo, [(t["question"], a) for t, a in zip(convo["turns"], answers, strict=True)]

        convo, turns = await run_in_threadpool(load)
        where = answering.filters(guard.scope(key, convo["collections"]))
        stream = await answering.start(body.question, where, turns, key)
        stream.on_answer = lambda a: store.conversations.add_message(
            conversation_id, body.question, a.id
        )
        extra = {"conversation_id": conversation_id}
        return await answering.respond(request, stream, body.stream, extra)

    @router.get("/v1/conversations/{conversation_id}")
    def read_conversation(conversation_id: str, key: Asker) -> dict:
        """A conversation's turns with their stored answers and citations."""
        convo = store.conversations.get(conversation_id, key.id)
        for turn in convo["turns"]:
            turn["answer"] = answer_dict(store.answers.load(turn.pop("answer_id")))
        return convo

    return router
