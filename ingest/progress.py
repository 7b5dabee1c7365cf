"""Progress of a long ingest or crawl that tells the truth: chunks embedded per second over the
whole run so far (model loading, reading and waiting included), and the time left at that rate
for the chunks expected from the sources not read yet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IngestProgress:
    """A snapshot of a running ingest (or crawl: sources are pages, the total grows)."""

    sources_done: int
    sources_total: int  # known so far; 0 when unknown
    chunks_found: int  # new chunks stored so far
    chunks_embedded: int  # of those, embedded (or found in the embedding cache)
    seconds: float  # since the run began
    embed_seconds: float = 0.0  # of which the model worked (on its own thread)

    @property
    def chunks_per_s(self) -> float:
        return self.chunks_embedded / self.seconds if self.seconds > 0 else 0.0

    @property
    def chunks_expected(self) -> int:
        """The chunks found so far, plus as many per source for the sources left.

        >>> IngestProgress(10, 40, 100, 50, 10.0).chunks_expected
        400
        """
        if not self.sources_done or self.sources_total <= self.sources_done:
            return self.chunks_found
        per_source = self.chunks_found / self.sources_done
        return round(self.chunks_found + per_source * (self.sources_total - self.sources_done))

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the rate so far; None before the first chunk is embedded.

        >>> IngestProgress(10, 40, 100, 50, 10.0).eta_seconds  # 350 chunks left at 5/s
        70.0
        """
        rate = self.chunks_per_s
        if rate <= 0:
            return None
        return max(self.chunks_expected - self.chunks_embedded, 0) / rate

    def line(self) -> str:
        """E.g. '50/~400 chunks embedded, 5.0 chunks/s, about 1 min 10 s left'."""
        expected = self.chunks_expected
        approx = "~" if expected > self.chunks_found else ""
        text = f"{self.chunks_embedded:,}/{approx}{expected:,} chunks embedded"
        if self.chunks_embedded:
            text += f", {self.chunks_per_s:.1f} chunks/s"
        eta = self.eta_seconds
        if eta is not None and self.chunks_embedded < expected:
            text += f", about {duration(eta)} left"
        return text


def duration(seconds: float) -> str:
    """
    >>> duration(42.4), duration(70), duration(3725)
    ('42 s', '1 min 10 s', '1 h 2 min')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def embedding_summary(chunks: int, seconds: float, embed_seconds: float) -> str:
    """The summary line of a run: throughput and the embedding's share of the time.

    >>> embedding_summary(1445, 120.0, 100.0)
    '1,445 chunks in 120.0 s (12.0 chunks/s); embedding 100.0 s, 83% of the time'
    """
    rate = chunks / seconds if seconds > 0 else 0.0
    share = embed_seconds / seconds if seconds > 0 else 0.0
    return (
        f"{chunks:,} chunks in {seconds:.1f} s ({rate:.1f} chunks/s); "
        f"embedding {embed_seconds:.1f} s, {share:.0%} of the time"
    )
