"""Expand what the user named (files, folders, URLs) into single sources."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.extract import SUPPORTED_SUFFIXES


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class Expansion:
    sources: list[str]  # absolute paths or URLs, in a stable order
    skipped: list[str]  # files inside folders with an unsupported type
    roots: list[Path]  # folders and files named: documents under them can be pruned


def expand(args: list[str]) -> Expansion:
    """Folders recurse (hidden entries skipped); named files and URLs pass through as given."""
    sources: list[str] = []
    skipped: list[str] = []
    roots: list[Path] = []
    for arg in args:
        if is_url(arg):
            sources.append(arg)
            continue
        path = Path(arg).expanduser().resolve()
        roots.append(path)
        if not path.is_dir():
            sources.append(str(path))  # a missing path fails later with a clear message
            continue
        for child in sorted(path.rglob("*")):
            if any(part.startswith(".") for part in child.relative_to(path).parts):
                continue
            if child.is_file():
                ok = child.suffix.lower() in SUPPORTED_SUFFIXES
                (sources if ok else skipped).append(str(child))
    return Expansion(list(dict.fromkeys(sources)), skipped, roots)


def under(source: str, roots: list[Path]) -> bool:
    """Whether a stored file source lies under one of the roots (for --prune)."""
    if is_url(source):
        return False
    path = Path(source)
    return any(path == root or root in path.parents for root in roots)
