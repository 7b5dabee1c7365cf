"""Stored evaluation runs: settings, dataset hash, per-question results, aggregate metrics."""

from __future__ import annotations

import time

import sqlalchemy as sa

from rag.errors import FootnoteError
from rag.schema import eval_results, eval_runs
from rag.store import Store


class RunNotFound(FootnoteError):
    """No stored evaluation run has this id."""


class RunStore:
    """Evaluation runs in the same database as everything else."""

    def __init__(self, store: Store):
        self.engine = store.engine

    def open(
        self, run_id: str, kind: str, dataset: str, dataset_hash: str, settings: dict, options: dict
    ) -> bool:
        """Create the run unless it exists; True when it already existed (a resume)."""
        with self.engine.begin() as conn:
            exists = conn.scalar(sa.select(eval_runs.c.id).where(eval_runs.c.id == run_id))
            if not exists:
                conn.execute(
                    eval_runs.insert().values(
                        id=run_id,
                        kind=kind,
                        dataset=dataset,
                        dataset_hash=dataset_hash,
                        settings=settings,
                        options=options,
                        started_at=time.time(),
                    )
                )
        return bool(exists)

    def delete(self, run_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(eval_results.delete().where(eval_results.c.run_id == run_id))
            conn.execute(eval_runs.delete().where(eval_runs.c.id == run_id))

    def done_ids(self, run_id: str) -> set[str]:
        query = sa.select(eval_results.c.example_id).where(eval_results.c.run_id == run_id)
        with self.engine.connect() as conn:
            return set(conn.scalars(query))

    def add_results(self, run_id: str, rows: list[tuple[int, str, dict]]) -> None:
        """Store (position, example id, result) rows in one transaction."""
        if rows:
            with self.engine.begin() as conn:
                conn.execute(
                    eval_results.insert(),
                    [
                        {"run_id": run_id, "position": p, "example_id": e, "result": r}
                        for p, e, r in rows
                    ],
                )

    def update_results(self, run_id: str, results: dict[str, dict]) -> None:
        """Replace the stored result of each example id given (e.g. with judgements added)."""
        if results:
            with self.engine.begin() as conn:
                for example_id, result in results.items():
                    conn.execute(
                        eval_results.update()
                        .where(eval_results.c.run_id == run_id)
                        .where(eval_results.c.example_id == example_id)
                        .values(result=result)
                    )

    def finish(self, run_id: str, metrics: dict) -> None:
        """Store the run's metrics; those `eval citations` added from the stored results
        (`judged_*`) are kept, so that running a finished run again does not lose them."""
        with self.engine.begin() as conn:
            old = conn.execute(
                sa.select(eval_runs.c.metrics).where(eval_runs.c.id == run_id)
            ).scalar_one_or_none()
            judged = {k: v for k, v in (old or {}).items() if k.startswith("judged_")}
            metrics = {**judged, **metrics}
            conn.execute(
                eval_runs.update()
                .where(eval_runs.c.id == run_id)
                .values(metrics=metrics, finished_at=time.time())
            )

    def get(self, run_id: str) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(eval_runs).where(eval_runs.c.id == run_id)).one_or_none()
        if row is None:
            raise RunNotFound(f"no evaluation run {run_id!r}; `footnote eval list` shows the runs")
        return dict(row._mapping)

    def results(self, run_id: str) -> list[dict]:
        query = (
            sa.select(eval_results.c.result)
            .where(eval_results.c.run_id == run_id)
            .order_by(eval_results.c.position)
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def list(self) -> list[dict]:
        query = sa.select(eval_runs).order_by(eval_runs.c.started_at.desc())
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
