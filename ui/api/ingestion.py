"""Routes: crawls and uploads into a collection, run as background jobs, and the jobs themselves.
Every one needs an admin key and acts only inside the key's collections."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from ingest.crawl.urls import normalize
from rag.errors import FootnoteError, NotFound
from rag.storage.keys import Key
from ui.api import models as m
from ui.api.auth import Guard
from ui.api.collections import own_collection
from ui.jobs import Jobs


def ingestion_router(jobs: Jobs, max_upload_bytes: int, guard: Guard) -> APIRouter:
    router = APIRouter(tags=["ingestion"])
    Admin = guard.Admin  # noqa: N806 - a type for FastAPI's dependency injection

    @router.post("/v1/collections/{name}/crawl", status_code=202)
    def crawl(name: str, body: m.CrawlRequest, key: Admin) -> dict:
        """Crawl a site into the collection, in the background; poll the job."""
        own_collection(key, name)
        if normalize(body.url) is None:
            raise FootnoteError(f"{body.url!r} is not an http(s) URL")
        options = {"prefix": body.prefix, "max_pages": body.max_pages, "max_depth": body.max_depth}
        # a page already stored in a collection outside the key's scope stays where it is
        options["move_from"] = None if key.everything else tuple(key.collections)
        return jobs.crawl(name, body.url, **options).as_dict()

    @router.post("/v1/collections/{name}/uploads", status_code=202)
    async def upload(name: str, files: Annotated[list[UploadFile], File()], key: Admin) -> dict:
        """Upload files (HTML, Markdown, text, PDF, Word, PowerPoint) into the collection;
        ingested in the background."""
        own_collection(key, name)
        saved = [await _save_upload(jobs, max_upload_bytes, name, f) for f in files]
        return jobs.ingest(name, saved).as_dict()

    def owned_job(job_id: str, key: Key):
        found = jobs.get(job_id)
        if found is None or not key.may_use(found.collection):
            raise NotFound(f"no job {job_id!r} for this key")
        return found

    @router.get("/v1/jobs/{job_id}")
    def job(job_id: str, key: Admin) -> dict:
        """A background job's status and live progress."""
        return owned_job(job_id, key).as_dict()

    @router.delete("/v1/jobs/{job_id}")
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
