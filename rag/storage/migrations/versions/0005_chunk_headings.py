"""Chunks remember the section headings they sit under; PostgreSQL's full-text index covers the
heading too.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FULLTEXT = "to_tsvector('english', heading || ' ' || text)"


def upgrade() -> None:
    with op.batch_alter_table("chunks") as batch:
        batch.add_column(sa.Column("heading", sa.Text(), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS chunks_fulltext")
        op.execute(f"CREATE INDEX chunks_fulltext ON chunks USING gin ({FULLTEXT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS chunks_fulltext")
        op.execute(
            "CREATE INDEX chunks_fulltext ON chunks USING gin (to_tsvector('english', text))"
        )
    with op.batch_alter_table("chunks") as batch:
        batch.drop_column("heading")
