"""What the app and the API keep besides documents: conversations (questions and the ids of their
stored answers), feedback on answers, and collections."""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa

from rag.errors import FootnoteError, NotFound
from rag.storage.schema import collections, conversations, documents, feedback, messages


class Conversations:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def new(self, key_id: str, scope: list[str]) -> str:
        conversation_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(
                conversations.insert().values(
                    id=conversation_id, key_id=key_id, collections=scope, created_at=time.time()
                )
            )
        return conversation_id

    def get(self, conversation_id: str, key_id: str) -> dict:
        """The conversation's collections and turns; NotFound unless it belongs to key_id."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(conversations).where(conversations.c.id == conversation_id)
            ).one_or_none()
            if row is None or row.key_id != key_id:
                raise NotFound(f"no conversation {conversation_id!r}")
            turns = conn.execute(
                sa.select(messages)
                .where(messages.c.conversation_id == conversation_id)
                .order_by(messages.c.position)
            ).all()
        return {
            "id": row.id,
            "collections": list(row.collections),
            "created_at": row.created_at,
            "turns": [{"question": t.question, "answer_id": t.answer_id} for t in turns],
        }

    def add_message(self, conversation_id: str, question: str, answer_id: str) -> None:
        """Append a turn; the position is taken inside the transaction (no lost messages)."""
        with self.engine.begin() as conn:
            position = conn.scalar(
                sa.select(sa.func.coalesce(sa.func.max(messages.c.position), -1) + 1).where(
                    messages.c.conversation_id == conversation_id
                )
            )
            conn.execute(
                messages.insert().values(
                    conversation_id=conversation_id,
                    position=position,
                    question=question,
                    answer_id=answer_id,
                    created_at=time.time(),
                )
            )


class Feedback:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def add(
        self, answer_id: str, rating: int, comment: str = "", source: str = "app", key_id: str = ""
    ) -> str:
        if rating not in (1, -1):
            raise FootnoteError(f"rating must be 1 (up) or -1 (down), not {rating!r}")
        feedback_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(
                feedback.insert().values(
                    id=feedback_id,
                    answer_id=answer_id,
                    rating=rating,
                    comment=comment[:5000],
                    source=source,
                    key_id=key_id,
                    created_at=time.time(),
                )
            )
        return feedback_id

    def for_answers(self, answer_ids: list[str]) -> dict[str, list[dict]]:
        query = sa.select(feedback).where(feedback.c.answer_id.in_(answer_ids))
        out: dict[str, list[dict]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(feedback.c.created_at)):
                out.setdefault(row.answer_id, []).append(
                    {"rating": row.rating, "comment": row.comment, "source": row.source}
                )
        return out

    def summary(self) -> dict:
        """Counts of up and down ratings, and the latest comments (for reports)."""
        with self.engine.connect() as conn:
            counts = dict(
                conn.execute(
                    sa.select(feedback.c.rating, sa.func.count()).group_by(feedback.c.rating)
                ).all()
            )
            latest = conn.execute(
                sa.select(feedback.c.answer_id, feedback.c.rating, feedback.c.comment)
                .where(feedback.c.comment != "")
                .order_by(feedback.c.created_at.desc())
                .limit(20)
            ).all()
        return {
            "up": counts.get(1, 0),
            "down": counts.get(-1, 0),
            "comments": [dict(r._mapping) for r in latest],
        }


class Collections:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def create(self, name: str, description: str = "") -> None:
        if not name or len(name) > 200 or not name.replace("-", "").replace("_", "").isalnum():
            raise FootnoteError(
                f"collection name {name!r} must be 1-200 letters, digits, '-' or '_'"
            )
        with self.engine.begin() as conn:
            exists = conn.scalar(sa.select(collections.c.name).where(collections.c.name == name))
            if not exists:
                conn.execute(
                    collections.insert().values(
                        name=name, description=description, created_at=time.time()
                    )
                )

    def counts(self) -> dict[str, int]:
        """Every collection (created or holding documents) -> number of documents."""
        with self.engine.connect() as conn:
            counts = dict(
                conn.execute(
                    sa.select(documents.c.collection, sa.func.count()).group_by(
                        documents.c.collection
                    )
                ).all()
            )
            for name in conn.scalars(sa.select(collections.c.name)):
                counts.setdefault(name, 0)
        return dict(sorted(counts.items()))

    def documents(self, collection: str, limit: int = 1000) -> list[dict]:
        """Documents of a collection: id, title, source, url, size, last update."""
        query = (
            sa.select(
                documents.c.id,
                documents.c.title,
                documents.c.source,
                documents.c.url,
                documents.c.date,
                sa.func.length(documents.c.text).label("characters"),
                documents.c.updated_at,
            )
            .where(documents.c.collection == collection)
            .order_by(documents.c.source)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def of_document(self, document_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.scalar(
                sa.select(documents.c.collection).where(documents.c.id == document_id)
            )
