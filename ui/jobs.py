"""Background ingestion jobs (crawls and uploads) with live progress and cancellation, shared by
the web app and the API. Progress is kept in memory and written to the `jobs` table."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import FootnoteError
from rag.storage.jobs import JobRows

log = logging.getLogger(__name__)


@dataclass
class Job:
    id: str
    kind: str  # crawl | ingest
    collection: str
    target: str
    status: str = "running"  # running | done | failed | cancelled
    progress: dict = field(default_factory=dict)
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    saved_at: float = 0.0  # monotonic time of the last progress write

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "collection": self.collection,
            "target": self.target,
            "status": self.status,
            "progress": self.progress,
            "error": self.error,
        }


class Jobs:
    """Runs one ingestion job at a time per process (they share the index); others queue."""

    def __init__(
        self,
        rows: JobRows,
        uploads: Path,
        new_ingestor: Callable[[], object],
        new_crawler: Callable[..., object],
    ):
        """`new_ingestor()` makes an ingest.Ingestor; `new_crawler(collection, overrides,
        progress=, cancel=)` an ingest.crawl.Crawler (both from the composition root)."""
        self.rows, self.uploads = rows, uploads
        self.new_ingestor, self.new_crawler = new_ingestor, new_crawler
        self._jobs: dict[str, Job] = {}
        self._run_lock = threading.Lock()

    def crawl(self, collection: str, url: str, **overrides) -> Job:
        """Crawl `url` into `collection`; `overrides` (prefix, max_pages, ...) of the crawl's
        options, None keeping the setting."""
        job = self._new("crawl", collection, url)

        def work() -> None:
            def progress(report) -> None:
                self._progress(job, _crawl_progress(report.as_dict()))

            crawler = self.new_crawler(collection, overrides, progress=progress, cancel=job.cancel)
            report = crawler.crawl(url).as_dict()
            self._progress(job, {**_crawl_progress(report), "report": report}, force=True)

        return self._start(job, work)

    def ingest(self, collection: str, sources: list[str | Path]) -> Job:
        """Ingest files or URLs (a re-fetch is an ingest of the URL again)."""
        names = [str(s).rstrip("/").rsplit("/", 1)[-1] for s in sources]
        job = self._new("ingest", collection, ", ".join(names)[:500])

        def work() -> None:
            done = {"found": len(sources), "processed": 0}

            def progress(n: int) -> None:
                done["processed"] += n
                if job.cancel.is_set():
                    raise KeyboardInterrupt
                self._progress(job, dict(done))

            report = self.new_ingestor().ingest(
                [str(s) for s in sources], collection=collection, progress=progress
            )
            failed = [{"source": s, "reason": r} for s, r in report.failed]
            summary = {
                **done,
                "new": len(report.added),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
                "moved": len(report.moved),
                "failed": len(report.failed),
                "failures": failed,
            }
            self._progress(job, summary, force=True)
            if not report.ok:
                raise FootnoteError("; ".join(r for _, r in report.failed))

        return self._start(job, work)

    def upload_path(self, collection: str, filename: str) -> Path:
        """Where an uploaded file is kept: home/uploads/<collection>/<name>, never elsewhere."""
        folder = self.uploads / collection
        folder.mkdir(parents=True, exist_ok=True)
        return folder / (Path(filename or "upload").name.lstrip(".") or "upload")

    def get(self, job_id: str) -> Job | None:
        row = self.rows.get(job_id)
        return None if row is None else self._job(row)

    def list(self, limit: int = 20) -> list[Job]:
        """The latest jobs, newest first (this process's running ones with live progress)."""
        return [self._job(row) for row in self.rows.latest(limit)]

    def _job(self, r: dict) -> Job:
        return self._jobs.get(r["id"]) or Job(
            r["id"], r["kind"], r["collection"], r["target"], r["status"], r["progress"], r["error"]
        )

    def cancel(self, job_id: str) -> bool:
        job = self._jobs.get(job_id)
        if job is None or job.status != "running":
            return False
        job.cancel.set()
        return True

    def _new(self, kind: str, collection: str, target: str) -> Job:
        job = Job(uuid.uuid4().hex, kind, collection, target)
        self._jobs[job.id] = job
        self.rows.add(job.id, kind, collection, target)
        return job

    def _start(self, job: Job, work) -> Job:
        def run() -> None:
            with self._run_lock:
                try:
                    work()
                    job.status = "cancelled" if job.cancel.is_set() else "done"
                except KeyboardInterrupt:
                    job.status = "cancelled"
                except Exception as exc:  # a job must report, never kill the server  # noqa: BLE001
                    log.exception("job %s failed", job.id)
                    job.status, job.error = "failed", str(exc)
                self._save(job, finished=True)

        threading.Thread(target=run, name=f"job-{job.id[:8]}", daemon=True).start()
        return job

    def _progress(self, job: Job, progress: dict, force: bool = False) -> None:
        job.progress = progress
        now = time.monotonic()
        if force or now - job.saved_at > 1.0:
            job.saved_at = now
            self._save(job)

    def _save(self, job: Job, finished: bool = False) -> None:
        self.rows.update(job.id, job.status, job.progress, job.error, finished)


def _crawl_progress(report: dict) -> dict:
    keys = ("discovered", "fetched", "new", "updated", "unchanged", "removed", "skipped", "failed")
    return {k: report[k] for k in keys}
