"""Shared fixtures: settings in a temporary home, fake and real components, a loopback server."""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag.fakes import HashEmbedder, ScriptedGenerator
from rag.models import QWEN_05B
from rag.settings import load_settings, user_cache
from ui.compose import App

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"
MODELS_DIR = Path(
    os.environ.get("FOOTNOTE_MODELS_DIR") or user_cache() / "footnote" / "models"
).expanduser()


def make_settings(home: Path, **env: str):
    environ = {"FOOTNOTE_HOME": str(home), "FOOTNOTE_MODELS_DIR": str(MODELS_DIR)}
    environ.update({f"FOOTNOTE_{k.upper()}": str(v) for k, v in env.items()})
    return load_settings(environ=environ)[0]


# The fakes' hash embedder measures shared words, not meaning: tests on it answer with the
# `words` profile (the meaning rules are tested with the packaged embedder: tests/test_cases.py)
WORDS = {"answer_profile": "words", "min_relevance": "0.44"}


@pytest.fixture
def settings(tmp_path):
    """Settings in a temporary home. The fakes' hash embedder measures shared words, not
    meaning: tests on it answer with the `words` profile (the meaning rules are tested with
    the packaged embedder: tests/test_cases.py)."""
    return make_settings(tmp_path / "home", **WORDS)


def app_on_fakes(settings, reply="", ingest=()) -> App:
    """An App on the fakes: the hash embedder and a generator scripted with `reply` (a string,
    or a function of the chat messages), with the paths in `ingest` ingested (loopback
    fetching allowed)."""
    from test_ingest import make_ingestor

    app = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator(reply))
    if ingest:
        make_ingestor(app).ingest([str(p) for p in ingest])
    return app


@pytest.fixture
def fake_app(settings):
    """An App with the hash embedder and a generator that echoes the first passage's first
    sentence (a reply that is always supported by the top passage)."""

    def reply(messages):
        user = messages[-1]["content"]
        first = user.split("Passage 1: ", 1)[1].split("\n", 1)[0]
        return first.split(". ")[0].rstrip(".") + "."

    return app_on_fakes(settings, reply)


@pytest.fixture(scope="session")
def real_models_dir() -> Path:
    if not (MODELS_DIR / QWEN_05B.filename).is_file():
        pytest.fail(
            f"packaged generator missing in {MODELS_DIR}: run `make setup` "
            "(or `footnote models install`) before the real-model tests"
        )
    return MODELS_DIR


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the fixture corpus, plus /slow (sleeps) and /binary."""

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(3)
        if self.path.startswith("/binary"):
            body = bytes(range(256)) * 10
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@pytest.fixture(scope="session")
def http_server():
    """Base URL of a server on 127.0.0.1 serving tests/fixtures/corpus."""

    def handler(*args, **kwargs):
        return _Handler(*args, directory=str(CORPUS), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handle_error = lambda *args: None  # clients that time out on /slow are expected
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """A real PostgreSQL 16 with pgvector (the pgserver package), on a unix socket."""
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop")
    yield server
    server.cleanup()


@pytest.fixture
def pg_url(pg_server, request):
    """A fresh, empty database on the test server; its psycopg 3 SQLAlchemy URL."""
    import re
    import uuid

    name = "t_" + re.sub(r"\W", "_", request.node.name)[:40].lower() + "_" + uuid.uuid4().hex[:6]
    pg_server.psql(f"CREATE DATABASE {name};")
    uri = pg_server.get_uri(name)
    yield "postgresql+psycopg://" + uri.split("://", 1)[1]


@contextmanager
def serving(api) -> Iterator[str]:
    """An ASGI app served by uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    config = uvicorn.Config(api, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)
