"""Bulk ingestion on a local single-node Ray cluster, inside a network namespace that holds only
loopback (Ray opens its ports on every interface): same result as the single-process path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from conftest import CORPUS

pytestmark = pytest.mark.real_models
DOCS = Path(__file__).parent.parent / "docs"


def isolated(command: list[str]) -> list[str]:
    """The command inside a fresh network namespace with only loopback up."""
    if os.geteuid() == 0 and shutil.which("ip"):
        return command  # wrapped by the netns fixture below
    if shutil.which("unshare"):  # without root: a user + network namespace
        script = 'ip link set lo up 2>/dev/null || true; exec "$@"'
        return ["unshare", "--user", "--map-root-user", "--net", "sh", "-c", script, "sh", *command]
    pytest.fail("neither root with iproute2 nor unshare is available to isolate Ray's ports")


@pytest.fixture(scope="module")
def netns():
    if os.geteuid() != 0 or not shutil.which("ip"):
        yield None
        return
    name = f"footnote-ray-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


# fp32 on both sides: in bf16 a text's vector moves by ~1e-4 with the other texts of its batch
# (their padding), and Ray's batches are not the single process's; the precision setting must
# reach the Ray workers for the vectors to match
EXACT = {"FOOTNOTE_EMBED_PRECISION": "fp32"}


def footnote(home: Path, models: Path, *args: str, netns: str | None = None) -> str:
    command = [str(Path(sys.executable).with_name("footnote")), *args]
    if netns:
        command = ["ip", "netns", "exec", netns, *command]
    env = {**os.environ, "FOOTNOTE_HOME": str(home), "FOOTNOTE_MODELS_DIR": str(models)}
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    env.update(EXACT)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return done.stdout


def snapshot(home: Path) -> dict:
    engine = sa.create_engine(f"sqlite:///{home / 'footnote.db'}")
    with engine.connect() as conn:
        docs = sorted(conn.exec_driver_sql("SELECT id, source, text_hash FROM documents").all())
        chunks = sorted(
            conn.exec_driver_sql("SELECT id, document_id, vector_id, text_hash FROM chunks").all()
        )
        vectors = {
            h: np.frombuffer(v, np.float32)
            for h, v in conn.exec_driver_sql("SELECT text_hash, vector FROM embeddings").all()
        }
    engine.dispose()
    return {"docs": docs, "chunks": chunks, "vectors": vectors}


def test_ray_ingest_matches_single_process(tmp_path, real_models_dir, netns):
    single, ray_home = tmp_path / "single", tmp_path / "ray"
    reference = footnote(single, real_models_dir, "ingest", str(CORPUS), str(DOCS))
    added = reference.split(",", 1)[0]  # "added N"
    args = ["ingest", "--ray", "auto", "--ray-workers", "2", str(CORPUS), str(DOCS)]
    if netns is None:
        command = isolated([str(Path(sys.executable).with_name("footnote")), *args])
        env = {**os.environ, "FOOTNOTE_HOME": str(ray_home), **EXACT}
        env["FOOTNOTE_MODELS_DIR"] = str(real_models_dir)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        first = done.stdout
    else:
        first = footnote(ray_home, real_models_dir, *args, netns=netns)
    assert first.startswith(added + ",") and "failed 0" in first, (reference, first)
    want, got = snapshot(single), snapshot(ray_home)
    assert got["docs"] == want["docs"] and got["chunks"] == want["chunks"]
    assert want["vectors"].keys() == got["vectors"].keys()
    for key, vector in want["vectors"].items():
        assert np.allclose(vector, got["vectors"][key], atol=1e-5)
    # idempotent: a second run changes nothing and embeds nothing
    if netns is not None:
        again = footnote(ray_home, real_models_dir, *args, netns=netns)
        unchanged = added.replace("added", "unchanged")
        assert f"{unchanged}," in again and "(0 new chunks" in again, again


def test_plain_ingest_never_imports_ray(tmp_path):
    code = (
        "import sys; from click.testing import CliRunner; from ui.cli import main; "
        f"r = CliRunner().invoke(main, ['ingest', {str(CORPUS)!r}], "
        f"env={{'FOOTNOTE_HOME': {str(tmp_path)!r}}}); "
        "print(r.exit_code, 'ray' in sys.modules)"
    )
    env = {**os.environ, "FOOTNOTE_EMBEDDING_MODEL": ""}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.split()[-2:] == ["0", "False"], done.stdout + done.stderr[-2000:]
