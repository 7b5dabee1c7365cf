"""`footnote ask` through a warm `footnote serve` of the same home (ui.api.local): a real uvicorn
server on 127.0.0.1 with fake models for the fast checks, the real commands in subprocesses with
the packaged models for the end-to-end one."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner
from conftest import CORPUS, serving

from rag.fakes import HashEmbedder, ScriptedGenerator
from rag.settings import load_settings, recorded
from ui.api.app import create_api
from ui.api.local import SERVER_FILE, announce, find_server, fingerprint, withdraw
from ui.cli import main
from ui.compose import App

TOKEN = "local-secret-for-tests"


def first_sentence(messages) -> str:
    user = messages[-1]["content"]
    return user.split("Passage 1: ", 1)[1].split("\n", 1)[0].split(". ")[0].rstrip(".") + "."


@pytest.fixture
def warm(tmp_path, monkeypatch):
    """A served App of a home, announced there as `footnote serve` does."""
    monkeypatch.setenv("FOOTNOTE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FOOTNOTE_CONFIG", raising=False)
    monkeypatch.setenv("FOOTNOTE_MAX_QUESTION_CHARS", "300")
    # word-overlap answering, as the other fake-embedder tests: the hash embedder has no
    # meaning, and the scripted model must be asked so the test sees which process answered
    monkeypatch.setenv("FOOTNOTE_ANSWER_PROFILE", "words")
    generator = ScriptedGenerator(first_sentence)
    app = App(load_settings()[0], embedder=HashEmbedder(), generator=generator)
    app.ingestor().ingest([str(CORPUS)], collection="public")
    staff = tmp_path / "staff"
    staff.mkdir()
    (staff / "escalation.md").write_text("# Escalation\n\nCall the on-call lead for outages.\n")
    app.ingestor().ingest([str(staff)], collection="staff")
    with serving(create_api(app, local_token=TOKEN)) as url:
        home = app.settings.home_path
        path = announce(home, url, TOKEN, fingerprint(recorded(app.settings)))
        yield {"app": app, "generator": generator, "url": url, "path": path}
        withdraw(path, "another server's token")
        assert path.exists()  # a newer server's file is left alone
        withdraw(path, TOKEN)


def test_ask_uses_the_warm_server(warm):
    result = CliRunner().invoke(main, ["ask", "What does the Lumen X2 warranty cover?"])
    assert result.exit_code == 0, result.output
    assert len(warm["generator"].calls) == 1  # the server's model answered, none loaded here
    assert "[1]" in result.stdout and str(CORPUS) in result.stdout  # sentences, then sources
    as_json = CliRunner().invoke(main, ["ask", "--json", "What does the warranty cover?"])
    body = json.loads(as_json.stdout)
    assert body["status"] == "answered" and body["sources"][0]["title"]
    assert len(warm["generator"].calls) == 2


def test_server_file_is_private_and_names_the_settings(warm):
    path = warm["path"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = json.loads(path.read_text())
    assert record["url"] == warm["url"] and record["pid"] == os.getpid()
    home, digest = path.parent, fingerprint(recorded(warm["app"].settings))
    assert find_server(home, digest).url == warm["url"]
    assert find_server(home, fingerprint({"top_k": 99})) is None  # other settings: not used


def test_local_token_opens_every_collection_and_nothing_else_does(warm):
    with httpx.Client(base_url=warm["url"], timeout=30) as c:
        local = c.get("/v1/collections", headers={"Authorization": f"Bearer {TOKEN}"})
        assert {row["name"] for row in local.json()} == {"public", "staff"}
        wrong = c.get("/v1/collections", headers={"Authorization": "Bearer local-secret"})
        assert wrong.status_code == 401


def test_collection_filter_and_errors_go_through_the_server(warm):
    runner = CliRunner()
    question = "Who do I call for outages?"
    scoped = runner.invoke(main, ["ask", "--json", "--collection", "staff", question])
    sources = json.loads(scoped.stdout)["sources"]
    assert sources and {s["title"] for s in sources} == {"Escalation"}
    too_long = runner.invoke(main, ["ask", "x" * 400])
    assert too_long.exit_code == 1 and "300" in too_long.output  # the server's limit, one line


def test_a_dead_or_missing_server_is_not_used(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    path = announce(tmp_path, "http://127.0.0.1:9", TOKEN, "digest")
    record = json.loads(path.read_text())
    path.write_text(json.dumps({**record, "pid": child.pid}))
    assert find_server(tmp_path, "digest") is None  # process gone
    announce(tmp_path, f"http://127.0.0.1:{free_port()}", TOKEN, "digest")
    assert find_server(tmp_path, "digest", wait=0) is None  # nothing listens
    path.write_text("{not json")
    assert find_server(tmp_path, "digest") is None
    assert find_server(tmp_path / "nowhere", "digest") is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.real_models
def test_footnote_serve_then_ask_end_to_end(tmp_path, real_models_dir):
    environ = {
        **os.environ,
        "FOOTNOTE_HOME": str(tmp_path / "home"),
        "FOOTNOTE_MODELS_DIR": str(real_models_dir),
    }
    environ.pop("FOOTNOTE_CONFIG", None)
    footnote = [sys.executable, "-m", "ui"]
    subprocess.run([*footnote, "ingest", str(CORPUS)], env=environ, check=True, timeout=600)
    port = free_port()
    serve = subprocess.Popen([*footnote, "serve", "--port", str(port)], env=environ)
    try:
        wait_ready(port)
        result = subprocess.run(
            [*footnote, "-v", "ask", "--json", "How long is the warranty on Lumen routers?"],
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert f"footnote serve at http://127.0.0.1:{port}" in result.stderr
        body = json.loads(result.stdout)
        assert body["status"] == "answered" and "three-year" in body["answer"]
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)
    assert not (tmp_path / "home" / SERVER_FILE).exists()  # withdrawn when it stops


def wait_ready(port: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("footnote serve did not become ready")
