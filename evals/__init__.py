"""Footnote's evaluation harness: datasets, metrics, resumable runs, reports and the CI gate."""

from evals.dataset import Dataset, DatasetError, Example, load_dataset
from evals.gate import check as gate_check
from evals.runner import run, scorer_judge, select

__all__ = [
    "Dataset",
    "DatasetError",
    "Example",
    "gate_check",
    "load_dataset",
    "run",
    "scorer_judge",
    "select",
]
