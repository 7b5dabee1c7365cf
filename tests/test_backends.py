"""The store and retrieval suites on both deployments: SQLite + FAISS files, and PostgreSQL +
pgvector + full-text search (a real server through pgserver). Plus migrations and concurrency."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import CORPUS, WORDS, make_settings

from rag.fakes import HashEmbedder, ScriptedGenerator
from rag.retrieval import Filters
from rag.storage import Store, migrate
from ui.compose import App


def echo(messages):
    user = messages[-1]["content"]
    return user.split("Passage 1: ", 1)[1].split("\n", 1)[0].split(". ")[0].rstrip(".") + "."


@pytest.fixture(params=["sqlite-faiss", "postgres-pgvector"])
def app(request, tmp_path):
    env = {}
    if request.param == "postgres-pgvector":
        env = {"database_url": request.getfixturevalue("pg_url"), "vector_backend": "pgvector"}
    settings = make_settings(tmp_path / "home", **env, **WORDS)
    app = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator(echo))
    yield app
    app.store.engine.dispose()


@pytest.fixture
def corpus(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_ingest_search_answer_update_and_prune(app, corpus):
    ingestor = app.ingestor()
    report = ingestor.ingest([str(corpus)], collection="help")
    assert len(report.added) == 4 and not report.failed
    for mode in ("dense", "lexical", "hybrid"):
        app.retriever.mode = mode
        hits = app.retriever.search(["How long is the Lumen warranty?"], 3)[0]
        assert hits[0].source.endswith("warranty.txt"), mode
    answer = app.pipeline.ask("How long is the Lumen warranty?")
    assert answer.status == "answered" and answer.citations[0].source.endswith("warranty.txt")
    assert app.store.answers.load(answer.id).citations
    assert not app.retriever.search(["warranty"], 3, Filters(("other",)))[0]

    chunks = app.store.count_chunks()
    (corpus / "warranty.txt").write_text((corpus / "warranty.txt").read_text() + "\nNew line.\n")
    again = app.ingestor().ingest([str(corpus)], collection="help")
    assert len(again.updated) == 1 and again.chunks_added <= 2
    (corpus / "refunds.md").unlink()
    pruned = app.ingestor().ingest([str(corpus)], collection="help", prune=True)
    assert len(pruned.removed) == 1
    assert app.store.count_chunks() < chunks + 2
    assert len(app.indexer.index) == app.store.count_chunks()
    assert not any(h.source.endswith("refunds.md") for h in app.retriever.search(["refund"], 5)[0])


def test_backends_agree_on_top_results(tmp_path, pg_url):
    """pgvector + full-text search gives the same top passage as SQLite + FAISS + BM25."""
    questions = [
        "How long is the Lumen warranty?",
        "What does error E42 mean?",
        "When is the café open?",
        "How do I get my money back?",
    ]
    tops = {}
    for name, env in {
        "faiss": {},
        "pgvector": {"database_url": pg_url, "vector_backend": "pgvector"},
    }.items():
        settings = make_settings(tmp_path / name, **env)
        app = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator("x"))
        app.ingestor().ingest([str(CORPUS)])
        app.retriever.mode = "dense"
        tops[name] = [app.retriever.search([q], 1)[0][0].source for q in questions]
        app.store.engine.dispose()
    assert tops["faiss"] == tops["pgvector"]


def test_migrations_keep_data_of_an_old_database(tmp_path):
    """A database from before migrations (0.1 tables, no alembic_version) is stamped and
    upgraded in place: its documents stay, the new tables appear."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql(
            "INSERT INTO documents (id, collection, source, title, url, date, text, text_hash, "
            "updated_at) VALUES ('d1', 'default', '/a.md', 'A', '', '', 'kept text', 'h', 0)"
        )
    engine.dispose()
    store = Store(url)
    assert migrate.current(store.engine) == migrate.HEAD
    assert store.document_hashes() == {"/a.md": ("d1", "h", "default")}
    assert "crawls" in sa.inspect(store.engine).get_table_names()


def test_migrations_on_postgres_create_the_fulltext_index(pg_url):
    store = Store(pg_url)
    with store.engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT indexname FROM pg_indexes").scalars().all()
    assert "chunks_fulltext" in names
    store.engine.dispose()


def _writer(url: str, folder: str, rounds: int, queue) -> None:
    try:
        settings = make_settings(Path(folder) / "home", database_url=url, vector_backend="pgvector")
        app = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator("x"))
        for _ in range(rounds):
            app.ingestor().ingest([folder])
        queue.put("ok")
    except Exception as exc:  # noqa: BLE001 - report to the parent test
        queue.put(repr(exc))


def _reader(url: str, home: str, rounds: int, queue) -> None:
    try:
        settings = make_settings(Path(home), database_url=url, vector_backend="pgvector")
        app = App(settings, embedder=HashEmbedder(), generator=ScriptedGenerator("x"))
        for _ in range(rounds):
            app.retriever.search(["warranty"], 3)
        queue.put("ok")
    except Exception as exc:  # noqa: BLE001
        queue.put(repr(exc))


def test_two_writers_and_a_reader_lose_nothing(pg_url, tmp_path):
    """Two processes ingest overlapping folders (the same documents) while a third searches."""
    shared = sorted(CORPUS.iterdir())
    folders = []
    for i in range(2):
        folder = tmp_path / f"w{i}"
        folder.mkdir()
        for path in shared:  # both writers store the same documents...
            shutil.copy(path, folder / path.name)
        (folder / f"own-{i}.md").write_text(
            f"# Own {i}\n\nWriter {i} owns this page, number {i}.\n"
        )
        folders.append(folder)
    Store(pg_url).engine.dispose()  # migrate once before the race
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(pg_url, str(f), 3, queue)) for f in folders]
    procs.append(ctx.Process(target=_reader, args=(pg_url, str(tmp_path / "r"), 20, queue)))
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert results == ["ok"] * 3, results
    store = Store(pg_url)
    sources = set(store.document_hashes())
    assert len(sources) == 2 * (len(shared) + 1)  # every writer's every document
    with store.engine.connect() as conn:
        chunks = conn.exec_driver_sql("SELECT count(*) FROM chunks").scalar()
        vectors = conn.exec_driver_sql("SELECT count(*) FROM chunk_vectors").scalar()
        orphans = conn.exec_driver_sql(
            "SELECT count(*) FROM chunks c LEFT JOIN chunk_vectors v USING (vector_id) "
            "WHERE v.vector_id IS NULL"
        ).scalar()
    assert chunks == vectors and orphans == 0
    store.engine.dispose()


def test_migration_head_is_the_latest_script():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(migrate.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == migrate.HEAD
