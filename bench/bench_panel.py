"""The development panel: answers in users' words over four document styles (a FAQ site, a
prose book, a reference manual, a PDF manual), each split once at random into a tuning half and a
check half (seed 2026), plus the Debian FAQ asked by its own headings.

    python bench/bench_panel.py                     # every corpus, both halves
    python bench/bench_panel.py --corpora bash-manual --halves tune --set lead=none

Each corpus is imported and ingested once into its own home under .panel/ (kept between runs);
each half runs through `footnote eval answers` (resumable: the same code, settings and data
resume the same run). Prints, per corpus and half, what the proxies say; correctness itself is
graded by a reader who did not tune the rules (docs/benchmarks.md, ../shared/GRADING.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("FOOTNOTE_DATA", ROOT.parent / "shared" / "data"))
WORK = Path(os.environ.get("FOOTNOTE_PANEL", ROOT / ".panel"))
FOOTNOTE = [sys.executable, "-m", "ui"]
SEED = 2026

# name -> (corpus to ingest, questions, uncovered questions, home shared with another name)
CORPORA = {
    "debian-faq": ("debian-faq/html", "debian-faq/questions-users.jsonl",
                   "debian-faq/uncovered-users.jsonl", ""),
    "debian-handbook": ("debian-handbook/html", "debian-handbook/questions.jsonl",
                        "debian-handbook/uncovered.jsonl", ""),
    "postgresql-15": ("postgresql-15/html", "postgresql-15/questions.jsonl",
                      "postgresql-15/uncovered.jsonl", ""),
    "bash-manual": ("bash-manual/bashref.pdf", "bash-manual/questions.jsonl",
                    "bash-manual/uncovered.jsonl", ""),
    # the same FAQ sections asked by their headings (tuned on before: reported whole)
    "debian-faq-headings": ("debian-faq/html", "debian-faq/questions.jsonl",
                            str(ROOT / "evals/datasets/debian-faq-uncovered.jsonl"), "debian-faq"),
}  # fmt: skip
COLUMNS = [
    ("covered_answered", "answered"),
    ("uncovered_declined", "declined"),
    ("point_recall", "point words"),
    ("cited_gold_section", "gold section"),
    ("cited_gold", "gold page"),
    ("cited_gold_page", "gold PDF page"),
    ("answered_gold_page", "answered: PDF page or next"),
    ("latency_s", "latency"),
]


def footnote(home: Path, *args: str, env: dict | None = None) -> str:
    environ = {**os.environ, "FOOTNOTE_HOME": str(home), **(env or {})}
    done = subprocess.run([*FOOTNOTE, *args], env=environ, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"footnote {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(name: str) -> tuple[Path, Path]:
    """(home, folder of the dataset and its halves): imported, split and ingested once."""
    docs, questions, uncovered, shared = CORPORA[name]
    folder, home = WORK / name, WORK / (shared or name) / "home"
    dataset = folder / "dataset.jsonl"
    if not dataset.exists():
        folder.mkdir(parents=True, exist_ok=True)
        footnote(home, "eval", "import", "faq", str(DATA / docs), str(DATA / questions),
                 "--uncovered", str(DATA / uncovered), "--out", str(folder))  # fmt: skip
        footnote(home, "eval", "split", str(dataset), "--seed", str(SEED))
    marker = home / ".ingested"
    if not marker.exists():
        print(f"ingesting {docs} into {home} ...", file=sys.stderr, flush=True)
        footnote(home, "ingest", str(DATA / docs))
        marker.write_text(docs)
    return home, folder


def evaluate(name: str, half: str, env: dict) -> dict:
    home, folder = prepare(name)
    dataset = folder / ("dataset.jsonl" if half == "all" else f"dataset-{half}.jsonl")
    out = footnote(home, "eval", "answers", str(dataset), "--json", env=env)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default=",".join(CORPORA))
    parser.add_argument("--halves", default="tune,check")
    parser.add_argument("--set", action="append", default=[], help="KEY=VALUE setting")
    args = parser.parse_args()
    env = {}
    for item in args.set:
        key, _, value = item.partition("=")
        env[f"FOOTNOTE_{key.upper()}"] = value
    print("| corpus | half | " + " | ".join(label for _, label in COLUMNS) + " | run |")
    print("|---|---|" + "---|" * len(COLUMNS) + "---|")
    for name in args.corpora.split(","):
        halves = ["all"] if name.endswith("-headings") else args.halves.split(",")
        for half in halves:
            result = evaluate(name, half, env)
            metrics = result["metrics"]
            cells = []
            for key, _ in COLUMNS:
                value = metrics.get(key, {}).get("value")
                cells.append("–" if value is None else f"{value:.3f}")
            print(f"| {name} | {half} | " + " | ".join(cells) + f" | {result['run']} |", flush=True)


if __name__ == "__main__":
    main()
