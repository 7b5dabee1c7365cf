"""Chunks keep the spans of their heading lines (`Chunk.titles`), found at ingest: answering no
longer guesses a heading from a line starting with "#" (in an HTML page that is a root prompt,
"# mdadm --create ..."). Chunks stored before: the "#" lines of Markdown and PDF documents,
where ingest itself marks headings that way.

Revision ID: 0007
Revises: 0006
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_MARKED = (".md", ".markdown", ".pdf")  # where "#" lines are headings Footnote wrote
_HEADING_LINE = re.compile(r"^[ \t]*#{1,6}[ \t].*$", re.M)


def upgrade() -> None:
    with op.batch_alter_table("chunks") as batch:
        batch.add_column(sa.Column("titles", sa.JSON(), nullable=True))
    chunks = sa.table(
        "chunks",
        sa.column("id", sa.String),
        sa.column("document_id", sa.String),
        sa.column("text", sa.Text),
        sa.column("titles", sa.JSON),
    )
    documents = sa.table("documents", sa.column("id", sa.String), sa.column("source", sa.Text))
    conn = op.get_bind()
    marked = [
        doc_id
        for doc_id, source in conn.execute(sa.select(documents.c.id, documents.c.source))
        if source.split("?", 1)[0].lower().endswith(_MARKED)
    ]
    for start in range(0, len(marked), 500):
        query = sa.select(chunks.c.id, chunks.c.text).where(
            chunks.c.document_id.in_(marked[start : start + 500])
        )
        for chunk_id, text in conn.execute(query).all():
            spans = [[m.start(), m.end()] for m in _HEADING_LINE.finditer(text)]
            if spans:
                conn.execute(chunks.update().where(chunks.c.id == chunk_id).values(titles=spans))


def downgrade() -> None:
    with op.batch_alter_table("chunks") as batch:
        batch.drop_column("titles")
