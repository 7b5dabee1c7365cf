"""The support-bot API: a real uvicorn server on 127.0.0.1, real HTTP clients (httpx, openai)."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from conftest import CORPUS, WORDS, make_settings, serving

from rag.fakes import HashEmbedder
from ui.api.app import create_api
from ui.compose import App

SECRET = "The internal escalation code for outages is TANGERINE-42."


class SlowGenerator:
    """Echoes the first passage's first sentence word by word, slowly; records closes."""

    def __init__(self, delay: float = 0.0):
        self.delay, self.closed, self.calls = delay, 0, 0

    def stream(self, messages, max_tokens):
        self.calls += 1
        user = messages[-1]["content"]
        if "Standalone question:" in user:  # the follow-up rewrite
            yield "How long do I hold the reset button of the Lumen X2?"
            return
        first = user.split("Passage 1: ", 1)[1].split("\n", 1)[0].split(". ")[0].rstrip(".") + "."
        words = (first + " " + first) if self.delay else first
        try:
            for word in words.split(" "):
                time.sleep(self.delay)
                yield word + " "
        finally:
            self.closed += 1


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("api")
    settings = make_settings(
        home, allow_private_networks=1, allowed_ports="*", max_question_chars=500, **WORDS
    )
    generator = SlowGenerator()
    app = App(settings, embedder=HashEmbedder(), generator=generator)
    ingestor = app.ingestor()
    ingestor.ingest([str(CORPUS)], collection="public")
    internal = home / "internal"
    internal.mkdir()
    (internal / "escalation.md").write_text(f"# Escalation\n\n{SECRET} Call the on-call lead.\n")
    ingestor.ingest([str(internal)], collection="internal")
    keys = app.store.keys
    tokens = {
        "customer": keys.create("customer", "ask", ["public"])[1],
        "staff": keys.create("staff", "ask", ["public", "internal"])[1],
        "admin": keys.create("admin", "admin", ["public", "uploads"])[1],
        "slow": keys.create("limited", "ask", ["public"], rate_per_minute=2)[1],
    }
    revoked, token = keys.create("old", "ask", ["public"])
    keys.revoke(revoked.id)
    tokens["revoked"] = token
    with serving(create_api(app)) as base:
        yield {"base": base, "tokens": tokens, "app": app, "gen": generator}


def client(server, who: str = "customer") -> httpx.Client:
    headers = {"Authorization": f"Bearer {server['tokens'][who]}"} if who else {}
    return httpx.Client(base_url=server["base"], headers=headers, timeout=30)


def ask(server, question: str, who: str = "customer", **body) -> httpx.Response:
    with client(server, who) as c:
        return c.post("/v1/ask", json={"question": question, **body})


def test_health_and_docs(server):
    with client(server, "") as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        assert c.get("/readyz").json()["status"] == "ready"
        spec = c.get("/openapi.json").json()
        assert "/v1/ask" in spec["paths"] and "/v1/chat/completions" in spec["paths"]
        assert c.get("/docs").status_code == 200


def test_ask_answers_with_verified_citations(server):
    response = ask(server, "What does the Lumen X2 warranty cover?")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "answered" and body["id"]
    assert body["sources"] and body["sentences"][0]["citations"] == [1]
    quote = body["sentences"][0]["quotes"][0]
    assert quote["text"] and 0 <= quote["start"] < quote["end"]
    assert 0 <= body["sentences"][0]["support"] <= 1
    assert response.headers["x-request-id"]


def test_key_scoping_blocks_internal_documents(server):
    question = "What is the internal escalation code for outages?"
    staff = ask(server, question, "staff").json()
    assert staff["status"] == "answered" and "TANGERINE" in staff["answer"]
    customer = ask(server, question, "customer").json()
    leaked = json.dumps(customer)
    assert "TANGERINE" not in leaked and "escalation.md" not in leaked
    denied = ask(server, question, "customer", collections=["internal"])
    assert denied.status_code == 403 and "internal" in denied.json()["error"]["message"]
    with client(server, "customer") as c:
        chat = c.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]}
        )
        assert "TANGERINE" not in chat.text and "escalation.md" not in chat.text
        convo = c.post("/v1/conversations", json={}).json()
        turn = c.post(f"/v1/conversations/{convo['id']}/messages", json={"question": question})
        assert "TANGERINE" not in turn.text
        assert c.get("/v1/collections").json() == [{"name": "public", "documents": 4}]


@pytest.mark.parametrize("who, status", [("", 401), ("revoked", 401)])
def test_missing_and_revoked_keys(server, who, status):
    response = ask(server, "How long is the warranty?", who)
    assert response.status_code == status
    with httpx.Client(base_url=server["base"]) as c:
        bad = c.post("/v1/ask", json={"question": "x"}, headers={"Authorization": "Bearer fn_x_y"})
        assert bad.status_code == 401 and "unknown API key" in bad.text


def test_streaming_server_sent_events(server):
    with (
        client(server) as c,
        c.stream(
            "POST", "/v1/ask", json={"question": "How long is the warranty?", "stream": True}
        ) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [
            line.removeprefix("event: ")
            for line in response.iter_lines()
            if line.startswith("event:")
        ]
    assert events[0] == "sentence" and events[-1] == "answer"


def test_conversation_follow_up_and_read_back(server):
    with client(server) as c:
        convo = c.post("/v1/conversations", json={"collections": ["public"]}).json()
        first = c.post(
            f"/v1/conversations/{convo['id']}/messages", json={"question": "How do I reset the X2?"}
        ).json()
        second = c.post(
            f"/v1/conversations/{convo['id']}/messages",
            json={"question": "and how long does that take?"},
        ).json()
        assert first["status"] == second["status"] == "answered"
        assert second["standalone_question"] != "and how long does that take?"
        read = c.get(f"/v1/conversations/{convo['id']}").json()
        assert [t["question"] for t in read["turns"]] == [
            "How do I reset the X2?",
            "and how long does that take?",
        ]
        assert read["turns"][0]["answer"]["sources"]
    with client(server, "staff") as other:
        assert other.get(f"/v1/conversations/{convo['id']}").status_code == 404


def test_feedback_is_stored_and_scoped(server):
    answer = ask(server, "How long is the warranty?").json()
    with client(server) as c:
        ok = c.post(
            "/v1/feedback", json={"answer_id": answer["id"], "rating": "down", "comment": "vague"}
        )
        assert ok.status_code == 200
        assert (
            c.post("/v1/feedback", json={"answer_id": answer["id"], "rating": "meh"}).status_code
            == 422
        )
    stored = server["app"].store.feedback.for_answers([answer["id"]])
    assert stored[answer["id"]] == [{"rating": -1, "comment": "vague", "source": "api"}]
    with client(server, "staff") as other:
        theirs = other.post("/v1/feedback", json={"answer_id": answer["id"], "rating": "up"})
        assert theirs.status_code == 404


def test_openai_client(server):
    from openai import OpenAI

    sdk = OpenAI(base_url=server["base"] + "/v1", api_key=server["tokens"]["customer"])
    reply = sdk.chat.completions.create(
        model="footnote", messages=[{"role": "user", "content": "How long is the warranty?"}]
    )
    text = reply.choices[0].message.content
    assert "[1]" in text and "Sources:" in text
    assert reply.model_extra["footnote"]["status"] == "answered"
    pieces = sdk.chat.completions.create(
        model="footnote",
        messages=[{"role": "user", "content": "How long is the warranty?"}],
        stream=True,
    )
    chunks = list(pieces)
    streamed = "".join(ch.choices[0].delta.content or "" for ch in chunks)
    assert "[1]" in streamed and chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["footnote"]["sources"]


def test_admin_endpoints_and_roles(server, http_server):
    with client(server) as asker:
        assert asker.post("/v1/collections", json={"name": "public"}).status_code == 403
        assert asker.get("/v1/collections/public/documents").status_code == 403
    with client(server, "admin") as c:
        assert c.post("/v1/collections", json={"name": "uploads"}).status_code == 201
        assert c.post("/v1/collections", json={"name": "internal"}).status_code == 404
        upload = c.post(
            "/v1/collections/uploads/uploads",
            files=[("files", ("notes.md", b"# Notes\n\nThe lab opens at nine every morning.\n"))],
        )
        assert upload.status_code == 202
        job = _wait(c, upload.json()["id"])
        assert job["status"] == "done" and job["progress"]["new"] == 1
        docs = c.get("/v1/collections/uploads/documents").json()
        assert [d["title"] for d in docs] == ["Notes"]
        binary = c.post(
            "/v1/collections/uploads/uploads", files=[("files", ("x.md", bytes(range(256)) * 4))]
        )
        failed = _wait(c, binary.json()["id"])
        assert failed["status"] == "failed" and "binary" in failed["error"]
        crawl = c.post(
            "/v1/collections/public/crawl", json={"url": http_server + "/", "max_pages": 5}
        )
        assert crawl.status_code == 202
        assert _wait(c, crawl.json()["id"])["status"] == "done"
        assert c.delete(f"/v1/documents/{docs[0]['id']}").json() == {"deleted": docs[0]["id"]}
        assert c.get("/v1/collections/uploads/documents").json() == []
        internal_doc = server["app"].store.document_hashes()
        secret_id = next(v[0] for k, v in internal_doc.items() if k.endswith("escalation.md"))
        assert c.delete(f"/v1/documents/{secret_id}").status_code == 404  # not its collection
        assert c.get("/v1/jobs/nope").status_code == 404


def _wait(c: httpx.Client, job_id: str, timeout: float = 30) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = c.get(f"/v1/jobs/{job_id}").json()
        if job["status"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still running")


def test_rate_limit_answers_429_with_retry_after(server):
    with client(server, "slow") as c:
        codes = [c.get("/v1/collections").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = c.get("/v1/collections")
        assert int(limited.headers["retry-after"]) >= 1


def test_bounded_and_malformed_requests(server):
    long = ask(server, "why " * 200)
    assert long.status_code == 400 and "over the limit" in long.json()["error"]["message"]
    assert ask(server, "   ").status_code == 400
    many = ask(server, "warranty?", collections=[f"c{i}" for i in range(30)])
    assert many.status_code == 400 and "at most 20" in many.text
    with client(server) as c:
        huge = c.post(
            "/v1/ask",
            content=b'{"question": "' + b"a" * 300_000 + b'"}',
            headers={"content-type": "application/json"},
        )
        assert huge.status_code == 413
        broken = c.post(
            "/v1/ask", content=b'{"question": ', headers={"content-type": "application/json"}
        )
        assert broken.status_code == 422
        extra = c.post("/v1/ask", json={"question": "warranty?", "colections": ["x"]})
        assert extra.status_code == 422  # a misspelt field is an error, not silently ignored


def test_client_disconnect_frees_the_generator(server):
    generator = server["gen"]
    generator.delay = 0.2  # about 4 s for the whole answer
    try:
        closed, calls = generator.closed, generator.calls
        with (
            client(server) as c,
            c.stream(
                "POST", "/v1/ask", json={"question": "How long is the warranty?", "stream": True}
            ) as response,
        ):
            assert response.status_code == 200
            lines = response.iter_lines()  # kept: a dropped iterator closes the connection
            next(lines)  # the first bytes arrived (the lead, verbatim)
            deadline = time.time() + 10
            while generator.calls == calls and time.time() < deadline:
                time.sleep(0.05)  # the model is writing: then hang up
            assert generator.calls == calls + 1, "the model never started"
        deadline = time.time() + 3
        while generator.closed == closed and time.time() < deadline:
            time.sleep(0.05)
        assert generator.closed == closed + 1, "the generator was not closed on disconnect"
    finally:
        generator.delay = 0.0
    started = time.perf_counter()
    assert ask(server, "How long is the warranty?").status_code == 200
    assert time.perf_counter() - started < 3  # the model was free again


def test_openapi_schema_conformance(server):
    """Schemathesis: generated requests against the spec never make the server fail."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(server["base"] + "/openapi.json")
    headers = {"Authorization": f"Bearer {server['tokens']['staff']}"}
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path not in ("/v1/ask", "/v1/feedback", "/v1/conversations", "/healthz"):
            continue

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.body, response.text)

        run()
        checked += 1
    assert checked == 4


def test_queue_refuses_when_full_and_times_out():
    from ui.api.queue import AnswerQueue, Busy

    queue = AnswerQueue(size=2, timeout=0.2)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with queue.slot():
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    holding.wait(5)
    started = time.perf_counter()
    with pytest.raises(Busy, match="stayed busy"), queue.slot():
        pass
    assert time.perf_counter() - started < 1
    queue.waiting = 2  # as if another request were waiting too
    with pytest.raises(Busy, match="already waiting"), queue.slot():
        pass
    queue.waiting = 1
    release.set()
    worker.join(5)
    with queue.slot():
        assert queue.waiting == 1
