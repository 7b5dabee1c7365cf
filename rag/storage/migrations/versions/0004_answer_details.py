"""Answers keep how they were reached (standalone question, relevance, fallback, counts, closest
passages) and their sources' URL and date, so a stored answer reads back in the same shape as a
fresh one; stored sentences' quote spans become objects.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
    with op.batch_alter_table("citations") as batch:
        batch.add_column(sa.Column("url", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("date", sa.String(length=40), nullable=False, server_default=""))
    answers = sa.table("answers", sa.column("id"), sa.column("sentences", sa.JSON()))
    conn = op.get_bind()
    for row in conn.execute(sa.select(answers.c.id, answers.c.sentences)).all():
        sentences = [_sentence(s) for s in row.sentences or []]
        conn.execute(answers.update().where(answers.c.id == row.id).values(sentences=sentences))


def _sentence(s: dict) -> dict:
    """[number, chunk_id, start, end] quote lists -> {number, chunk_id, start, end, text}."""
    fields = ("number", "chunk_id", "start", "end")
    quotes = [
        q if isinstance(q, dict) else dict(zip(fields, q, strict=True)) for q in s.get("quotes", [])
    ]
    return {
        "text": s["text"],
        "citations": s.get("citations", []),
        "support": s.get("support", 0.0),
        "supported": s.get("supported", True),
        "quoted": s.get("quoted", False),
        "replaces": s.get("replaces", ""),
        "quotes": [{**q, "text": q.get("text", "")} for q in quotes],
    }


def downgrade() -> None:
    with op.batch_alter_table("citations") as batch:
        batch.drop_column("date")
        batch.drop_column("url")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("details")
