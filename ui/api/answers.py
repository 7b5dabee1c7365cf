"""Routes: ask a question, read an answer given to this key, and give feedback on it."""

from fastapi import APIRouter, Request

from rag.serialise import AnswerJSON, answer_dict
from ui.api import models as m
from ui.api.answering import Answering
from ui.api.auth import Guard


def answers_router(store, answering: Answering, guard: Guard) -> APIRouter:
    router = APIRouter(tags=["answers"])
    Asker = guard.Asker  # noqa: N806 - a type for FastAPI's dependency injection

    @router.post("/v1/ask", response_model=AnswerJSON)
    async def ask(body: m.AskRequest, request: Request, key: Asker):
        """Answer a question from the key's collections (or some of them)."""
        where = answering.filters(guard.scope(key, body.collections), body.options)
        stream = await answering.start(body.question, where, None, key)
        return await answering.respond(request, stream, body.stream, {})

    @router.get("/v1/answers/{answer_id}", response_model=AnswerJSON)
    def read_answer(answer_id: str, key: Asker):
        """A stored answer given to this key."""
        return answer_dict(store.answers.load_for(answer_id, key.id))

    @router.post("/v1/feedback")
    def feedback(body: m.FeedbackRequest, key: Asker) -> dict:
        """Thumbs up or down, with an optional comment, on an answer this key received."""
        store.answers.check_owner(body.answer_id, key.id)
        rating = 1 if body.rating == "up" else -1
        feedback_id = store.feedback.add(body.answer_id, rating, body.comment, "api", key.id)
        return {"id": feedback_id}

    return router
