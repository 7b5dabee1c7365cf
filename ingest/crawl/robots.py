"""robots.txt: which paths the user agent may fetch, its crawl delay, and the sitemaps it names."""

from __future__ import annotations

import logging
from urllib.robotparser import RobotFileParser

import httpx

log = logging.getLogger(__name__)


class Robots:
    """Rules of one origin. RFC 9309: a missing robots.txt (4xx) allows everything; an
    unreachable one (5xx, network error) disallows everything until a later crawl."""

    def __init__(self, parser: RobotFileParser | None, user_agent: str, note: str = ""):
        self.parser, self.user_agent, self.note = parser, user_agent, note

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
        parser = RobotFileParser(url)
        if response.status_code >= 400:
            parser.allow_all = True
        else:
            parser.parse(response.text[:500_000].splitlines())
        return cls(parser, user_agent)

    @classmethod
    def allow_all(cls, user_agent: str) -> Robots:
        parser = RobotFileParser()
        parser.allow_all = True
        return cls(parser, user_agent)

    def allowed(self, url: str) -> bool:
        return self.parser is not None and self.parser.can_fetch(self._agent, url)

    @property
    def crawl_delay(self) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(self._agent)
        rate = self.parser.request_rate(self._agent)
        seconds = float(delay or 0)
        if rate and rate.requests:
            seconds = max(seconds, rate.seconds / rate.requests)
        return seconds

    @property
    def sitemaps(self) -> list[str]:
        return list((self.parser.site_maps() if self.parser else None) or [])

    @property
    def _agent(self) -> str:
        # "Footnote/0.1 (...)" is matched by "User-agent: Footnote"
        return self.user_agent.split("/", 1)[0]
