"""The web app's pages through Streamlit's AppTest, on the fakes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import CORPUS, WORDS, make_settings
from streamlit.testing.v1 import AppTest

from rag.fakes import HashEmbedder, ScriptedGenerator
from ui.compose import App
from ui.web import state

UI = Path(__file__).parent.parent / "ui" / "web"
HOSTILE = (
    "# Widget care\n\nWidget filters are cleaned with warm water every month."
    " <script>window.pwned = 1</script> Never use bleach.\n"
)


def echo_first_sentence(messages):
    user = messages[-1]["content"]
    if "Passage 1: " not in user:
        return "How long is the Lumen warranty?"
    if "Mona Lisa" in user:  # the model invents an answer the sources do not hold
        return "Leonardo da Vinci painted the Mona Lisa around 1503 [1]."
    first = user.split("Passage 1: ", 1)[1].split("\n", 1)[0]
    return first.split(". ")[0].rstrip(".") + "."


@pytest.fixture
def app(tmp_path):
    settings = make_settings(
        tmp_path / "home", allow_private_networks=1, allowed_ports="*", **WORDS
    )
    app = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator(echo_first_sentence))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "widgets.md").write_text(HOSTILE)
    app.ingestor().ingest([str(CORPUS)], collection="help")
    app.ingestor().ingest([str(extra)], collection="lab")
    state.use(app)
    yield app
    state.use(None)


def page(name: str) -> AppTest:
    return AppTest.from_file(str(UI / "pages" / f"{name}.py"), default_timeout=30)


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_navigation_opens_ask_page(app):
    at = AppTest.from_file(str(UI / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Ask your documents"


def test_answer_shows_citations_and_highlighted_quote(app):
    at = ask(page("ask").run(), "How long is the Lumen warranty?")
    assert not at.exception and not at.error
    body = markdown(at)
    # the fake echoes "Lumen warranty Every Lumen router comes with ...": the heading glued on
    # puts its words out of the passage's order, so the passage sentence itself is shown
    assert 'class="fn-sentence' in body and '<span class="fn-cite">[1]</span>' in body
    assert "three-year warranty" in body
    assert "<mark>" in body  # the supporting quote inside the cited passage
    assert at.expander[0].label.startswith("[1] ")
    assert at.session_state.turns[0]["answer"]["status"] == "answered"


def test_script_in_a_document_is_shown_as_text(app):
    at = ask(page("ask").run(), "How are widget filters cleaned?")
    body = markdown(at)
    assert "&lt;script&gt;" in body and "<script>" not in body


def test_not_in_sources_says_so_and_lists_closest(app):
    at = page("ask").run()
    at.multiselect[0].set_value(["help"]).run()
    at = ask(at, "Who painted the Mona Lisa in Florence?")
    body = markdown(at)
    assert "don't contain the answer" in body and 'class="fn-declined"' in body
    assert any("Closest sources" in c.value for c in at.caption)
    assert any(t.value.startswith("• ") for t in at.text)


def test_bad_questions_give_clear_errors_and_the_app_keeps_working(app):
    at = ask(page("ask").run(), "   ")
    assert "empty" in at.error[0].value
    at = ask(at, "why " * 25_000)  # 100 KB
    assert "over the limit" in at.error[0].value
    at = ask(at, "How long is the Lumen warranty?")
    assert not at.error and at.session_state.turns


def test_feedback_is_stored_with_the_answer(app):
    at = ask(page("ask").run(), "How long is the Lumen warranty?")
    answer_id = at.session_state.turns[0]["answer"]["id"]
    at.feedback[0].set_value(0).run()  # thumbs down
    at.text_input(key=f"comment-{answer_id}").set_value("too short").run()
    at.button(key=f"send-{answer_id}").click().run()
    assert app.store.feedback.for_answers([answer_id])[answer_id] == [
        {"rating": -1, "comment": "too short", "source": "app"}
    ]
    assert "Feedback sent" in at.caption[-1].value


def test_follow_up_and_new_conversation(app):
    at = ask(page("ask").run(), "How long is the Lumen warranty?")
    at = ask(at, "and what does it cover?")
    assert len(at.session_state.turns) == 2
    at.sidebar.button[0].click().run()
    assert at.session_state.turns == []


def test_sources_page_lists_documents_and_reports_jobs(app):
    at = page("sources").run()
    assert not at.exception
    assert at.selectbox[0].options == ["help", "lab"]
    assert len(at.dataframe[0].value) == 4  # the corpus in "help"
    jobs = state.app().jobs
    dead = jobs.crawl("help", "http://no-such-host.invalid/")
    binary = jobs.ingest("help", [CORPUS / ".." / "nothing-here.md"])
    for job in (dead, binary):
        deadline = time.time() + 20
        while job.status == "running" and time.time() < deadline:
            time.sleep(0.05)
    assert dead.status == "failed" and "does not resolve" in dead.error
    assert binary.status == "failed" and "does not exist" in binary.error
    at.run()
    errors = " ".join(e.value for e in at.error)
    assert "does not resolve" in errors and "does not exist" in errors


def test_upload_of_a_binary_file_fails_cleanly(app):
    at = page("sources").run()
    at.file_uploader[0].set_value([("blob.md", bytes(range(256)) * 8, "text/markdown")]).run()
    buttons = [b for b in at.button if b.label == "Ingest files"]
    buttons[0].click().run()
    job = state.app().jobs.list(limit=1)[0]
    deadline = time.time() + 20
    while state.app().jobs.get(job.id).status == "running" and time.time() < deadline:
        time.sleep(0.05)
    assert "binary" in state.app().jobs.get(job.id).error
    assert not at.exception


def test_evaluations_page_shows_feedback(app):
    app.store.feedback.add("a1", 1, "spot on", "app")
    at = page("evaluations").run()
    assert not at.exception
    assert at.metric[0].value == "1"
    assert any("spot on" in t.value for t in at.text)


def test_a_quoted_fallback_sentence_is_marked_as_the_source_words():
    from ui.web.view import sentence_html

    quoted = {"text": "Hold <b>reset</b> for 10 s.", "citations": [1], "quoted": True}
    rendered = sentence_html(quoted)
    assert "The sources say: \u201cHold &lt;b&gt;reset&lt;/b&gt; for 10 s.\u201d" in rendered
    assert "fn-quoted" in rendered and "[1]" in rendered
    plain = sentence_html({"text": "Hold reset.", "citations": [1]})
    assert "The sources say" not in plain
    replaced = dict(quoted, replaces='Press "reset" <now>.')
    rendered = sentence_html(replaced)  # in the middle of an answer: the quote marks suffice
    assert rendered.count("“") == 1 and "The sources say" not in rendered
    assert "the model wrote: Press &quot;reset&quot; &lt;now&gt;." in rendered


def test_stopping_footnote_ui_stops_the_streamlit_server(tmp_path):
    """`footnote ui` becomes the Streamlit server: a SIGTERM from a service manager frees the
    port (a child server used to survive it and keep the port)."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    import httpx
    from browser import free_port

    port = free_port()
    footnote = Path(sys.executable).with_name("footnote")
    command = [str(footnote), "ui", "--server.port", str(port), "--server.headless", "true"]
    command += ["--server.address", "127.0.0.1"]
    env = {**os.environ, "FOOTNOTE_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("footnote ui did not start")
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
