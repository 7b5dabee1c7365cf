"""The crawl frontier: URLs waiting to be fetched (breadth first, with their link depth), every URL
already queued or visited, and the reason a discovered URL is not fetched."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from ingest.crawl.urls import Scope, is_page_link


class Frontier:
    def __init__(
        self,
        scope: Scope,
        max_depth: int,
        allowed: Callable[[str], bool],  # robots.txt
        visited: Iterable[str] = (),
    ):
        self.scope, self.max_depth, self.allowed = scope, max_depth, allowed
        self.visited: set[str] = set(visited)
        self.queued: set[str] = set(self.visited)
        self.waiting: deque[tuple[str, int]] = deque()

    def add(self, url: str, depth: int) -> str | None:
        """Queue a discovered URL. None when it is out of scope or already known, "" when it
        was queued, else the reason it will not be fetched."""
        if url in self.queued or not self.scope.contains(url):
            return None
        self.queued.add(url)
        if not is_page_link(url):
            return "not a page (file type)"
        if depth > self.max_depth:
            return "deeper than max_depth"
        if not self.allowed(url):
            return "disallowed by robots.txt"
        self.waiting.append((url, depth))
        return ""

    def pop(self) -> tuple[str, int] | None:
        """The next URL to fetch (now counted as visited), or None when none is left."""
        while self.waiting:
            url, depth = self.waiting.popleft()
            if url not in self.visited:
                self.visited.add(url)
                return url, depth
        return None

    def put_back(self, url: str, depth: int) -> None:
        """A fetch that did not finish: fetch it first next time."""
        self.visited.discard(url)
        self.waiting.appendleft((url, depth))

    def visit(self, url: str) -> None:
        """Count a URL as visited without fetching it (a redirect target, a canonical URL)."""
        self.visited.add(url)
        self.queued.add(url)

    def known(self, url: str) -> bool:
        return url in self.visited or url in self.queued

    def __len__(self) -> int:
        return len(self.waiting)
