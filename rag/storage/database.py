"""Opening the database: an engine for any SQLAlchemy URL, migrated to the latest schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from rag.errors import ConfigError
from rag.storage import migrate


def open_engine(url: str) -> sa.Engine:
    """An engine for `url` (SQLite files get their folder and WAL mode), schema up to date."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        if url.startswith(("postgresql://", "postgres://")):  # psycopg 3, not psycopg2
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        engine = sa.create_engine(url, pool_pre_ping=True)
        if url.startswith("sqlite"):
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        migrate.upgrade(engine)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the database {url!r} needs the {exc.name} package: pip install 'footnote[postgres]'"
        ) from None
    except (SQLAlchemyError, ValueError) as exc:
        raise ConfigError(f"cannot open the database {url!r}: {exc}; fix database_url") from None
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL: readers do not block the writer, and a commit costs no full fsync."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # writers in other processes: wait, not fail
    cursor.close()


def insert_ignoring_duplicates(conn: sa.Connection, table: sa.Table):
    """An INSERT that skips rows whose key exists (another writer got there first)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return table.insert()
    return insert(table).on_conflict_do_nothing()


def batches(items: list, size: int) -> Iterator[list]:
    """`items` in lists of at most `size` (IN clauses stay under the database's limits)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
