"""Admin endpoints of the HTTP API: collections, documents, crawls, uploads and their jobs.
Every one needs an admin key and acts only inside the key's collections."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from rag.errors import FootnoteError
from rag.history import History, NotFound
from ui import apimodels as m
from ui.jobs import Jobs
from ui.keys import Key


def own_collection(key: Key, name: str | None) -> str:
    if name is None or name not in key.collections:
        raise NotFound("no such collection for this key")
    return name


def admin_router(app, history: History, jobs: Jobs, Admin) -> APIRouter:  # noqa: N803
    """The routes; `Admin` is the annotated dependency that yields an admin Key."""
    router = APIRouter()

    @router.post("/v1/collections", tags=["collections"], status_code=201)
    def create_collection(body: m.CollectionRequest, key: Admin) -> dict:
        """Create one of the key's collections (a key is scoped when it is created)."""
        own_collection(key, body.name)
        history.create_collection(body.name, body.description)
        return {"name": body.name}

    @router.get("/v1/collections/{name}/documents", tags=["collections"])
    def list_documents(name: str, key: Admin) -> list[dict]:
        """Documents of one of the key's collections."""
        return history.documents(own_collection(key, name))

    @router.delete("/v1/documents/{document_id}", tags=["collections"])
    def delete_document(document_id: str, key: Admin) -> dict:
        """Delete a document (with its chunks) from one of the key's collections."""
        from ingest.pipeline import make_ingestor

        own_collection(key, history.document_collection(document_id))
        ingestor = make_ingestor(app)
        ingestor.remove([document_id])
        ingestor.flush()
        return {"deleted": document_id}

    @router.post("/v1/collections/{name}/crawl", tags=["ingestion"], status_code=202)
    def crawl(name: str, body: m.CrawlRequest, key: Admin) -> dict:
        """Crawl a site into the collection, in the background; poll the job."""
        from ingest.safety import UnsafeURLError  # noqa: F401 - refusals surface in the job
        from ingest.urls import normalize

        own_collection(key, name)
        if normalize(body.url) is None:
            raise FootnoteError(f"{body.url!r} is not an http(s) URL")
        options = {"prefix": body.prefix, "max_pages": body.max_pages, "max_depth": body.max_depth}
        return jobs.crawl(name, body.url, **options).as_dict()

    @router.post("/v1/collections/{name}/uploads", tags=["ingestion"], status_code=202)
    async def upload(name: str, files: Annotated[list[UploadFile], File()], key: Admin) -> dict:
        """Upload files (HTML, Markdown, text) into the collection; ingested in the background."""
        own_collection(key, name)
        saved = [await _save_upload(jobs, app.settings.max_file_bytes, name, f) for f in files]
        return jobs.ingest(name, saved).as_dict()

    def owned_job(job_id: str, key: Key):
        found = jobs.get(job_id)
        if found is None or found.collection not in key.collections:
            raise NotFound(f"no job {job_id!r} for this key")
        return found

    @router.get("/v1/jobs/{job_id}", tags=["ingestion"])
    def job(job_id: str, key: Admin) -> dict:
        """A background job's status and live progress."""
        return owned_job(job_id, key).as_dict()

    @router.delete("/v1/jobs/{job_id}", tags=["ingestion"])
    def cancel_job(job_id: str, key: Admin) -> dict:
        """Cancel a running job (what it stored so far is kept)."""
        return {"cancelled": jobs.cancel(owned_job(job_id, key).id)}

    return router


async def _save_upload(jobs: Jobs, limit: int, collection: str, upload: UploadFile) -> Path:
    """Stream an upload to its place, refusing it once it passes `limit` bytes."""
    target = jobs.upload_path(collection, upload.filename or "")
    name = target.name
    size = 0
    with target.open("wb") as out:
        while block := await upload.read(1 << 20):
            size += len(block)
            if size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise FootnoteError(
                    f"{name} is over the size limit of {limit:,} bytes; raise max_file_bytes"
                )
            out.write(block)
    return target
