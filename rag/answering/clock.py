"""The timings of one answer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Clock:
    """The timings of one answer, in seconds: measured spans and moments since the start."""

    def __init__(self):
        self.start = time.perf_counter()
        self.timings: dict[str, float] = {}

    def mark(self, name: str) -> float:
        """Record the seconds since the start under `name` (once); return now."""
        now = time.perf_counter()
        self.timings.setdefault(name, now - self.start)
        return now

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - began

    def total(self) -> dict[str, float]:
        """The timings with the seconds since the start as total_s."""
        return {**self.timings, "total_s": time.perf_counter() - self.start}
