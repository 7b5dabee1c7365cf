"""Citation markers as small models write them: [1], [1, 2], [1][2], [Source 1], 【1】."""

from __future__ import annotations

import re

MARKER = re.compile(
    r"[\[【]\s*(?:sources?\s*)?(\d+(?:\s*[,;]\s*(?:sources?\s*)?\d+)*)\s*[\]】]", re.I
)
# a marker the generator wrote stands apart: after a space or a sentence's end, before a space,
# punctuation or the end; brackets inside words or code ("sys.argv[1]", "tuple([1, 2])") are text
CITATION = re.compile(
    rf"(?<![^\s.!?])(?:{MARKER.pattern})(?:\s*{MARKER.pattern})*(?=$|[\s.,;:!?)\]】])", re.I
)


def parse_markers(sentence: str) -> tuple[str, list[int]]:
    """Split a sentence into its text without citation markers and the numbers it cites, in
    order; brackets that belong to the text stay.

    >>> parse_markers("Paris is in France [1][3]. ")
    ('Paris is in France.', [1, 3])
    >>> parse_markers("See [Source 2, 1].")
    ('See.', [2, 1])
    >>> parse_markers("Use tuple([1, 2, 3]) or sys.argv[1] here [2].")
    ('Use tuple([1, 2, 3]) or sys.argv[1] here.', [2])
    """
    numbers: list[int] = []
    for run in CITATION.finditer(sentence):
        for match in MARKER.finditer(run.group(0)):
            numbers += [int(n) for n in re.findall(r"\d+", match.group(1))]
    text = CITATION.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return text, list(dict.fromkeys(numbers))
