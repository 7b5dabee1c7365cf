"""Every vector index backend passes the same contract and agrees with exact search."""

import numpy as np
import pytest

from rag.errors import IndexMismatchError
from rag.retrieval.vectors import FaissIndex, NumpyIndex, load_index, save_index

DIM = 16


def unit(rng, n, dim=DIM):
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


BACKENDS = {
    "numpy": lambda: NumpyIndex(DIM),
    "faiss-flat": lambda: FaissIndex(DIM, num_gpus=0),
    "faiss-ivf": lambda: FaissIndex(DIM, exact_max=50, nprobe_ratio=1.0, num_gpus=0),
}


@pytest.fixture(params=[*sorted(BACKENDS), "pgvector"])
def index(request):
    if request.param == "pgvector":  # a real PostgreSQL + pgvector (pgserver)
        import sqlalchemy as sa

        from rag.storage.postgres import PgVectorIndex

        engine = sa.create_engine(request.getfixturevalue("pg_url"))
        yield PgVectorIndex(engine, DIM)
        engine.dispose()
        return
    yield BACKENDS[request.param]()


def test_empty_index_returns_no_results(index):
    scores, ids = index.search(unit(np.random.default_rng(0), 1), 5)
    assert len(index) == 0
    assert (ids == -1).all() and np.isneginf(scores).all()


def test_search_order_and_scores(index):
    rng = np.random.default_rng(1)
    vectors = unit(rng, 200)
    index.add(np.arange(200, dtype=np.int64) * 7, vectors)
    scores, ids = index.search(vectors[:3], 5)
    assert list(ids[:, 0]) == [0, 7, 14]  # each vector finds itself first
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first


def test_large_ids_round_trip(index):
    rng = np.random.default_rng(2)
    ids = np.array([2**62 + 5, 2**63 - 1, 12345], np.int64)
    vectors = unit(rng, 3)
    index.add(ids, vectors)
    _, found = index.search(vectors, 1)
    assert list(found[:, 0]) == list(ids)


def test_remove_and_re_add(index):
    rng = np.random.default_rng(3)
    vectors = unit(rng, 100)
    index.add(np.arange(100, dtype=np.int64), vectors)
    index.remove(np.array([0, 1], np.int64))
    assert len(index) == 98
    _, ids = index.search(vectors[:2], 10)
    assert 0 not in ids and 1 not in ids
    index.add(np.array([0], np.int64), vectors[:1])  # re-adding an id replaces, never duplicates
    index.add(np.array([0], np.int64), vectors[:1])
    assert len(index) == 99
    _, ids = index.search(vectors[:1], 1)
    assert ids[0, 0] == 0


def test_dimension_mismatch_is_refused(index):
    with pytest.raises(IndexMismatchError, match="dimension 16"):
        index.add(np.array([1], np.int64), np.ones((1, DIM + 1), np.float32))
    with pytest.raises(IndexMismatchError):
        index.search(np.ones((1, 3), np.float32), 1)


def test_agrees_with_exact_search(index):
    rng = np.random.default_rng(4)
    centers = unit(rng, 20)  # clustered data, like real embeddings
    vectors = centers[rng.integers(0, 20, 2000)] + 0.3 * unit(rng, 2000)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(2000, dtype=np.int64)
    exact = NumpyIndex(DIM)
    exact.add(ids, vectors)
    index.add(ids, vectors)
    queries = unit(rng, 50)
    _, want = exact.search(queries, 10)
    _, got = index.search(queries, 10)
    recall = np.mean([len(set(w) & set(g)) / 10 for w, g in zip(want, got, strict=True)])
    assert recall >= 0.95


def test_faiss_switches_to_ivf_above_threshold_and_keeps_vectors():
    rng = np.random.default_rng(5)
    index = FaissIndex(DIM, exact_max=100, nprobe_ratio=1.0, num_gpus=0)
    first = unit(rng, 80)
    index.add(np.arange(80, dtype=np.int64), first)
    assert index.kind == "flat"
    index.add(np.arange(80, 200, dtype=np.int64), unit(rng, 120))
    assert index.kind == "ivf" and len(index) == 200
    _, ids = index.search(first[:5], 1)
    assert list(ids[:, 0]) == [0, 1, 2, 3, 4]


def test_gpu_path_is_skipped_without_gpus():
    index = FaissIndex(DIM, num_gpus=0)
    assert index._searcher() is index._cpu


def test_save_load_round_trip_and_mismatch(tmp_path):
    rng = np.random.default_rng(6)
    index = FaissIndex(DIM, num_gpus=0)
    vectors = unit(rng, 30)
    index.add(np.arange(30, dtype=np.int64), vectors)
    meta = {"embedding_model": "m", "dim": DIM, "chunk_size": 800}
    save_index(index, tmp_path, meta)
    loaded = load_index(tmp_path, meta, 100_000, 0.1)
    assert len(loaded) == 30
    assert np.array_equal(loaded.search(vectors, 3)[1], index.search(vectors, 3)[1])
    with pytest.raises(IndexMismatchError, match="chunk_size: built with 800, now 500"):
        load_index(tmp_path, {**meta, "chunk_size": 500}, 100_000, 0.1)
    assert load_index(tmp_path / "none", meta, 100_000, 0.1) is None


def test_corrupt_index_file_is_reported(tmp_path):
    index = FaissIndex(DIM, num_gpus=0)
    index.add(np.arange(3, dtype=np.int64), unit(np.random.default_rng(7), 3))
    meta = {"embedding_model": "m", "dim": DIM}
    save_index(index, tmp_path, meta)
    (tmp_path / "vectors.faiss").write_bytes(b"garbage" * 10)
    with pytest.raises(IndexMismatchError, match="corrupt.*footnote index rebuild"):
        load_index(tmp_path, meta, 100_000, 0.1)
    (tmp_path / "meta.json").write_text("{not json")
    with pytest.raises(IndexMismatchError, match="metadata"):
        load_index(tmp_path, meta, 100_000, 0.1)


def test_filtered_search_returns_k_from_the_allowed_set(index):
    rng = np.random.default_rng(8)
    vectors = unit(rng, 300)
    index.add(np.arange(300, dtype=np.int64), vectors)
    allowed = np.arange(250, 300, dtype=np.int64)  # far from most queries' neighbours
    scores, ids = index.search(vectors[:4], 5, allowed)
    assert np.isin(ids, allowed).all() and (ids >= 0).all()
    exact = NumpyIndex(DIM)
    exact.add(allowed, vectors[250:])
    assert np.array_equal(ids, exact.search(vectors[:4], 5)[1])
    _, none = index.search(vectors[:1], 5, np.array([9999], np.int64))
    assert (none == -1).all()
