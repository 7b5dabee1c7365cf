"""Storage: the database is the source of truth. Only this package touches the engine and the
schema; `Store` hands out the owner of each table."""

from rag.storage.store import ChunkChanges, Store

__all__ = ["ChunkChanges", "Store"]
