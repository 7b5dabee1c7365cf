"""Convert public datasets into Footnote's eval format: DIR/dataset.jsonl + DIR/corpus/ files.

Each importer reads any file of the same format as the copies in `shared/data/`.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import tokenize
from pathlib import Path

from evals.dataset import DatasetError, Example, write_dataset


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60] or "doc"


def import_squad(files: list[Path], out: Path, hold_out_articles: int = 0) -> dict:
    """SQuAD v1.1 JSON: paragraphs become corpus files, questions keep their gold paragraph.

    The last `hold_out_articles` articles are left out of the corpus and their questions are
    marked `answerable: false` (to measure abstention).
    """
    articles = []
    for path in files:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            articles += data["data"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path} is not a SQuAD JSON file ({exc})") from None
    if hold_out_articles >= len(articles):
        raise DatasetError(
            f"--hold-out-articles {hold_out_articles} leaves no article of "
            f"{len(articles)} in the corpus"
        )
    held = len(articles) - hold_out_articles
    corpus, examples = out / "corpus", []
    corpus.mkdir(parents=True, exist_ok=True)
    for a, article in enumerate(articles):
        for p, para in enumerate(article["paragraphs"]):
            name = f"corpus/{a:03d}-{_slug(article.get('title', ''))}-{p:03d}.txt"
            if a < held:
                (out / name).write_text(para["context"].strip() + "\n", encoding="utf-8")
            for qa in para["qas"]:
                examples.append(
                    Example(
                        question=qa["question"].strip(),
                        answers=tuple(dict.fromkeys(x["text"] for x in qa.get("answers", []))),
                        gold_sources=(name,) if a < held else (),
                        answerable=a < held,
                        id=str(qa.get("id") or f"{a}-{p}-{len(examples)}"),
                    )
                )
    write_dataset(out / "dataset.jsonl", examples)
    return {
        "questions": len(examples),
        "documents": len(list(corpus.iterdir())),
        "unanswerable": sum(not e.answerable for e in examples),
    }


def sentences_of(abstract: str) -> list[str]:
    """SciFact's abstract field: a list repr without commas, "['S1.'\\n 'S2.']"."""
    tokens = tokenize.generate_tokens(io.StringIO(abstract).readline)
    try:
        return [ast.literal_eval(t.string) for t in tokens if t.type == tokenize.STRING]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return [abstract]


def _ids(field: str) -> list[str]:
    return re.findall(r"\d+", field or "")


def _read_csv(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path} cannot be read as CSV ({exc})") from None


def import_scifact(files: list[Path], out: Path) -> dict:
    """SciFact CSVs: corpus files (doc_id,title,abstract) and claim files (claim,cited_doc_ids).

    A claim's gold documents are its cited_doc_ids (as in BEIR); it appears on several rows,
    once per evidence document, and is written once.
    """
    corpus, claims = [], []
    for path in files:
        rows = _read_csv(Path(path))
        header = set(rows[0]) if rows else set()
        if {"doc_id", "abstract"} <= header:
            corpus += rows
        elif {"claim", "cited_doc_ids"} <= header:
            claims += rows
        else:
            raise DatasetError(
                f"{path} is neither a SciFact corpus nor a claims CSV (columns {sorted(header)})"
            )
    if not corpus or not claims:
        raise DatasetError("give both a SciFact corpus CSV and a claims CSV")
    (out / "corpus").mkdir(parents=True, exist_ok=True)
    for row in corpus:
        text = f"{row['title'].strip()}\n\n{' '.join(sentences_of(row['abstract']))}\n"
        (out / "corpus" / f"{row['doc_id']}.txt").write_text(text, encoding="utf-8")
    known = {row["doc_id"] for row in corpus}
    merged: dict[str, Example] = {}
    for row in claims:
        key = row.get("id") or row["claim"]
        gold = tuple(f"corpus/{d}.txt" for d in _ids(row["cited_doc_ids"]) if d in known)
        if key in merged:
            gold = tuple(dict.fromkeys(merged[key].gold_sources + gold))
        merged[key] = Example(question=row["claim"].strip(), gold_sources=gold, id=f"scifact-{key}")
    examples = [e for e in merged.values() if e.gold_sources]
    write_dataset(out / "dataset.jsonl", examples)
    return {"questions": len(examples), "documents": len(corpus)}
