"""Footnote's evaluation harness: datasets, metrics, runs and reports (to come)."""

__all__: list[str] = []
