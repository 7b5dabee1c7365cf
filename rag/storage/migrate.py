"""Schema migrations (Alembic, in rag/migrations): every Store brings its database to the
latest revision on open, so an upgrade of Footnote never needs a manual step or loses data."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

HEAD = "0007"


def _config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    return config


def current(engine: sa.Engine) -> str | None:
    """The database's revision; None when it was never migrated."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Upgrade to `revision`. Databases made before migrations existed are stamped with the
    revision their tables match first, then upgraded."""
    from alembic import command

    version = current(engine)
    if version == HEAD and revision == "head":
        return
    with engine.begin() as conn:
        if version is None:
            tables = set(sa.inspect(conn).get_table_names())
            if "crawls" in tables:
                command.stamp(_config(conn), "0002")
            elif "documents" in tables:
                command.stamp(_config(conn), "0001")
        command.upgrade(_config(conn), revision)
