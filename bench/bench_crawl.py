"""Crawl benchmark: the Python documentation (Debian's python3.11-doc, ~530 pages) served on
loopback. A first crawl (fetch, extract, embed) without a rate limit, then an unchanged re-crawl
at the default politeness rate and without one; pages found versus HTML files on disk.

    python bench/bench_crawl.py     (apt-get install python3.11-doc first)
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DOCS = Path(os.environ.get("BENCH_CRAWL_DOCS", "/usr/share/doc/python3.11/html"))


def crawl(footnote: str, env: dict, url: str, *flags: str) -> dict:
    started = time.perf_counter()
    out = subprocess.run(
        [footnote, *flags, "crawl", url, "--json"], env=env, capture_output=True, text=True
    )
    report = json.loads(out.stdout)
    report["wall_s"] = time.perf_counter() - started
    return report


def main() -> None:
    if not (DOCS / "index.html").exists():
        sys.exit(f"{DOCS} missing: apt-get install python3.11-doc")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(DOCS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    home = tempfile.mkdtemp(prefix="footnote-bench-crawl-")
    env = {
        **os.environ,
        "FOOTNOTE_HOME": home,
        "FOOTNOTE_ALLOW_PRIVATE_NETWORKS": "1",
        "FOOTNOTE_ALLOWED_PORTS": "*",
    }
    footnote = str(Path(sys.executable).with_name("footnote"))
    first = crawl(footnote, env, url, "--crawl-rate", "0")
    again = crawl(footnote, env, url)
    unlimited = crawl(footnote, env, url, "--crawl-rate", "0")
    server.shutdown()
    on_disk = sum(1 for _ in DOCS.rglob("*.html"))
    print(f"crawl of {DOCS} ({on_disk} HTML files on disk) over loopback:")
    print(
        f"  first crawl, no rate limit {first['seconds']:.1f} s: {first['fetched']} fetched, "
        f"{first['new']} new, skipped {first['skipped_reasons']}, failed {first['failed_reasons']} "
        f"({', '.join(f['url'].rsplit('/', 1)[-1] for f in first['failures'][:5])})"
    )
    print(
        f"    {first['chunks_added']} chunks, {first['chunks_added'] / first['seconds']:.1f} "
        f"chunks/s; the model worked {first['embed_seconds']:.1f} s "
        f"({first['embed_seconds'] / first['seconds']:.0%} of the crawl, overlapping fetch and "
        f"extraction); whole crawl {first['fetched'] / first['seconds']:.2f} pages/s"
    )
    for name, r in (("re-crawl (rate 8/s)", again), ("re-crawl (no limit)", unlimited)):
        print(
            f"  {name:18} {r['seconds']:.1f} s: unchanged {r['unchanged']}, new {r['new']}, "
            f"updated {r['updated']}, re-embedded chunks {r['chunks_added']}; "
            f"{first['seconds'] / r['seconds']:.1f}x faster than the first"
        )


if __name__ == "__main__":
    main()
