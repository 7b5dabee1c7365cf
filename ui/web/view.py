"""Answer and passage rendering for the web app. Document text is always HTML-escaped before
it reaches the page: a page's `<script>` shows as text, never runs."""

from __future__ import annotations

import html

CSS = """
<style>
.fn-sentence{display:inline}
.fn-unsupported{color:#8a5a00;background:#fff4e0;border-left:3px solid #e0a030;padding:0 .3em;
  text-decoration:underline dotted}
.fn-cite{font-size:.75em;vertical-align:super;color:#2a5bd7;margin-left:.1em}
.fn-passage{font-size:.92em;line-height:1.45;white-space:normal;overflow-wrap:anywhere}
.fn-passage mark{background:#ffe58a;padding:0 .1em}
.fn-declined{color:#555;font-style:italic}
</style>
"""


def _text(value: str) -> str:
    """Escaped text with line breaks kept (no blank lines: the block stays one HTML block)."""
    return html.escape(value, quote=False).replace("\n", "<br>")


def sentence_html(sentence: dict) -> str:
    marks = "".join(f'<span class="fn-cite">[{n}]</span>' for n in sentence["citations"])
    if not sentence.get("supported", True):
        return (
            '<span class="fn-unsupported" title="not supported by the sources">'
            f"⚠ {_text(sentence['text'])}</span> "
        )
    if sentence.get("quoted") and sentence.get("replaces"):  # stands in for the model's words
        title = html.escape(f"the source's words; the model wrote: {sentence['replaces']}")
        return (
            f'<span class="fn-sentence fn-quoted" title="{title}">'
            f"“{_text(sentence['text'])}”{marks}</span> "
        )
    if sentence.get("quoted"):
        return (
            '<span class="fn-sentence fn-quoted" title="quoted from the source">'
            f"The sources say: “{_text(sentence['text'])}”{marks}</span> "
        )
    return f'<span class="fn-sentence">{_text(sentence["text"])}{marks}</span> '


def answer_html(answer: dict) -> str:
    if answer["status"] == "not_in_sources":
        return f'<p class="fn-declined">{_text(answer["answer"])}</p>'
    return "<p>" + "".join(sentence_html(s) for s in answer["sentences"]) + "</p>"


def passage_html(passage: str, start: int, end: int) -> str:
    """The passage with the supporting quote highlighted."""
    start, end = max(0, min(start, len(passage))), max(0, min(end, len(passage)))
    return (
        '<div class="fn-passage">'
        + _text(passage[:start])
        + "<mark>"
        + _text(passage[start:end])
        + "</mark>"
        + _text(passage[end:])
        + "</div>"
    )


def source_link(source: dict) -> str:
    """The source's URL; a PDF's opens at the quoted page (#page=N).

    >>> source_link({"url": "https://x.org/manual.pdf", "source": "", "page": 12})
    'https://x.org/manual.pdf#page=12'
    """
    where = source.get("url") or source["source"]
    return f"{where}#page={source['page']}" if source.get("page") else where


def source_label(source: dict) -> str:
    title = source.get("title") or source.get("source", "")
    page = f", p. {source['page']}" if source.get("page") else ""
    return f"[{source['number']}] {title}{page}"
