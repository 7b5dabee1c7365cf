"""The baseline gate: a run fails when a metric falls below its floor.

The baseline file is JSON, `{"metric": floor, ...}`; for `latency_s` the number is a ceiling.
Lowering a floor is an explicit, reviewable change to that file.
"""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import FootnoteError

CEILINGS = {"latency_s"}


def load_baseline(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise FootnoteError(f"baseline {path} cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, int | float) for v in data.values()):
        raise FootnoteError(f"baseline {path} must map metric names to numbers")
    return {k: float(v) for k, v in data.items()}


def check(metrics: dict[str, dict], baseline: dict[str, float]) -> list[str]:
    """Failures as messages; an empty list means the run passes."""
    failures = []
    for name, bound in baseline.items():
        if name not in metrics:
            failures.append(f"{name}: not measured by this run")
            continue
        value = metrics[name]["value"]
        if name in CEILINGS and value > bound:
            failures.append(f"{name}: {value:.3f} above the ceiling {bound:.3f}")
        elif name not in CEILINGS and value < bound:
            failures.append(f"{name}: {value:.3f} below the floor {bound:.3f}")
    return failures
