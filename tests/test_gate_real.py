"""The CI quality gate: the gate dataset through the real pipeline, against its baseline."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.real_models


def footnote(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "ui", *args], env=env, capture_output=True, text=True, timeout=1200
    )


def test_gate_dataset_passes_the_baseline(tmp_path, real_models_dir):
    env = {
        **os.environ,
        "FOOTNOTE_HOME": str(tmp_path),
        "FOOTNOTE_MODELS_DIR": str(real_models_dir),
    }
    ingest = footnote(
        env, "ingest", str(ROOT / "tests" / "fixtures" / "corpus"), str(ROOT / "docs")
    )
    assert ingest.returncode == 0, ingest.stderr
    dataset = str(ROOT / "evals" / "gate" / "dataset.jsonl")
    result = footnote(env, "eval", "answers", dataset, "--json")
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    print(json.dumps(run["metrics"], indent=1))  # visible with -s and in CI logs on failure
    gate = footnote(
        env,
        "eval",
        "gate",
        run["run"],
        "--baseline",
        str(ROOT / "evals" / "gate" / "baseline.json"),
    )
    assert gate.returncode == 0, gate.stdout + gate.stderr
    report = footnote(env, "eval", "report", run["run"], "--out", str(tmp_path / "gate.html"))
    assert report.returncode == 0 and (tmp_path / "gate.html").stat().st_size > 1000
