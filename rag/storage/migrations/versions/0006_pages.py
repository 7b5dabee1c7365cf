"""Paged documents (PDF, slides): chunks keep where their pages begin, citations their page.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chunks") as batch:
        batch.add_column(sa.Column("pages", sa.JSON(), nullable=True))
    with op.batch_alter_table("citations") as batch:
        batch.add_column(sa.Column("page", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("citations") as batch:
        batch.drop_column("page")
    with op.batch_alter_table("chunks") as batch:
        batch.drop_column("pages")
