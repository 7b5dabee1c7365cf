"""What a crawl did: counts, reasons, timings; as text for people and JSON for scripts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ingest.progress import IngestProgress, embedding_summary


@dataclass
class CrawlReport:
    start_url: str
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0  # pages stored in another collection before, moved into this crawl's
    removed: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> pages
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    bytes: int = 0
    chunks_added: int = 0
    chunks_embedded: int = 0  # of chunks_added, embedded so far (live during a crawl)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    complete: bool = False
    stopped: str = ""  # why the crawl ended early, if it did
    resumed: bool = False
    skipped_pages: list[tuple[str, str]] = field(default_factory=list)
    removed_pages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        failed_reasons = Counter(_reason_kind(r) for _, r in self.failed)
        return {
            "start_url": self.start_url,
            "discovered": self.discovered,
            "fetched": self.fetched,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "moved": self.moved,
            "removed": self.removed,
            "skipped": sum(self.skipped.values()),
            "failed": len(self.failed),
            "skipped_reasons": dict(self.skipped.most_common()),
            "failed_reasons": dict(failed_reasons.most_common()),
            "failures": [{"url": u, "reason": r} for u, r in self.failed[:1000]],
            "skipped_pages": [{"url": u, "reason": r} for u, r in self.skipped_pages[:1000]],
            "removed_pages": self.removed_pages[:1000],
            "bytes": self.bytes,
            "chunks_added": self.chunks_added,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
            "complete": self.complete,
            "stopped": self.stopped,
            "resumed": self.resumed,
        }

    @classmethod
    def from_dict(cls, data: dict) -> CrawlReport:
        report = cls(data.get("start_url", ""))
        names = ("discovered", "fetched", "new", "updated", "unchanged", "moved", "removed")
        for name in (*names, "bytes"):
            setattr(report, name, int(data.get(name, 0)))
        report.chunks_added = int(data.get("chunks_added", 0))
        report.skipped = Counter(data.get("skipped_reasons", {}))
        report.failed = [(f["url"], f["reason"]) for f in data.get("failures", [])]
        report.skipped_pages = [(p["url"], p["reason"]) for p in data.get("skipped_pages", [])]
        report.removed_pages = list(data.get("removed_pages", []))
        report.seconds = float(data.get("seconds", 0.0))
        return report

    def summary(self) -> str:
        d = self.as_dict()
        lines = [
            f"discovered {d['discovered']}, fetched {d['fetched']}, new {d['new']}, "
            f"updated {d['updated']}, unchanged {d['unchanged']}, moved {d['moved']}, "
            f"removed {d['removed']}, "
            f"skipped {d['skipped']}, failed {d['failed']} "
            f"({self.bytes / 1e6:.1f} MB, {self.chunks_added} new chunks, {self.seconds:.1f} s)"
        ]
        if self.chunks_added:
            speed = embedding_summary(self.chunks_added, self.seconds, self.embed_seconds)
            lines.append(f"  {speed}")
        if self.skipped:
            lines.append(
                "  skipped: " + ", ".join(f"{r} {n}" for r, n in d["skipped_reasons"].items())
            )
        lines += [f"  failed: {url}: {reason}" for url, reason in self.failed[:20]]
        if len(self.failed) > 20:
            lines.append(f"  ... and {len(self.failed) - 20} more failures (see --json)")
        if self.stopped:
            lines.append(f"  STOPPED EARLY: {self.stopped}")
        return "\n".join(lines)

    def progress(self) -> IngestProgress:
        """The crawl so far as ingest progress: pages handled of those discovered."""
        handled = self.fetched + self.unchanged + sum(self.skipped.values()) + len(self.failed)
        return IngestProgress(
            handled,
            self.discovered,
            self.chunks_added,
            self.chunks_embedded,
            self.seconds,
            self.embed_seconds,
        )


def _reason_kind(reason: str) -> str:
    for kind in ("HTTP", "did not answer", "redirect loop", "size limit", "resolves to", "port"):
        if kind in reason:
            return kind
    return "other"
