"""robots.txt: which paths the user agent may fetch, its crawl delay, and the sitemaps it names.

Parsed by Protego (Scrapy's parser), which follows RFC 9309: the longest matching rule wins and
Allow wins a tie, `*` and `$` are wildcards, percent-encodings compare equal; the standard
library's `urllib.robotparser` applied the first match and ignored wildcards (see
tests/test_robots.py for the cases it got wrong).
"""

from __future__ import annotations

import logging

import httpx
from protego import Protego

log = logging.getLogger(__name__)
MAX_BYTES = 500 * 1024  # RFC 9309 2.5: crawlers must parse at least 500 KiB


class Robots:
    """Rules of one origin. RFC 9309 2.3.1: a missing robots.txt (4xx) allows everything; an
    unreachable one (5xx, network error) disallows everything until a later crawl."""

    def __init__(self, rules: Protego | None, user_agent: str, note: str = ""):
        self.rules, self.user_agent, self.note = rules, user_agent, note

    @classmethod
    def fetch(cls, client: httpx.Client, origin: str, user_agent: str) -> Robots:
        url = f"{origin}/robots.txt"
        try:
            response = client.get(url, follow_redirects=True)
        except (httpx.HTTPError, OSError) as exc:
            log.warning("robots.txt of %s unreachable: %s", origin, exc)
            return cls(None, user_agent, f"robots.txt unreachable ({type(exc).__name__})")
        if response.status_code >= 500:
            return cls(None, user_agent, f"robots.txt answered HTTP {response.status_code}")
        if response.status_code >= 400:
            return cls.allow_all(user_agent)
        return cls.parse(response.content[:MAX_BYTES].decode("utf-8", "replace"), user_agent)

    @classmethod
    def parse(cls, text: str, user_agent: str) -> Robots:
        """The rules of a robots.txt body."""
        return cls(Protego.parse(text), user_agent)

    @classmethod
    def allow_all(cls, user_agent: str) -> Robots:
        return cls.parse("", user_agent)

    def allowed(self, url: str) -> bool:
        if self.rules is None:
            return False
        if url.split("?", 1)[0].split("#", 1)[0].endswith("/robots.txt"):
            return True  # RFC 9309 2.2.2: /robots.txt is implicitly allowed
        return self.rules.can_fetch(url, self._agent)

    @property
    def crawl_delay(self) -> float:
        """Seconds between requests the site asks for (Crawl-delay, or Request-rate)."""
        if self.rules is None:
            return 0.0
        seconds = float(self.rules.crawl_delay(self._agent) or 0)
        rate = self.rules.request_rate(self._agent)
        if rate and rate.requests:
            seconds = max(seconds, rate.seconds / rate.requests)
        return seconds

    @property
    def sitemaps(self) -> list[str]:
        return list(self.rules.sitemaps) if self.rules is not None else []

    @property
    def _agent(self) -> str:
        # "Footnote/0.1 (...)" is matched by "User-agent: Footnote" (its product token)
        return self.user_agent.split("/", 1)[0]
