"""A dataset split at random into a tuning half and a check half, before anyone looks at the
answers: rules are tuned on the first and reported on both."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

from evals.dataset import Example, load_dataset, write_dataset

HALVES = ("tune", "check")


def halves(examples: list[Example], seed: int) -> dict[str, list[Example]]:
    """The examples in two halves, each kind (covered or not, and its style) split evenly: the
    ids of a kind sorted, shuffled by `seed`, then dealt out in turn. The same ids and seed
    give the same halves, whatever the order or other fields of the file.

    >>> ex = [Example(f"q{i}", id=f"{i}", style="terse" if i < 4 else "casual") for i in range(6)]
    >>> parts = halves(ex, 7)
    >>> [len(parts[h]) for h in HALVES], sorted(e.style for e in parts["tune"])
    ([3, 3], ['casual', 'terse', 'terse'])
    """
    kinds: dict[tuple[bool, str], list[Example]] = defaultdict(list)
    for example in examples:
        kinds[example.answerable, example.style].append(example)
    out: dict[str, list[Example]] = {h: [] for h in HALVES}
    turn = 0
    for key in sorted(kinds):
        group = sorted(kinds[key], key=lambda e: e.id)
        random.Random(f"{seed}:{key}").shuffle(group)
        for example in group:
            out[HALVES[turn % 2]].append(example)
            turn += 1
    order = {e.id: i for i, e in enumerate(examples)}
    return {h: sorted(part, key=lambda e: order[e.id]) for h, part in out.items()}


def split_file(path: Path, seed: int) -> dict[str, Path]:
    """Write the halves of a dataset next to it (`<stem>-tune.jsonl`, `<stem>-check.jsonl`)."""
    parts = halves(load_dataset(path).examples, seed)
    written = {}
    for half, examples in parts.items():
        target = path.with_name(f"{path.stem}-{half}.jsonl")
        write_dataset(target, examples)
        written[half] = target
    return written
