import hashlib

import pytest

from rag.errors import ModelError
from rag.models.packaged import PackagedFile, assemble, embedder_path, generator_path

PARTS = [b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 7]
SPEC = PackagedFile(
    "tiny.gguf",
    ("p1", "p2", "p3"),
    hashlib.sha256(b"".join(PARTS)).hexdigest(),
    sum(map(len, PARTS)),
)


def test_assemble_concatenates_in_order_and_verifies(tmp_path):
    target = assemble(iter(PARTS), tmp_path / "models" / SPEC.filename, SPEC)
    assert target.read_bytes() == b"".join(PARTS)
    assert generator_path(str(target), tmp_path) == target


def test_mismatching_checksum_is_refused_and_leaves_nothing(tmp_path):
    with pytest.raises(ModelError, match="expected .* refusing it"):
        assemble(reversed(PARTS), tmp_path / SPEC.filename, SPEC)
    assert list(tmp_path.iterdir()) == []


def test_missing_or_invalid_generator_file(tmp_path):
    with pytest.raises(ModelError, match="footnote models install"):
        generator_path("", tmp_path)
    fake = tmp_path / "x.gguf"
    fake.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a GGUF file"):
        generator_path(str(fake), tmp_path)


def test_embedder_path_checks_user_folder(tmp_path):
    with pytest.raises(ModelError, match="not a sentence-transformers folder"):
        embedder_path(str(tmp_path))
    assert embedder_path("").endswith("model")  # the packaged MiniLM
