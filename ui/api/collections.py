"""Routes: the key's collections; creating one, listing and deleting its documents (admin)."""

from fastapi import APIRouter

from rag.errors import NotFound
from rag.storage.keys import Key
from ui.api import models as m
from ui.api.auth import Guard


def own_collection(key: Key, name: str | None) -> str:
    """`name` if the key may use that collection; NotFound otherwise (no hint it exists)."""
    if name is None or not key.may_use(name):
        raise NotFound("no such collection for this key")
    return name


def collections_router(store, new_ingestor, guard: Guard) -> APIRouter:
    """`new_ingestor()` makes an ingest.Ingestor (for deletions: store and index together)."""
    router = APIRouter(tags=["collections"])
    Asker, Admin = guard.Asker, guard.Admin  # noqa: N806 - types for dependency injection

    @router.get("/v1/collections")
    def list_collections(key: Asker) -> list[dict]:
        """The key's collections and how many documents each holds."""
        counts = store.collections.counts()
        names = sorted(counts) if key.everything else key.collections
        return [{"name": c, "documents": counts.get(c, 0)} for c in names]

    @router.post("/v1/collections", status_code=201)
    def create_collection(body: m.CollectionRequest, key: Admin) -> dict:
        """Create one of the key's collections (a key is scoped when it is created)."""
        own_collection(key, body.name)
        store.collections.create(body.name, body.description)
        return {"name": body.name}

    @router.get("/v1/collections/{name}/documents")
    def list_documents(name: str, key: Admin) -> list[dict]:
        """Documents of one of the key's collections."""
        return store.collections.documents(own_collection(key, name))

    @router.delete("/v1/documents/{document_id}")
    def delete_document(document_id: str, key: Admin) -> dict:
        """Delete a document (with its chunks) from one of the key's collections."""
        own_collection(key, store.collections.of_document(document_id))
        ingestor = new_ingestor()
        ingestor.remove([document_id])
        ingestor.flush()
        return {"deleted": document_id}

    return router
