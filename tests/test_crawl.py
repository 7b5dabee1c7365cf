"""Crawling a real fixture site on 127.0.0.1: discovery, politeness, quality gates, incremental
sync, resume; and the network policy (SSRF refusals) with private networks not allowed."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import threading
import time
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import make_settings
from pdfs import make_pdf

from ingest.fetch import fetch_url
from ingest.safety import NetworkPolicy, UnsafeURLError
from rag.errors import IngestError
from ui.cli import main
from ui.compose import App

WORDS = (
    "The Lumen X2 router stores its configuration in flash memory and restores it after a power "
    "failure. Administrators change the wireless channel from the radio settings page, and every "
    "change is written to the audit log with the time and the account that made it. "
)


def article(title: str, body: str, links: tuple[str, ...] = (), extra_head: str = "") -> str:
    nav = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return (
        f"<html><head><title>{title}</title>{extra_head}</head><body><nav>{nav}</nav>"
        f"<main><h1>{title}</h1><p>{body}</p></main>"
        f"<footer><p>Rendered at {time.time_ns()} for visitor {id(body)}.</p></footer>"
        "</body></html>"
    )


class Site:
    """A small website whose pages the tests change between crawls."""

    def __init__(self):
        self.requests: Counter[str] = Counter()
        self.not_modified = 0
        self.flaky_failures = 1
        self.texts = {
            "/guide/a": "Resetting. " + WORDS * 2,
            "/guide/b": "Firmware updates are signed; the router refuses an unsigned image. " * 5,
            "/guide/c": "Logs are kept for thirty days and then deleted automatically. " * 5,
            "/dup-1": "Warranty claims need the serial number under the device. " + WORDS,
            "/dup-2": "Warranty claims need the serial number under the device. " + WORDS,
            "/flaky": "Support hours are nine to five on weekdays, except public holidays. " * 5,
        }
        self.sitemap_pages = ["/", "/guide/a", "/guide/b", "/flaky", "/private/secret"]
        self.article_links = ("/", "/guide/b")
        home_links = (
            "/guide/a",
            "/guide/c",
            "/dup-1",
            "/dup-2",
            "/loop1",
            "/slow",
            "/huge",
            "/shell",
            "/empty",
            "/files/manual.pdf",
            "/files/setup.zip",
            "/private/secret",
            "/moved",
            "mailto:help@example.com",
            "javascript:void(0)",
            "http://elsewhere.example/page",
        )
        self.home = article("Lumen help center", "Welcome to the help center. " + WORDS, home_links)

    def page(self, path: str) -> tuple[int, dict, bytes]:
        """(status, headers, body) for a path."""
        base = path.split("?")[0]
        if base == "/robots.txt":
            text = "User-agent: *\nDisallow: /private/\nSitemap: /sitemap.xml\n"
            return 200, {"Content-Type": "text/plain"}, text.encode()
        if base == "/sitemap.xml":
            index = "<sitemapindex><sitemap><loc>/sitemap-pages.xml</loc></sitemap></sitemapindex>"
            return 200, {"Content-Type": "application/xml"}, index.encode()
        if base == "/sitemap-pages.xml":
            urls = "".join(f"<url><loc>{p}</loc></url>" for p in self.sitemap_pages)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if base == "/":
            return 200, {}, self.home.encode()
        if base in ("/loop1", "/loop2"):
            return 302, {"Location": "/loop2" if base == "/loop1" else "/loop1"}, b""
        if base == "/moved":
            return 301, {"Location": "/guide/a"}, b""
        if base == "/slow":
            time.sleep(2.5)
            return 200, {}, article("Slow", WORDS).encode()
        if base == "/huge":
            return 200, {}, article("Huge", WORDS * 4000).encode()
        if base == "/shell":
            shell = (
                '<html><head><title>App</title><script src="/static/app.js"></script></head>'
                '<body><div id="root"></div><noscript>You need to enable JavaScript to run '
                "this app.</noscript></body></html>"
            )
            return 200, {}, shell.encode()
        if base == "/empty":
            return 200, {}, b"<html><head><title>Empty</title></head><body><nav>Home</nav></body>"
        if base == "/flaky" and self.flaky_failures > 0:
            self.flaky_failures -= 1
            return 503, {"Retry-After": "0"}, b"busy"
        if base == "/files/manual.pdf":
            lines = ["Lumen X2 manual", "Hold the reset button for ten seconds to reset it."]
            return 200, {"Content-Type": "application/pdf"}, make_pdf([lines])
        if base in self.texts:
            title = "Warranty" if base.startswith("/dup") else base  # one page, two URLs
            return 200, {}, article(title, self.texts[base], self.article_links).encode()
        return 404, {}, b"not found"


@contextlib.contextmanager
def serve(site: Site, host: str = "127.0.0.1"):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            site.requests[self.path] += 1
            status, headers, body = site.page(self.path)
            headers.setdefault("Content-Type", "text/html; charset=utf-8")
            if status == 200 and "html" in headers["Content-Type"]:
                # the ETag covers text and links, not the per-request footer; /guide/c has none
                content = f"{site.texts.get(self.path, self.path)}{site.article_links}"
                headers["ETag"] = f'"{hashlib.sha1(content.encode()).hexdigest()}"'
                if self.headers.get("If-None-Match") == headers["ETag"] and self.path != "/guide/c":
                    site.not_modified += 1
                    self.send_response(304)
                    self.end_headers()
                    return
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    server.handle_error = lambda *args: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site():
    site = Site()
    with serve(site) as base:
        site.base = base
        yield site


OPTIONS = dict(rate=0, retries=1, timeout=1.0, max_bytes=200_000, concurrency=4)


def crawl(app, url, **kw):
    return app.crawler(app.crawl_options(**{**OPTIONS, **kw})).crawl(url)


@pytest.fixture
def app(tmp_path, fake_app):
    settings = make_settings(tmp_path / "crawl", allow_private_networks=1, allowed_ports="*")
    return App(settings, embedder=fake_app.embedder, generator=fake_app.generator)


def stored(app) -> set[str]:
    return set(app.store.document_hashes())


def test_first_crawl_discovers_obeys_and_gates(app, site):
    report = crawl(app, site.base + "/")
    d = report.as_dict()
    b = site.base
    paths = ("/", "/guide/a", "/guide/b", "/guide/c", "/flaky", "/files/manual.pdf")
    pages = {b + p for p in paths}
    assert pages < stored(app) and len(stored(app) - pages) == 1  # one of the duplicates
    assert stored(app) - pages <= {b + "/dup-1", b + "/dup-2"}
    assert d["new"] == 7 and d["complete"]
    reasons = d["skipped_reasons"]
    assert reasons["disallowed by robots.txt"] == 1  # /private/secret, in links and the sitemap
    assert reasons["not a page (file type)"] == 1  # the zip; the PDF is read
    assert reasons["JavaScript-only page"] == 1
    assert reasons["no main text"] == 1
    assert reasons["duplicate"] == 1  # /dup-2 repeats /dup-1
    failures = {f["url"].removeprefix(b): f["reason"] for f in d["failures"]}
    assert "redirect loop" in failures["/loop1"]
    assert "did not answer" in failures["/slow"]
    assert "size limit" in failures["/huge"]
    # never requested: disallowed, not a page, out of scope, other schemes
    assert not any(p.startswith(("/private", "/files/setup")) for p in site.requests)
    assert site.requests["/flaky"] == 2  # 503 with Retry-After, then 200
    assert site.requests["/guide/a"] == 1  # linked, listed and redirected to: fetched once
    for key in ("discovered", "fetched", "new", "updated", "unchanged", "removed", "skipped"):
        assert isinstance(d[key], int)
    assert d["seconds"] > 0 and d["bytes"] > 0


def test_recrawl_is_incremental_and_syncs_changes(app, site):
    crawl(app, site.base + "/")
    site.requests.clear()
    chunks_before = app.store.count_chunks()

    again = crawl(app, site.base + "/")
    assert again.new == again.updated == again.removed == 0
    assert again.unchanged == 7 and again.chunks_added == 0  # 6 pages and the PDF
    assert site.not_modified >= 4  # conditional requests answered 304
    assert site.requests["/guide/c"] == 1  # its footer changes per request: fetched, text same
    assert app.store.count_chunks() == chunks_before

    site.texts["/guide/a"] = "Resetting takes ten seconds now. " + WORDS * 2
    site.texts["/guide/d"] = "Guest networks are isolated from the main network by default. " * 5
    site.sitemap_pages.append("/guide/d")
    del site.texts["/guide/b"]  # now 404
    third = crawl(app, site.base + "/")
    b = site.base
    assert (third.new, third.updated, third.removed) == (1, 1, 1)
    assert b + "/guide/b" not in stored(app) and b + "/guide/d" in stored(app)
    assert any("/guide/b" in p for p in third.removed_pages)
    assert 0 < third.chunks_added < chunks_before  # only the changed and the new page's chunks


FAILING = ("/slow", "/huge", "/loop*")  # pages that only fail, slowly: left out where not tested


def test_recrawl_into_another_collection_moves_the_pages(app, site):
    """Unchanged pages (304) used to count as unchanged and stay in the first collection. A
    crawl with `move_from` (an API key's scope) leaves other collections' pages alone."""
    crawl(app, site.base + "/", exclude=FAILING, collection="staff")
    scoped = crawl(
        app, site.base + "/", exclude=FAILING, collection="public", move_from=("public",)
    )
    assert scoped.moved == 0 and scoped.new == 0
    assert {d["collection"] for d in app.store.catalog.documents()} == {"staff"}
    assert scoped.skipped["in another collection"] + scoped.unchanged == 7
    assert scoped.skipped["in another collection"] >= 1  # pages fetched again, not only 304s
    moved = crawl(app, site.base + "/", exclude=FAILING, collection="support")
    assert moved.moved == 7 and moved.unchanged == moved.new == moved.removed == 0
    assert "moved 7" in moved.summary()
    assert {d["collection"] for d in app.store.catalog.documents()} == {"support"}


def test_a_page_removed_by_hand_comes_back_on_the_next_crawl(app, site):
    """The crawl's memory of a page goes with its document: no 304 for a page not stored."""
    crawl(app, site.base + "/", exclude=FAILING)
    doc = app.store.catalog.find([site.base + "/guide/b"])[site.base + "/guide/b"]
    app.ingestor().remove([doc["id"]])
    again = crawl(app, site.base + "/", exclude=FAILING)
    assert site.base + "/guide/b" in stored(app) and again.new == 1


def test_page_dropped_from_links_and_sitemap_is_removed(app, site):
    crawl(app, site.base + "/")
    site.sitemap_pages.remove("/guide/b")
    site.article_links = ("/",)  # the page still answers 200, but nothing points to it
    report = crawl(app, site.base + "/")
    assert site.base + "/guide/b" not in stored(app)
    assert report.removed == 1


def test_limits_are_reported_not_silent(app, site):
    report = crawl(app, site.base + "/", max_pages=3)
    assert report.fetched == 3
    assert "max_pages=3" in report.stopped and not report.complete
    assert len(stored(app)) <= 3  # and nothing is removed by an incomplete crawl


def test_interrupted_crawl_resumes(app, site):
    cancel = threading.Event()

    def stop_after_two(report):
        if report.fetched >= 2:
            cancel.set()

    options = app.crawl_options(**{**OPTIONS, "concurrency": 1})
    first = app.crawler(options, progress=stop_after_two, cancel=cancel).crawl(site.base + "/")
    assert first.stopped.startswith("interrupted")
    partial = stored(app)
    resumed = app.crawler(options).crawl(site.base + "/")
    assert resumed.resumed and resumed.complete
    assert partial < stored(app) and len(stored(app)) == 7  # 6 pages and the PDF
    assert site.requests["/guide/a"] == 1  # done before the interruption: not fetched again


def test_crawl_cli_json(settings, site, tmp_path):
    env = {
        "FOOTNOTE_HOME": settings.home,
        "FOOTNOTE_MODELS_DIR": settings.models_dir,
        "FOOTNOTE_ALLOW_PRIVATE_NETWORKS": "1",
        "FOOTNOTE_ALLOWED_PORTS": "*",
        "FOOTNOTE_FETCH_TIMEOUT": "1",
        "FOOTNOTE_CRAWL_RATE": "0",
    }
    result = CliRunner().invoke(
        main, ["crawl", site.base + "/", "--no-sitemaps", "--max-depth", "0", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["new"] == 1 and report["skipped_reasons"]["deeper than max_depth"] >= 5


# the network policy, with private networks not allowed


def test_cli_refuses_loopback_by_default(settings, site):
    env = {"FOOTNOTE_HOME": settings.home, "FOOTNOTE_ALLOWED_PORTS": "*"}
    result = CliRunner().invoke(main, ["crawl", site.base + "/"], env=env)
    assert result.exit_code == 1
    assert "loopback" in result.output and "allow_private_networks" in result.output
    assert not site.requests  # nothing was fetched, robots.txt included


@pytest.mark.parametrize(
    "url, message",
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/x", "only http and https"),
        ("http://example.com:22/", "not in allowed_ports"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://10.0.0.8/", "private"),
        ("http://0x7f000001/", "loopback"),
    ],
)
def test_policy_refusals(url, message):
    policy = NetworkPolicy()
    with pytest.raises(IngestError, match=message):
        fetch_url(url, 1.0, 1000, "test", policy)


def test_metadata_refused_even_when_private_allowed(site):
    policy = NetworkPolicy(allow_private=True, allowed_ports=None)
    with pytest.raises(UnsafeURLError, match="metadata"):
        fetch_url("http://169.254.169.254/latest/meta-data/", 1.0, 1000, "test", policy)


class _TestPolicy(NetworkPolicy):
    """127.0.0.2 stands in for a public server (Linux routes all of 127/8 to loopback)."""

    def refusal(self, text: str) -> str:
        return "" if text == "127.0.0.2" else super().refusal(text)


def test_redirect_to_private_address_refused():
    inner = Site()
    outer = Site()
    with serve(inner) as inner_base, serve(outer, host="127.0.0.2") as base:
        outer.page = lambda path: (302, {"Location": inner_base + "/"}, b"")
        with pytest.raises(UnsafeURLError, match="loopback"):
            fetch_url(base + "/", 1.0, 10_000, "test", _TestPolicy(allowed_ports=None))
    assert not inner.requests


def test_dns_answer_that_changes_is_checked_on_connect(site):
    answers = iter([["127.0.0.2"], ["127.0.0.1"]])
    with serve(Site(), host="127.0.0.2") as base:
        port = base.rsplit(":", 1)[1]
        policy = _TestPolicy(allowed_ports=None, resolver=lambda host, p: next(answers))
        page = fetch_url(f"http://rebind.test:{port}/guide/a", 1.0, 100_000, "t", policy)
        assert b"Resetting" in page.body
        with pytest.raises(UnsafeURLError, match="rebind.test resolves to 127.0.0.1"):
            fetch_url(f"http://rebind.test:{port}/guide/a", 1.0, 100_000, "t", policy)


def test_a_sitemap_as_the_start_url(app, site):
    report = crawl(app, site.base + "/sitemap.xml")
    b = site.base
    assert {b + "/", b + "/guide/a", b + "/guide/b", b + "/flaky"} <= stored(app)
    assert not any(s.endswith(".xml") for s in stored(app))  # never indexed as a page
    assert report.complete
