"""The openai generator backend against a real OpenAI-compatible server on 127.0.0.1 (llama.cpp's
own server with the packaged model), and its failures (a fake server adds the edge cases a real
one will not produce on demand)."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from conftest import CORPUS, WORDS, make_settings, serving

from rag.errors import ModelError
from rag.fakes import HashEmbedder
from rag.generation.remote import OpenAIGenerator
from ui.api.app import create_api
from ui.compose import App

KEY = "test-key-123"
MESSAGES = [{"role": "user", "content": "Reply with the word yes."}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(real_models_dir, tmp_path_factory):
    """llama-cpp-python's OpenAI-compatible server with the packaged 0.5B, needing a key."""
    port = free_port()
    log = (tmp_path_factory.mktemp("llama-server") / "server.log").open("w")
    model = real_models_dir / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--model_alias", "qwen", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--api_key", KEY, "--n_ctx", "4096"]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    while time.time() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/models", headers={"Authorization": f"Bearer {KEY}"}).is_success:
                break
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited; see {log.name}")
        time.sleep(0.5)
    yield base
    proc.terminate()
    proc.wait(20)
    log.close()


@pytest.fixture
def app(tmp_path, server, monkeypatch):
    monkeypatch.setenv("FOOTNOTE_TEST_KEY", KEY)
    settings = make_settings(
        tmp_path / "home",
        generator="openai",
        openai_base_url=server,
        openai_model="qwen",
        openai_api_key_env="FOOTNOTE_TEST_KEY",
        lead="none",  # no lead shown before the model writes: the server writes the answer
        **WORDS,
    )
    app = App(settings, embedder=HashEmbedder())
    app.ingestor().ingest([str(CORPUS)], collection="public")
    return app


@pytest.mark.real_models
def test_answers_stream_with_verified_citations_from_a_server(app):
    streamed = list(app.pipeline.stream("How long is the warranty on Lumen routers?"))
    answer = streamed[-1]
    assert answer.status == "answered" and answer.citations, answer
    assert "three-year" in answer.citations[0].passage
    assert all(s.citations for s in answer.sentences) and answer.tokens > 0
    assert app.settings.prompt_style == "auto"  # a model the user brings writes cited answers


@pytest.mark.real_models
def test_the_api_and_its_chat_endpoint_on_a_server_backend(app):
    from openai import OpenAI

    token = app.store.keys.create("bot", "ask", ["public"])[1]
    with serving(create_api(app)) as base:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=300) as c:
            convo = c.post("/v1/conversations", json={}).json()
            first = c.post(
                f"/v1/conversations/{convo['id']}/messages",
                json={"question": "What does error code E42 mean on the Lumen X2?"},
            ).json()
            assert first["status"] == "answered" and first["sources"], first
        chat = OpenAI(base_url=base + "/v1", api_key=token).chat.completions.create(
            model="footnote",
            messages=[{"role": "user", "content": "What does the warranty cover?"}],
        )
        assert chat.model_extra["footnote"]["status"] == "answered"


@pytest.mark.real_models
def test_a_wrong_key_and_a_stopped_server_are_one_line_errors(server):
    with pytest.raises(ModelError, match="refused the API key"):
        list(OpenAIGenerator(server, "qwen", "wrong-key").stream(MESSAGES, 5))
    closed = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ModelError, match="cannot reach .* is it running"):
        list(OpenAIGenerator(closed, "qwen", KEY, retries=1).stream(MESSAGES, 5))


@pytest.mark.real_models
def test_the_judge_reads_yes_and_no_from_server_logprobs(server):
    from rag.answering.scorers import LLMJudge

    judge = LLMJudge(OpenAIGenerator(server, "qwen", KEY))
    yes, no = judge.scores(
        [
            ("The warranty lasts three years.", "Every router has a three-year warranty."),
            ("The Eiffel Tower is in Berlin.", "Every router has a three-year warranty."),
        ]
    )
    assert yes > no


class Fake(http.server.BaseHTTPRequestHandler):
    """Edge cases on demand: chosen by the model name of the request."""

    calls: list[str] = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        model = body["model"]
        Fake.calls.append(model)
        if model == "busy" and Fake.calls.count("busy") == 1:
            return self._reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "0"})
        if model == "later":
            return self._reply(503, {"error": {"message": "maintenance"}}, {"Retry-After": "600"})
        if model == "unknown":
            return self._reply(404, {"error": {"message": "The model 'unknown' does not exist"}})
        if model == "long":
            message = "This model's maximum context length is 4096 tokens"
            return self._reply(400, {"error": {"message": message}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in ("Every ", "router ", "has "):
            delta = {"choices": [{"delta": {"content": word}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(delta)}\n\n".encode())
        if model != "cut":  # a cut stream ends without finish_reason or [DONE]
            end = {"choices": [{"delta": {}, "finish_reason": "stop"}]}  # as servers end answers
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

    def _reply(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def fake():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("unknown", "has no model 'unknown'.*check openai_model"),
        ("long", "longer than long's context.*lower top_k or prompt_chars"),
        ("cut", "cut off after 3 pieces"),
    ],
)
def test_server_failures_name_the_fix(fake, model, message):
    with pytest.raises(ModelError, match=message):
        list(OpenAIGenerator(fake, model).stream(MESSAGES, 5))


def test_a_busy_server_is_retried_after_the_time_it_asks(fake):
    assert "".join(OpenAIGenerator(fake, "busy").stream(MESSAGES, 5)) == "Every router has "
    assert Fake.calls.count("busy") == 2
    with pytest.raises(ModelError, match="busy \\(HTTP 503\\) and asks to wait 600 s"):
        list(OpenAIGenerator(fake, "later").stream(MESSAGES, 5))
    assert Fake.calls.count("later") == 1  # ten minutes are not waited for
