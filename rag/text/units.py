"""Units of text: sentence boundaries in generated text and in passages (abbreviations, initials
and headings handled; citation markers stay with the sentence they follow), and the spans of a
passage's sentences, headings and lines. The one splitter of ingest, retrieval and answering."""

from __future__ import annotations

import re

from rag.text.lexicon import words
from rag.text.markers import MARKER
from rag.text.words import STOPWORDS

_LEADING_MARKERS = re.compile(rf"^(?:\s*{MARKER.pattern})+", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\[【]?\S)")
_PARAGRAPH_OR_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)|\n\s*\n\s*|\n(?=\s*\S)")
# words that a full stop follows without ending the sentence ("St. John", "Dr. Ng", "Fig. 2");
# the second set only before a number ("No. 5", but "The answer is no. Then ...")
_ABBREVIATIONS = words("abbreviations")
_BEFORE_NUMBERS = words("abbreviations-before-numbers")
# a line break after a line of this many words is prose wrapped by hand, not the end of a heading
# or a list item (unless the line is one: "- ...", "1. ...", "10.5. Where ...", "Chapter 4. ...",
# or indented code)
PROSE_WORDS = 8
_LIST_ITEM = re.compile(r"\s*([-*•]|\d+(\.\d+)*[.)]?|chapter \d+\.?)\s", re.I)
_NUMBERED = re.compile(r"\d+[.)]\s")  # a numbered item starts the next line
_BULLETS = "[-*•◦▪]"  # the marks a bulleted list item opens with
_ITEM_LINE = re.compile(rf"\n(?=[ \t]*{_BULLETS}[ \t]+\S)")  # a break before a list's next item


def ends_sentence(text: str, stop: int, following: str) -> bool:
    """Does the full stop (or ! or ?) at `text[stop]` end a sentence, given the character that
    follows the gap after it? Not after an initial ("J. Smith", "c. 1900"), a title or another
    known abbreviation ("St. Paul"), an upper-case acronym ("U.S. Army"), nor before a
    lower-case word ("at 2 a.m. she left", "questions (with answers!) about").

    >>> t = "Mr. J. Smith went to St. Paul in the U.S. in c. 1900. Then"
    >>> stops = [i for i, c in enumerate(t) if c == "." and ends_sentence(t, i, t[i + 2])]
    >>> [t[: i + 1].split()[-1] for i in stops]
    ['1900.']
    """
    if text[stop] != ".":
        return not following.islower()
    word = (text[:stop].split() or [""])[-1].lstrip("\"'([“‘")
    initial = word.isupper() and (len(word) == 1 or "." in word)  # "J.", "U.S." (the U.S. Army)
    if initial or word.lower() in _ABBREVIATIONS:
        return False
    if word.lower() in _BEFORE_NUMBERS and following.isdigit():
        return False
    if "." in word or len(word) == 1:  # "a.m.", "c. 1900"
        return not (following.islower() or following.isdigit())
    return not following.islower()


def _boundaries(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """The matches of `pattern` in `text` that end a sentence: after a full stop by
    `ends_sentence`; a blank line always; a single line break only after a short line without
    final punctuation (a heading or a list item) that the next line does not continue (prose
    wrapped by hand goes on in lower case, or after a comma or a little word such as "the"). A
    heading line ("## 3.2 Is it Debian-based? So can I use apt?") is never cut inside.

    >>> t = "## 3.2 Is it Debian-based? So can I use apt?\\nYes. It works."
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['## 3.2 Is it Debian-based? So can I use apt?', 'Yes.', 'It works.']
    """
    out = []
    for match in pattern.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if text.startswith("#", line_start):  # a heading line is one unit, whatever it holds
            if "\n" in match.group(0):
                out.append(match)
            continue
        stop = match.start() - 1
        while stop >= 0 and text[stop] in "\"')]":
            stop -= 1
        if match.group(0).count("\n") >= 2 or stop < 0:
            out.append(match)  # a blank line
        elif stop >= 0 and text[stop] in ".!?":
            if match.end() < len(text) and ends_sentence(text, stop, text[match.end()]):
                out.append(match)
        elif _ends_line(text, match):
            out.append(match)
    return out


def _ends_line(text: str, match: re.Match[str]) -> bool:
    """Is the single line break at `match` the end of a heading or a list item?

    >>> t = "Install it, and it\\nwill ask for the\\nsize\\nE42: fan failure\\nThe fan"
    >>> [t[: m.start()].rsplit("\\n", 1)[-1] for m in re.finditer("\\n", t) if _ends_line(t, m)]
    ['size', 'E42: fan failure']
    >>> t = "More is said in the Debian Linux Kernel\\nHandbook, for release\\n1.3.x and up."
    >>> [m.start() for m in re.finditer("\\n", t) if _ends_line(t, m)]
    []
    """
    line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()].rstrip()
    following = text[match.end() : match.end() + 1]
    if len(line) > 60 or not line or following.islower():
        return False
    if following.isdigit() and not _NUMBERED.match(text, match.end()):
        return False  # "... bo for releases" | "1.3.x, hamm for release 2.0"
    if len(line.split()) >= PROSE_WORDS and not line[:1].isspace() and not _LIST_ITEM.match(line):
        return False  # "Further information is maintained in the Debian Linux Kernel" | "Handbook."
    return not (line.endswith((",", "-", "(", ":", "/")) or line.split()[-1].lower() in STOPWORDS)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; markers right after a full stop stay with their sentence.

    >>> split_sentences("It is red. [1] It is big [2]. Done")
    ['It is red. [1]', 'It is big [2].', 'Done']
    >>> split_sentences("St. Kazimierz Church was built by J. Smith. It is old.")
    ['St. Kazimierz Church was built by J. Smith.', 'It is old.']
    """
    text, pieces, start = text.strip(), [], 0
    for match in _boundaries(text, _SENTENCE_END):
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces = [p for p in [*pieces, text[start:]] if p.strip()]
    merged: list[str] = []
    for piece in pieces:
        lead = _LEADING_MARKERS.match(piece)
        if lead and merged:
            merged[-1] += " " + lead.group(0).strip()
            piece = piece[lead.end() :]
        if piece.strip():
            merged.append(piece.strip())
    return merged


def complete_sentences(buffer: str) -> tuple[list[str], str]:
    """Sentences of a growing buffer that can no longer change, and the unfinished rest."""
    sentences = split_sentences(buffer)
    if len(sentences) < 2:
        return [], buffer
    last = sentences[-1]
    if re.fullmatch(r"\s*(?:[\[【][^\]】]*)?", MARKER.sub("", last)):
        return [], buffer  # the tail may still be (part of) a marker of the previous sentence
    return sentences[:-1], buffer[buffer.rfind(last) :]  # keep the tail's trailing space


def sentence_spans(passage: str) -> list[tuple[int, int]]:
    """Character spans of the sentences (and paragraphs, headings) of a passage; lines of prose
    wrapped by hand join."""
    spans, start = [], 0
    for match in _boundaries(passage, _PARAGRAPH_OR_END):
        if passage[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if passage[start:].strip():
        spans.append((start, len(passage.rstrip())))
    return spans


FINISHED = re.compile(r"[.!?][\"')\]”’]*$")


_LIST_TAIL = re.compile(r"^[\d.]+[,;]$")  # "8," of "... jessie for release 8, stretch ..."


def starts_inside(text: str) -> bool:
    """Does the text start in the middle of a sentence: in lower case, with closing punctuation,
    or with a number that continues a list (where a chunk was cut)?

    >>> starts_inside("devices when it starts."), starts_inside("8, stretch for release 9.")
    (True, True)
    >>> starts_inside("The pool holds packages.")
    False
    """
    first = text.split(" ", 1)[0]
    if first[:1].islower() or first[:1] in ")]},.;:" or first.count(")") > first.count("("):
        return True
    return bool(_LIST_TAIL.match(first))


_BULLET = re.compile(rf"\s*({_BULLETS}|\(?\d{{1,2}}[.)]|\(?[a-z][.)])\s+\S")
_PROMPT = re.compile(r"\s*[$#%>]\s+\S")  # "$ ls", "# mdadm --create ..." (a shell prompt)
_CODE = re.compile(r"[/=_`]|--?\w|::|\(\)|\w\.\w")  # paths, options, assignments, calls
_CODE_START = re.compile(r"[a-z`]|\./|~/|-{1,2}\w")  # "ls -l", "`make`", "./run", "--flag"
_SQL_COMMENT = re.compile(r"\s*--[^\n]*$")  # "SELECT now(); -- but see tip below"
_SQL_VERBS = words("sql-commands")
_PROSE_WITHIN = re.compile(r"[.!?]\s+[A-Z][a-z]")  # "... ends here. Then it goes on"
ROW_CELLS = 3  # a line with this many "|"-separated cells (or opening with "|") is a table row


def unit_kind(text: str) -> str:
    """What a unit of a passage is, by its wording: "question", "item" (of a list), "command"
    (a shell prompt or a line of code), "row" (of a table), or "statement". Headings are not
    read from the wording: ingest records them (`Chunk.titles`).

    >>> [unit_kind(t) for t in ("Is it free?", "- the stable release", "# mdadm --create /dev/md0",
    ...  "lvresize -L 6G vg/lv", "serial | 4 bytes | 1 to 2147483647", "Use apt to install it.",
    ...  "pg_dumpall -p 5432 | psql -p 5433", "./vcpkg install zstd", "| a | b |")]
    ['question', 'item', 'command', 'command', 'row', 'statement', 'command', 'command', 'row']
    """
    stripped = text.strip()
    if stripped.rstrip("\"')]”’").endswith("?"):
        return "question"
    single = "\n" not in stripped
    cells = stripped.count(" | ") + 1
    if single and (stripped.startswith("|") or cells >= ROW_CELLS):
        return "row"
    if _BULLET.match(stripped):
        return "item"
    code = _CODE_START.match(stripped) and _CODE.search(stripped)
    if single and not FINISHED.search(stripped) and (_PROMPT.match(stripped) or code):
        return "command"
    return "command" if is_sql(stripped) else "statement"


def is_sql(text: str) -> bool:
    r"""Is the text SQL as documentation prints it: statements opening with a capitalised verb
    (`sql-commands`), the last ending with ";" (a "--" comment may follow)?

    >>> [is_sql(t) for t in ("SELECT now(); SELECT TIMESTAMP 'now'; -- but see tip below",
    ...  "CREATE ROLE jonathan\n  LOGIN;", "SELECT is the command that reads rows.",
    ...  "SET it aside; then go on.", "Create a role that can log in;")]
    [True, True, False, False, False]
    """
    first = text.split(None, 1)[0] if text.strip() else ""
    body = _SQL_COMMENT.sub("", text).rstrip()
    if first not in _SQL_VERBS or not body.endswith(";"):
        return False
    return not _PROSE_WITHIN.search(body)  # a sentence of prose within is no code


# what a reader can act on: a path, an option, an assignment, a quoted command, a Foo::Bar key
_ACTION = re.compile(
    r"(?:^|[\s(\"'“])(?:~?/[\w.-]+/[\w./*-]*|--?[a-zA-Z][\w-]*|[\w.]+=\S+|`[^`]+`|\w+::\w+)"
)


def item_breaks(text: str, start: int, end: int) -> list[int]:
    r"""The offsets in `text[start:end]` of the line breaks before a bulleted line (where the next
    item of a list begins).

    >>> t = "Names:\n- buzz was the spaceman,\n- rex was the dinosaur."
    >>> item_breaks(t, 0, len(t))
    [6, 31]
    """
    return [m.start() for m in _ITEM_LINE.finditer(text, start, end)]


def actionable(text: str) -> bool:
    """Does the unit give something to act on: a command line, a path, an option, a setting?

    >>> [actionable(t) for t in ("Run apt-mark hold foo.", "Edit /etc/apt/sources.list.",
    ...  "Add the nofail option.", "Use lvresize -L 6G vg/lv", "It is complicated.")]
    [False, True, False, True, False]
    """
    return unit_kind(text) == "command" or bool(_ACTION.search(text))
