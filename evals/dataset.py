"""The evaluation dataset format: JSONL, one question per line.

    {"question": "...", "answers": ["..."], "gold_sources": ["corpus/12.txt"],
     "answerable": true, "collection": "default", "id": "...",
     "reference": "the text that answers it", "gold_anchor": "section-id",
     "point": "what a correct answer must say", "style": "terse"}

Only `question` is required. `answers` are short gold spans (SQuAD); `reference` is a reference
answer in prose (a support article's section), which correctness is judged against.
`gold_sources` are document ids, URLs, or paths (relative paths are relative to the dataset
file's folder). `id` defaults to a hash of the question.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.errors import FootnoteError
from rag.types import content_hash

log = logging.getLogger(__name__)


class DatasetError(FootnoteError):
    """A dataset file is missing, empty or unusable."""


@dataclass(frozen=True)
class Example:
    question: str
    answers: tuple[str, ...] = ()
    gold_sources: tuple[str, ...] = ()
    answerable: bool = True
    collection: str = ""  # restrict retrieval to this collection; empty = all
    id: str = ""
    reference: str = ""  # a reference answer in prose (e.g. the FAQ section that answers it)
    gold_anchor: str = ""  # the id of the gold section inside the gold page
    gold_pages: tuple[int, ...] = ()  # the pages (1-based) of a paged gold source holding it
    point: str = ""  # what a correct answer must say (a development panel's answer_point)
    style: str = ""  # how the question is asked (terse, symptom, ...; easy/hard when uncovered)

    def to_json(self) -> str:
        data = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        return json.dumps(data, ensure_ascii=False)


@dataclass
class Dataset:
    path: Path
    examples: list[Example]
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, problem)
    sha256: str = ""

    def resolve_source(self, gold: str) -> str:
        """A gold source as stored documents name it: relative paths become absolute."""
        if gold.startswith(("http://", "https://")) or len(gold) == 64 and "/" not in gold:
            return gold
        path = Path(gold)
        return str((path if path.is_absolute() else self.path.parent / path).resolve())


def _example(data: object) -> Example:
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    question = data.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("'question' must be a non-empty string")
    answers = data.get("answers") or []
    gold = data.get("gold_sources") or []
    if not isinstance(answers, list) or not isinstance(gold, list):
        raise ValueError("'answers' and 'gold_sources' must be lists")
    pages = data.get("gold_pages") or []
    if not isinstance(pages, list) or not all(isinstance(p, int) and p > 0 for p in pages):
        raise ValueError("'gold_pages' must be a list of page numbers (1 and above)")
    answerable = data.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError("'answerable' must be true or false")
    return Example(
        question=question.strip(),
        answers=tuple(map(str, answers)),
        gold_sources=tuple(map(str, gold)),
        answerable=answerable,
        collection=str(data.get("collection") or ""),
        id=str(data.get("id") or content_hash(question.strip())[:16]),
        reference=str(data.get("reference") or ""),
        gold_anchor=str(data.get("gold_anchor") or ""),
        gold_pages=tuple(pages),
        point=str(data.get("point") or ""),
        style=str(data.get("style") or ""),
    )


def load_dataset(path: Path) -> Dataset:
    """Read a JSONL dataset; malformed lines are logged with their number and skipped."""
    if not path.is_file():
        raise DatasetError(f"dataset {path} does not exist; create it with `footnote eval import`")
    raw = path.read_bytes()
    examples, errors, seen = [], [], set()
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            example = _example(json.loads(line))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            log.warning("%s line %d skipped: %s", path, number, exc)
            errors.append((number, str(exc)))
            continue
        if example.id in seen:
            errors.append((number, f"duplicate id {example.id}"))
            continue
        seen.add(example.id)
        examples.append(example)
    if not examples:
        raise DatasetError(f"dataset {path} has no usable questions ({len(errors)} bad lines)")
    return Dataset(path, examples, errors, hashlib.sha256(raw).hexdigest())


def write_dataset(path: Path, examples: list[Example]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(e.to_json() + "\n" for e in examples), encoding="utf-8")
