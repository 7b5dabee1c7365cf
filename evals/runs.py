"""Evaluation runs: resumable by id, their metrics recomputed without losing the independent
judge's (`judged_*`, added by `footnote eval citations`)."""

from __future__ import annotations

from rag.errors import NotFound
from rag.storage import Store


class RunNotFound(NotFound):
    """No stored evaluation run has this id."""


class RunStore:
    """Evaluation runs in the same database as everything else (`Store.runs` holds the rows)."""

    def __init__(self, store: Store):
        self.rows = store.runs

    def open(
        self, run_id: str, kind: str, dataset: str, dataset_hash: str, settings: dict, options: dict
    ) -> bool:
        """Create the run unless it exists; True when it already existed (a resume)."""
        return self.rows.create(run_id, kind, dataset, dataset_hash, settings, options)

    def delete(self, run_id: str) -> None:
        self.rows.delete(run_id)

    def done_ids(self, run_id: str) -> set[str]:
        """The examples this run has scored already."""
        return self.rows.result_ids(run_id)

    def add_results(self, run_id: str, rows: list[tuple[int, str, dict]]) -> None:
        self.rows.add_results(run_id, rows)

    def update_results(self, run_id: str, results: dict[str, dict]) -> None:
        """Replace the stored result of each example id given (e.g. with judgements added)."""
        self.rows.replace_results(run_id, results)

    def finish(self, run_id: str, metrics: dict) -> None:
        """Store the run's metrics; those `eval citations` added from the stored results
        (`judged_*`) are kept, so that running a finished run again does not lose them."""
        old = self.get(run_id).get("metrics") or {}
        judged = {k: v for k, v in old.items() if k.startswith("judged_")}
        self.rows.set_metrics(run_id, {**judged, **metrics})

    def get(self, run_id: str) -> dict:
        meta = self.rows.get(run_id)
        if meta is None:
            raise RunNotFound(f"no evaluation run {run_id!r}; `footnote eval list` shows the runs")
        return meta

    def results(self, run_id: str) -> list[dict]:
        return self.rows.results(run_id)

    def list(self) -> list[dict]:
        return self.rows.all()
