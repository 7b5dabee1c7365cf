"""Headings: the sections of an HTML page (from its h1-h6 elements) and a document's outline, the
heading that applies at each offset of its extracted text. Documentation answers by section, so
the heading is often the best evidence of what a passage answers."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from lxml import etree, html

_HEADING = re.compile(r"h[1-6]")
_SKIPPED = {"script", "style", "noscript", "template", "nav", "head", "title"}
_BLOCKS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "br", "tr", "td", "th", "table"}
_BLOCKS |= {"pre", "section", "article", "blockquote", "hr", "header", "footer", "aside"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_PERMALINK = re.compile(r"[¶#§]\s*$")  # Sphinx and others append a permalink sign to headings


@dataclass
class Section:
    """One heading of a page and the text that follows it up to the next heading."""

    level: int  # 1-6; 0 for the text before the first heading
    title: str
    anchors: list[str] = field(default_factory=list)  # ids naming the section
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def clean_heading(text: str) -> str:
    """A heading's text on one line, without a trailing permalink sign.

    >>> clean_heading("  How do I\\n  get a list?¶ ")
    'How do I get a list?'
    """
    return _PERMALINK.sub("", " ".join(text.split())).strip()


def html_sections(markup: str) -> list[Section]:
    """The page's sections in document order (the first, level 0, holds any text before the
    first heading). A section starts at a heading (h1-h6), and below the current heading at a
    definition term whose definition is long (`<dt>`: a reference manual's option or
    setting, an AsciiDoc FAQ's question) and at a paragraph that is a question in bold (a
    hand-written FAQ); the text after a list of terms goes back to the heading above them.
    Anchors are the ids on the heading, inside it, or on the section element whose first
    heading it is (as Sphinx and DocBook write them)."""
    markup = _XML_DECLARATION.sub("", markup[:5_000_000])  # lxml refuses one in a str
    try:
        tree = html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return []
    sections = [Section(0, "")]
    heading = sections[0]  # the last h1-h6 section: terms and bold questions sit below it
    # the definition lists whose terms started sections, the elements themselves: lxml makes
    # its element objects on demand, so an id() of one let go may name another element later
    lists: set = set()
    skip_depth = 0  # inside a heading or a script: its text is not section text
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if skip_depth:
                skip_depth += 1
            elif _HEADING.fullmatch(tag):
                heading = _start_section(element, int(tag[1]))
                sections.append(heading)
                skip_depth = 1
            elif _is_term(element) or _is_bold_question(element):
                sections.append(_start_section(element, min(6, heading.level + 1)))
                lists.add(element.getparent())
                skip_depth = 1
            elif tag in _SKIPPED:
                skip_depth = 1
            else:
                sections[-1].parts += [" " if tag in _BLOCKS else "", element.text or ""]
        else:
            if skip_depth:
                skip_depth -= 1
            if not skip_depth:
                if tag == "dl" and element in lists:  # back under the heading
                    sections.append(Section(heading.level, heading.title))
                sections[-1].parts += [" " if tag in _BLOCKS else "", element.tail or ""]
    return sections


TERM_MIN_CHARS = 200  # a definition this long makes its term a section (not a short glossary)


def _is_term(element) -> bool:
    """A definition term that heads its own section: a `<dt>` (not a table of contents' link)
    whose definition holds TERM_MIN_CHARS of text."""
    if element.tag != "dt" or "toc" in (element.getparent().get("class") or ""):
        return False
    links = [a for a in element.iter("a") if a.get("href")]
    if links and " ".join(links[0].text_content().split()) == " ".join(
        element.text_content().split()
    ):
        return False
    length, follower = 0, element.getnext()
    while follower is not None and follower.tag == "dd":
        length += len(" ".join(follower.text_content().split()))
        follower = follower.getnext()
    return length >= TERM_MIN_CHARS


def _is_bold_question(element) -> bool:
    """A paragraph that is only a question in bold (`<p><a name="q3"></a><b>How ...?</b></p>`):
    a hand-written FAQ's question, a heading in all but name."""
    if element.tag not in ("p", "div") or len(element) == 0:
        return False
    text = " ".join(element.text_content().split())
    bold = " ".join(" ".join(b.text_content().split()) for b in element if b.tag in ("b", "strong"))
    return text.endswith("?") and len(text) < 300 and bold == text


def _start_section(heading, level: int) -> Section:
    anchors = [e.get("id") for e in heading.iter() if isinstance(e.tag, str) and e.get("id")]
    parent = heading.getparent()
    while parent is not None and not parent.get("id") and _wraps(parent, heading):
        parent = parent.getparent()  # DocBook: <div class="section"><div class="titlepage">...
    if parent is not None and parent.get("id") and _wraps(parent, heading):
        anchors.append(parent.get("id"))
    return Section(level, clean_heading(heading.text_content()), anchors)


def _wraps(container, heading) -> bool:
    """Is `heading` the first heading inside `container` (so the container is its section)?"""
    first = next(
        (e for e in container.iter() if isinstance(e.tag, str) and _HEADING.fullmatch(e.tag)),
        None,
    )
    return first is heading


def outline(text: str, sections: list[Section]) -> tuple[tuple[int, int, str], ...]:
    """(offset, level, title) of each heading in `text`, the page's extracted main text, which
    no longer holds the headings themselves: each is placed where its section's text begins.
    A heading whose text was not extracted (a chapter title over a table of contents) is placed
    with the next heading that was found."""
    flat, where = _squeezed(text)
    placed: list[tuple[int, int, str]] = []
    waiting: list[Section] = []
    cursor = 0
    for section in sections:
        if not section.level:
            continue
        waiting.append(section)
        found = _find(flat, section.text, cursor)
        if found < 0:
            continue
        cursor = found + 1  # the next section begins after this one does
        offset, offsets = where[found], []
        for heading in reversed(waiting):  # headings kept in the text sit on the lines before
            offset = _heading_line(text, offset, heading.title)
            offsets.append(offset)
        placed += [(o, s.level, s.title) for o, s in zip(reversed(offsets), waiting, strict=True)]
        waiting = []
    return tuple(placed)


def _heading_line(text: str, offset: int, title: str) -> int:
    r"""`offset`, or the start of the line before it when that line is the heading itself (some
    pages keep their headings in the extracted text; a definition term comes out as a list item,
    "- work_mem (integer)", its definition's first line an empty one, "- ").

    >>> text = "- work_mem (integer)\n- \n  Sets the memory."
    >>> _heading_line(text, text.index("Sets"), "work_mem (integer)")
    0
    """
    before = text[:offset].rstrip()
    line_start = before.rfind("\n") + 1
    if before[line_start:].strip() in ("-", "*", "•"):  # an empty bullet opens the definition
        before = before[:line_start].rstrip()
        line_start = before.rfind("\n") + 1
    line = _BULLET.sub("", before[line_start:])
    if title and clean_heading(line) == title:
        return line_start
    return offset


_BULLET = re.compile(r"^\s*[-*•]\s+")


def _squeezed(text: str) -> tuple[str, list[int]]:
    """`text` with whitespace runs as one space, and the offset in `text` of each character."""
    chars, where, space = [], [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space and chars:
                chars.append(" ")
                where.append(i)
            space = True
        else:
            chars.append(ch)
            where.append(i)
            space = False
    return "".join(chars), where


def _find(flat: str, section_text: str, start: int) -> int:
    """Where the section's text begins in the squeezed page text, at or after `start`: its
    first words, or failing that a later run of its words (the first may have been dropped).
    Where those words occur more than once (a reference's settings that open alike: "Enables
    or disables the query planner's use of ..."), the place that goes on as the section does.

    >>> flat = "Enables or disables the planner's use of hash joins. " * 2 + "On."
    >>> flat = flat.replace("hash", "merge", 1)
    >>> _find(flat, "Enables or disables the planner's use of hash joins. On.", 0)
    54
    """
    words = section_text.split()
    for skip in (0, 8, 16):
        probe = " ".join(words[skip : skip + 8])
        if len(probe) < 20:
            break
        found = _longest_match(flat, " ".join(words[skip : skip + _MATCH_WORDS]), probe, start)
        if found >= 0:
            return max(start, found - len(" ".join(words[:skip])) - (1 if skip else 0))
    return -1


_MATCH_WORDS = 60  # of a section's text compared where its opening words occur more than once
_MATCH_TRIES = 20  # ... at most this many places


def _longest_match(flat: str, text: str, probe: str, start: int) -> int:
    """The first place at or after `start` where `probe` (the opening of `text`) occurs and
    the page goes on with the most of `text`; -1 when it does not occur."""
    best, longest = -1, -1
    at = flat.find(probe, start)
    for _ in range(_MATCH_TRIES):
        if at < 0:
            break
        same = len(os.path.commonprefix([flat[at : at + len(text)], text]))
        if same > longest:
            best, longest = at, same
        if same == len(text):
            break
        at = flat.find(probe, at + 1)
    return best


def markdown_outline(text: str) -> tuple[tuple[int, int, str], ...]:
    """(offset, level, title) of the headings of a Markdown text (they stay in the text), as
    CommonMark reads them (markdown-it-py): `#` and underlined headings, never a `#` line
    inside a code block; and the lines that are only a question in bold (a FAQ's
    "**How do I ...?**"), one level below the heading above them.

    >>> markdown_outline("# Guide\\n\\nIntro.\\n\\n## Reset\\n\\nHold the button.")
    ((0, 1, 'Guide'), (17, 2, 'Reset'))
    >>> markdown_outline("Setup\\n=====\\n\\n```sh\\n# not a heading\\nmake\\n```\\n")
    ((0, 1, 'Setup'),)
    >>> markdown_outline("# FAQ\\n**Is it free?**\\nYes.\\n**Where is it?**\\nHere.")
    ((0, 1, 'FAQ'), (6, 2, 'Is it free?'), (27, 2, 'Where is it?'))
    """
    from markdown_it import MarkdownIt

    starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]  # as markdown-it counts lines
    tokens = MarkdownIt("commonmark").parse(text)
    headings = [
        (starts[token.map[0]], int(token.tag[1]), clean_heading(tokens[i + 1].content))
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.map
    ]
    code = [
        (starts[t.map[0]], starts[t.map[1]] if t.map[1] < len(starts) else len(text))
        for t in tokens
        if t.type in {"fence", "code_block"} and t.map
    ]
    bold = [
        (m.start(), m.group(1))
        for m in re.finditer(_BOLD_QUESTION, text, re.M)
        if not any(a <= m.start() < b for a, b in code)
    ]
    out, level = [], 0
    for offset, *rest in sorted([*headings, *bold]):
        if len(rest) == 2:
            level = rest[0]
            out.append((offset, level, rest[1]))
        else:
            out.append((offset, min(6, level + 1), clean_heading(rest[0])))
    return tuple(out)


# a line that is only a question in bold ("**How do I ...?**", "__...?__")
_BOLD_QUESTION = r"^ {0,3}(?:\*\*|__)([^*_\n]{3,200}\?)(?:\*\*|__)\s*$"


_UNDERLINE = {"=": 1, "-": 2, "~": 3, "^": 4}
_SECTION_NAME = re.compile(r"^[A-Z][A-Z0-9 /&-]{2,39}$")  # NAME, SYNOPSIS, EXIT STATUS, SEE ALSO


def text_outline(text: str) -> tuple[tuple[int, int, str], ...]:
    r"""(offset, level, title) of a plain text's headings: a line underlined with "=", "-",
    "~" or "^" (as README and reStructuredText files write them; levels in that order), and a
    line in capitals at the left margin (a man page's NAME, SYNOPSIS, OPTIONS ...).

    >>> text_outline("PyYAML\n======\nIntro.\n\nBuild\n-----\nRun make.")
    ((0, 1, 'PyYAML'), (22, 2, 'Build'))
    >>> text_outline("NAME\n       ls - list\nDESCRIPTION\n       List files.")
    ((0, 1, 'NAME'), (22, 1, 'DESCRIPTION'))
    """
    out, offset = [], 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        after = lines[i + 1].strip() if i + 1 < len(lines) else ""
        marks = set(after)
        underlined = (
            line.strip()
            and len(marks) == 1
            and after[0] in _UNDERLINE
            and len(after) >= max(3, len(line.strip()) // 2)
        )
        if underlined:
            out.append((offset, _UNDERLINE[after[0]], clean_heading(line)))
        elif _SECTION_NAME.match(line) and any(c.isalpha() for c in line):
            out.append((offset, 1, line.strip()))
        offset += len(line) + 1
    return tuple(out)


def heading_path(outline_: tuple[tuple[int, int, str], ...], offset: int) -> str:
    """The headings in force at `offset`, outermost first, joined by " > ".

    >>> heading_path(((0, 1, "Guide"), (10, 2, "Reset"), (20, 2, "Update")), 25)
    'Guide > Update'
    """
    stack: list[tuple[int, str]] = []
    for start, level, title in outline_:
        if start > offset:
            break
        stack = [(lv, t) for lv, t in stack if lv < level] + [(level, title)]
    return " > ".join(t for _, t in stack if t)
