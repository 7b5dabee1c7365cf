"""Shared set-up of the service benchmarks: a fresh home with the demo corpus ingested."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOOTNOTE = str(Path(sys.executable).with_name("footnote"))

# Questions over the demo corpus (tests/fixtures/corpus + docs/); the last has no answer there.
QUESTIONS = [
    "How long is the Lumen warranty?",
    "How do I reset the Lumen X2 router?",
    "What does error E42 mean on the Lumen X2?",
    "When is the Rotterdam office café open?",
    "How do I get a refund?",
    "What does Footnote do with a sentence that no source supports?",
    "Which embedding model does Footnote use by default?",
    "Who won the football world cup in 1954?",
]


def demo_home(prefix: str) -> tuple[Path, dict[str, str]]:
    """(home, environment) with tests/fixtures/corpus and docs/ ingested by the real models."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    env = {"FOOTNOTE_HOME": str(home)}  # models: the per-user cache (or FOOTNOTE_MODELS_DIR)
    corpus = [str(ROOT / "tests" / "fixtures" / "corpus"), str(ROOT / "docs")]
    subprocess.run(
        [FOOTNOTE, "ingest", *corpus], env={**os.environ, **env}, check=True, capture_output=True
    )
    return home, env


def wait_ready(base: str, server: subprocess.Popen, timeout: float = 300) -> None:
    """Wait until `footnote serve` at `base` answers /readyz; fail if it exits or takes too long."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"footnote serve exited with code {server.returncode}")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"footnote serve at {base} was not ready after {timeout:.0f} s")
