"""Ingestion speed at the same retrieval quality, on the development panel.

Each corpus is ingested into fresh homes, one variant right after the other: as before issue 27
(fp32, batches of 16, the model on the caller's thread between files, reading up to 256 word
pieces), with the defaults (bf16 where the CPU has it, batches of 16, the model on its own thread
while files are read, reading 128 word pieces), uncut (the defaults reading 256 pieces) and
batch8 (the defaults in batches of 8, the default before the cap made 16 faster).
For each: chunks/s, and gold-page recall@5 of the questions in users' words (the gold page among
the top 5 passages; for the PDF, a passage on one of the gold pages), hybrid (the default) and
dense alone (where the embedder shows most).

    python bench/bench_ingest.py                              # the four corpora
    python bench/bench_ingest.py --corpora debian-faq --rounds 3
    python bench/bench_ingest.py --corpora "" --scifact       # SciFact nDCG@10, whole corpus
    python bench/bench_ingest.py --variants now,uncut         # the first named is the base

Machines are shared: compare the two variants of one run (they alternate), quote medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("FOOTNOTE_DATA", ROOT.parent / "shared" / "data"))

PANEL = {  # name -> (what to ingest, questions in users' words)
    "debian-faq": ("debian-faq/html", "debian-faq/questions-users.jsonl"),
    "debian-handbook": ("debian-handbook/html", "debian-handbook/questions.jsonl"),
    "postgresql-15": ("postgresql-15/html", "postgresql-15/questions.jsonl"),
    "bash-manual": ("bash-manual/bashref.pdf", "bash-manual/questions.jsonl"),
}
# name -> (settings, embedding on its own thread)
VARIANTS = {
    "before": (
        {"embed_precision": "fp32", "embed_batch_size": "16", "embed_max_tokens": "0"},
        False,
    ),
    "now": ({}, True),
    "uncut": ({"embed_max_tokens": "0"}, True),  # the defaults, but the model reads 256 pieces
    "batch8": ({"embed_batch_size": "8"}, True),
}


def app_for(home: Path, settings: dict):
    from rag.settings import load_settings
    from ui.compose import App

    env = {**os.environ, "FOOTNOTE_HOME": str(home)}
    env.update({f"FOOTNOTE_{k.upper()}": v for k, v in settings.items()})
    return App(load_settings(environ=env)[0]), env


def ingest(home: Path, variant: str, sources: list[str]) -> tuple[object, dict]:
    """Ingest into a fresh home; (the App, {chunks, seconds, embed_seconds})."""
    from ingest.pipeline import Ingestor

    settings, background = VARIANTS[variant]
    app, _ = app_for(home, settings)
    started = time.perf_counter()  # the model loads inside, as in `footnote ingest`
    ingestor = Ingestor(app.store, app.indexer, app.ingest_options, background=background)
    report = ingestor.ingest(sources)
    seconds = time.perf_counter() - started
    return app, {"chunks": report.chunks_added, "seconds": seconds, "embed": report.embed_seconds}


def gold_recall(app, corpus: str, questions: Path, k: int = 5) -> dict[str, float]:
    """Share of questions with a passage of the gold page (or gold PDF page) in the top k."""
    rows = [json.loads(line) for line in questions.read_text().splitlines() if line.strip()]
    out = {}
    for mode in ("hybrid", "dense"):
        app.retriever.mode = mode
        hits = app.pipeline.retrieve_many([r["question"] for r in rows], k)
        found = [_has_gold(row, h, corpus) for row, h in zip(rows, hits, strict=True)]
        out[mode] = sum(found) / len(found)
    return out


def _has_gold(row: dict, hits, corpus: str) -> bool:
    if "gold_pages" in row:
        wanted = set(row["gold_pages"])
        return any(wanted & {page for _, page in h.chunk.pages} for h in hits)
    gold = str(DATA / Path(corpus).parent / row["gold_page"])
    return any(h.source == gold for h in hits)


def panel(names: list[str], rounds: int, tmp: Path, variants: list[str]) -> None:
    print("| corpus | variant | chunks | seconds (median) | chunks/s | speed-up | embedding share "
          "| gold-page recall@5 hybrid | dense |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    totals = {v: [0, 0.0, 0, 0.0, 0.0] for v in variants}  # chunks, s, questions, hyb, dense
    for name in names:
        corpus, questions = PANEL[name]
        times: dict[str, list[dict]] = {v: [] for v in variants}
        recall = {}
        for r in range(rounds):
            order = variants if r % 2 == 0 else variants[::-1]
            for variant in order:
                app, timing = ingest(tmp / f"{name}-{variant}-{r}", variant, [str(DATA / corpus)])
                times[variant].append(timing)
                if variant not in recall:
                    recall[variant] = gold_recall(app, corpus, DATA / questions)
                print(f"  {name} {variant} round {r}: {timing}", file=sys.stderr, flush=True)
        base = statistics.median(t["seconds"] for t in times[variants[0]])
        n_questions = sum(1 for line in (DATA / questions).read_text().splitlines() if line)
        for variant, runs in times.items():
            seconds = statistics.median(t["seconds"] for t in runs)
            chunks = runs[0]["chunks"]
            share = statistics.median(t["embed"] / t["seconds"] for t in runs)
            rec = recall[variant]
            print(f"| {name} | {variant} | {chunks:,} | {seconds:.1f} | {chunks / seconds:.1f} | "
                  f"{base / seconds:.2f}x | {share:.0%} | {rec['hybrid']:.3f} | "
                  f"{rec['dense']:.3f} |", flush=True)  # fmt: skip
            total = totals[variant]
            total[0] += chunks
            total[1] += seconds
            total[2] += n_questions
            total[3] += rec["hybrid"] * n_questions
            total[4] += rec["dense"] * n_questions
    base = totals[variants[0]][1]
    for variant, (chunks, seconds, n, hybrid, dense) in totals.items():
        print(f"| **panel** | {variant} | {chunks:,} | {seconds:.1f} | {chunks / seconds:.1f} | "
              f"{base / seconds:.2f}x | | {hybrid / n:.3f} | {dense / n:.3f} |")  # fmt: skip


def scifact(tmp: Path, variants: list[str]) -> None:
    """SciFact nDCG@10 (dense, hybrid; 809 train claims, 5,183 abstracts), per variant."""
    from evals.importers import import_scifact

    folder = tmp / "scifact"
    files = [DATA / "scifact" / "corpus_train.csv", DATA / "scifact" / "claims_train.csv"]
    counts = import_scifact(files, folder)
    print("| SciFact | variant | chunks | seconds | chunks/s | nDCG@10 dense | hybrid |")
    print("|---|---|---|---|---|---|---|")
    for variant in variants:
        home = tmp / f"scifact-{variant}"
        app, timing = ingest(home, variant, [str(folder / "corpus")])
        _, env = app_for(home, VARIANTS[variant][0])
        ndcg = {}
        for mode in ("dense", "hybrid"):
            cmd = [sys.executable, "-m", "ui", "eval", "retrieval", str(folder / "dataset.jsonl")]
            env_mode = {**env, "FOOTNOTE_RETRIEVAL": mode}
            done = subprocess.run([*cmd, "--json"], env=env_mode, capture_output=True, text=True)
            if done.returncode:
                sys.exit(done.stderr[-2000:])
            metrics = json.loads(done.stdout.strip().splitlines()[-1])["metrics"]
            ndcg[mode] = metrics["ndcg@10"]["value"]
        rate = timing["chunks"] / timing["seconds"]
        print(f"| {counts['documents']:,} abstracts | {variant} | {timing['chunks']:,} | "
              f"{timing['seconds']:.1f} | {rate:.1f} | {ndcg['dense']:.4f} | "
              f"{ndcg['hybrid']:.4f} |", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default=",".join(PANEL))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--scifact", action="store_true", help="SciFact nDCG@10 too (long)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="the first is the base")
    args = parser.parse_args()
    variants = args.variants.split(",")
    if unknown := set(variants) - set(VARIANTS):
        parser.error(f"unknown variants {sorted(unknown)}: choose from {', '.join(VARIANTS)}")
    with tempfile.TemporaryDirectory(prefix="footnote-bench-ingest-") as tmp:
        if args.corpora:
            panel(args.corpora.split(","), args.rounds, Path(tmp), variants)
        if args.scifact:
            scifact(Path(tmp), variants)


if __name__ == "__main__":
    main()
