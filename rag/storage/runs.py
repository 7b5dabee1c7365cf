"""Stored evaluation runs as rows: settings, dataset hash, per-question results, metrics.
What a run means (resuming, which metrics survive a re-run) is `evals.runs`' business."""

from __future__ import annotations

import time

import sqlalchemy as sa

from rag.storage.schema import eval_results, eval_runs


class RunRows:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def create(
        self, run_id: str, kind: str, dataset: str, dataset_hash: str, settings: dict, options: dict
    ) -> bool:
        """Create the run unless it exists; True when it already existed."""
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

    def result_ids(self, run_id: str) -> set[str]:
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

    def replace_results(self, run_id: str, results: dict[str, dict]) -> None:
        """Replace the stored result of each example id given."""
        if results:
            with self.engine.begin() as conn:
                for example_id, result in results.items():
                    conn.execute(
                        eval_results.update()
                        .where(eval_results.c.run_id == run_id)
                        .where(eval_results.c.example_id == example_id)
                        .values(result=result)
                    )

    def set_metrics(self, run_id: str, metrics: dict) -> None:
        """Store the run's metrics and mark it finished."""
        with self.engine.begin() as conn:
            conn.execute(
                eval_runs.update()
                .where(eval_runs.c.id == run_id)
                .values(metrics=metrics, finished_at=time.time())
            )

    def get(self, run_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(eval_runs).where(eval_runs.c.id == run_id)).one_or_none()
        return None if row is None else dict(row._mapping)

    def results(self, run_id: str) -> list[dict]:
        query = (
            sa.select(eval_results.c.result)
            .where(eval_results.c.run_id == run_id)
            .order_by(eval_results.c.position)
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def all(self) -> list[dict]:
        query = sa.select(eval_runs).order_by(eval_runs.c.started_at.desc())
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
