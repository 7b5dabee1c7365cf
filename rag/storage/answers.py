"""Stored answers with their sentences and citations, and which API key each was given to."""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa

from rag.errors import NotFound
from rag.serialise import answer_dict, answer_from_dict
from rag.storage.schema import answer_keys, answers, citations
from rag.types import Answer

_DETAILS = ("standalone_question", "relevance", "fallback", "counts", "closest", "decisions")


class Answers:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def save(self, answer: Answer) -> str:
        """Store an answer with its sentences and citations; return its id."""
        answer_id = answer.id or uuid.uuid4().hex
        data = answer_dict(answer)
        with self.engine.begin() as conn:
            conn.execute(
                answers.insert().values(
                    id=answer_id,
                    question=answer.question,
                    status=answer.status,
                    text=data["answer"],
                    sentences=data["sentences"],
                    timings=data["timings"],
                    details={k: data[k] for k in _DETAILS},
                    created_at=time.time(),
                )
            )
            if data["sources"]:
                rows = [_citation_row(source) for source in data["sources"]]
                conn.execute(citations.insert(), [{"answer_id": answer_id, **r} for r in rows])
        return answer_id

    def load(self, answer_id: str) -> Answer:
        """A stored answer, as it was given; NotFound when there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(answers).where(answers.c.id == answer_id)).one_or_none()
            if row is None:
                raise NotFound(f"no answer {answer_id!r}")
            cites = conn.execute(
                sa.select(citations)
                .where(citations.c.answer_id == answer_id)
                .order_by(citations.c.number)
            ).all()
        sources = [{**c._mapping, "quote": c.passage[c.quote_start : c.quote_end]} for c in cites]
        data = {
            "id": row.id,
            "question": row.question,
            "status": row.status,
            "answer": row.text,
            "sentences": row.sentences,
            "sources": sources,
            "timings": row.timings,
            **(row.details or {}),
        }
        return answer_from_dict(data)

    def give_to(self, answer_id: str, key_id: str) -> None:
        """Record that the answer was given to this API key (its reads and feedback check it)."""
        with self.engine.begin() as conn:
            conn.execute(answer_keys.insert().values(answer_id=answer_id, key_id=key_id))

    def load_for(self, answer_id: str, key_id: str) -> Answer:
        """A stored answer given to this key; NotFound for any other."""
        self.check_owner(answer_id, key_id)
        return self.load(answer_id)

    def check_owner(self, answer_id: str, key_id: str) -> None:
        """NotFound unless the answer was given to this key."""
        query = sa.select(answer_keys.c.key_id).where(answer_keys.c.answer_id == answer_id)
        with self.engine.connect() as conn:
            owner = conn.scalar(query)
        if owner != key_id:
            raise NotFound(f"no answer {answer_id!r} for this key")


def _citation_row(source: dict) -> dict:
    """A source of the answer JSON as a citations row (absent url, date, page: "" and 0)."""
    row = {k: v for k, v in source.items() if k != "quote"}
    return {**row, "url": row["url"] or "", "date": row["date"] or "", "page": row["page"] or 0}
