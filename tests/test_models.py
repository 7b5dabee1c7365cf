import hashlib
import sys
import zipfile

import pytest

from rag.errors import ModelError
from rag.models import packaged
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


FAKE_PIP = """
import shutil, sys
from pathlib import Path
dest, wheels = Path(sys.argv[sys.argv.index("-d") + 1]), Path(sys.argv[1])
for name in sys.argv[sys.argv.index("-d") + 2:]:
    wheel = next(wheels.glob(name.split("==")[0] + "-*.whl"))
    size = wheel.stat().st_size
    print(f"Collecting {name}")
    for done in (0, size // 2, size):
        print(f"Progress {done} of {size}")
    shutil.copy(wheel, dest)
"""


def test_install_reports_download_and_assembly_progress(tmp_path, monkeypatch):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for name, part in zip(SPEC.packages, PARTS, strict=True):
        with zipfile.ZipFile(wheels / f"{name}-1.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"{name}/data/part", part)
    spec = PackagedFile(
        SPEC.filename, tuple(f"{p}==1.0" for p in SPEC.packages), SPEC.sha256, SPEC.size
    )
    script = tmp_path / "fake_pip.py"
    script.write_text(FAKE_PIP)
    monkeypatch.setattr(packaged, "PIP_DOWNLOAD", (sys.executable, str(script), str(wheels)))
    seen = []
    target = packaged.install_generator(tmp_path / "models", spec, lambda *a: seen.append(a))
    assert target.read_bytes() == b"".join(PARTS)
    downloads = [done for _, step, done, _ in seen if step == "download"]
    assert downloads == sorted(downloads) and downloads[-1] >= sum(map(len, PARTS))
    assert seen[-1] == (SPEC.filename, "assemble and verify", SPEC.size, SPEC.size)


def test_a_failed_download_says_what_pip_said(tmp_path, monkeypatch):
    script = tmp_path / "failing_pip.py"
    script.write_text("print('ERROR: No matching distribution found for p1'); raise SystemExit(1)")
    monkeypatch.setattr(packaged, "PIP_DOWNLOAD", (sys.executable, str(script)))
    with pytest.raises(ModelError, match="No matching distribution found for p1"):
        packaged.install_generator(tmp_path, SPEC)
