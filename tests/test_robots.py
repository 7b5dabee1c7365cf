"""robots.txt as RFC 9309 reads it, and its fetch outcomes against a server on 127.0.0.1.

The standard library's urllib.robotparser, which Protego replaced, got 11 of the 25 rule
cases below wrong (marked "was"): it applies the first matching rule, not the longest, and
takes `*` and `$` literally."""

from __future__ import annotations

import http.server
import threading

import pytest

from ingest.crawl.robots import Robots
from ingest.safety import NetworkPolicy, guarded_client

AGENT = "Footnote/0.1 (+https://github.com/footnote)"

# RFC 9309 section 5.2, "Longest Match" and the groups of section 5.1
RFC_EXAMPLE = """\
User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF
"""


def allowed(text: str, path: str, agent: str = AGENT) -> bool:
    return Robots.parse(text, agent).allowed("https://example.com" + path)


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        # the two cases of the issue (was: refused, allowed)
        ("User-agent: *\nDisallow: /\nAllow: /docs/\n", "/docs/page", True),
        ("User-agent: *\nDisallow: /*.pdf$\n", "/a/b.pdf", False),
        ("User-agent: *\nDisallow: /\nAllow: /docs/\n", "/other", False),
        ("User-agent: *\nDisallow: /*.pdf$\n", "/a/b.pdf?download=1", True),  # $ ends the path
        ("User-agent: *\nDisallow: /*.pdf$\n", "/a/b.pdfx", True),
        # the longest match wins whatever the order (was: the first rule in the file)
        ("User-agent: *\nDisallow: /example/\nAllow: /example/page/\n", "/example/page/x", True),
        (
            "User-agent: *\nAllow: /example/page/\nDisallow: /example/page/x",
            "/example/page/x",
            False,
        ),
        # Allow wins a tie of equally long rules (was: the first)
        ("User-agent: *\nDisallow: /page\nAllow: /page\n", "/page", True),
        # * matches any sequence inside a path (was: taken literally)
        ("User-agent: *\nDisallow: /private*/secret\n", "/private-area/secret", False),
        # percent-encoded and plain characters compare equal (section 2.2.2)
        ("User-agent: *\nDisallow: /foo/bar/%E3%83%84\n", "/foo/bar/ツ", False),
        ("User-agent: *\nDisallow: /foo/bar/ツ\n", "/foo/bar/%E3%83%84", False),
        # an empty Disallow allows everything; /robots.txt itself is always allowed (was: no)
        ("User-agent: *\nDisallow:\n", "/anything", True),
        ("User-agent: *\nDisallow: /\n", "/robots.txt", True),
    ],
)
def test_rules_follow_rfc_9309(text, path, expected):
    assert allowed(text, path) is expected


@pytest.mark.parametrize(
    ("agent", "path", "expected"),
    [
        ("Footnote/0.1", "/example/page.html", False),  # the * group
        ("Footnote/0.1", "/images/a.gif", False),  # was: allowed (the wildcard)
        ("Footnote/0.1", "/publications/a.gif", True),  # /publications/ is longer than *.gif$
        ("Footnote/0.1", "/publications/a.html", True),
        ("foobot/2.1", "/example/page.html", True),  # its own group: longest match (was: no)
        ("foobot/2.1", "/example/allowed.gif", True),  # was: refused
        ("foobot/2.1", "/example/other.html", False),
        ("barbot/1.0", "/example/page.html", False),  # one group for two user agents
        ("bazbot/1.0", "/example/page.html", False),
        ("bazbot/1.0", "/example/other.html", True),
        ("quxbot/1.0", "/example/page.html", True),  # an empty group allows all (was: no)
        ("QuxBot/1.0", "/anything.gif", True),  # user-agent names match case-insensitively
    ],
)
def test_the_rfc_example_groups(agent, path, expected):
    assert allowed(RFC_EXAMPLE, path, agent) is expected


def test_crawl_delay_request_rate_and_sitemaps():
    robots = Robots.parse(
        "User-agent: *\nCrawl-delay: 2\nRequest-rate: 1/5\n"
        "Sitemap: https://example.com/s.xml\nSitemap: https://example.com/news.xml\n",
        AGENT,
    )
    assert robots.crawl_delay == 5.0  # one request per five seconds is the stricter
    assert robots.sitemaps == ["https://example.com/s.xml", "https://example.com/news.xml"]


RESPONSES = {
    "/ok/robots.txt": (200, b"User-agent: *\nDisallow: /ok/private\n"),
    "/gone/robots.txt": (404, b"not found"),
    "/down/robots.txt": (503, b"busy"),
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        status, body = RESPONSES.get(self.path, (404, b""))
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("prefix", "path", "expected", "note"),
    [
        ("/ok", "/ok/private/a", False, ""),
        ("/ok", "/ok/page", True, ""),
        ("/gone", "/gone/anything", True, ""),  # 4xx: no rules, everything allowed
        ("/down", "/down/anything", False, "HTTP 503"),  # 5xx: everything refused
    ],
)
def test_fetch_outcomes(server, prefix, path, expected, note):
    policy = NetworkPolicy(allow_private=True, allowed_ports=None)
    with guarded_client(policy, timeout=5, user_agent=AGENT, follow_redirects=True) as client:
        robots = Robots.fetch(client, server + prefix, AGENT)
    assert robots.allowed(server + path) is expected and note in robots.note


def test_unreachable_robots_refuses_everything():
    policy = NetworkPolicy(allow_private=True, allowed_ports=None)
    with guarded_client(policy, timeout=2, user_agent=AGENT, follow_redirects=True) as client:
        robots = Robots.fetch(client, "http://127.0.0.1:9", AGENT)
    assert not robots.allowed("http://127.0.0.1:9/page") and "unreachable" in robots.note
