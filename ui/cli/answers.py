"""`footnote ask` and `footnote chat`: verified answers in the terminal."""

from __future__ import annotations

import json

import click

from rag.answering.render import sentence_line, sources_text
from rag.retrieval import Filters
from rag.serialise import answer_dict
from rag.types import NOT_IN_SOURCES_TEXT, Answer
from ui.cli.root import app_of


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="print the answer as one JSON object")
@click.option("--collection", "collections", multiple=True, help="only these collections")
@click.option("--source-prefix", default="", help="only documents whose path or URL starts so")
@click.option("--since", default="", help="only documents dated on or after (YYYY-MM-DD)")
@click.option("--until", default="", help="only documents dated on or before (YYYY-MM-DD)")
@click.pass_context
def ask(
    ctx: click.Context,
    question: str,
    as_json: bool,
    collections: tuple[str, ...],
    source_prefix: str,
    since: str,
    until: str,
) -> None:
    """Answer a question from the ingested sources, with verified citations."""
    filters = Filters(collections, source_prefix, since, until)
    answer = _stream(app_of(ctx), question, filters or None, [], echo=not as_json)
    if as_json:
        click.echo(json.dumps(answer_dict(answer), ensure_ascii=False, indent=2))
        return
    if not answer.sentences:
        click.echo(NOT_IN_SOURCES_TEXT)
    click.echo()
    click.echo(sources_text(answer))


@click.command()
@click.option("--collection", "collections", multiple=True, help="only these collections")
@click.pass_context
def chat(ctx: click.Context, collections: tuple[str, ...]) -> None:
    """Ask several questions in a row; follow-ups are rewritten using the conversation."""
    app = app_of(ctx)
    history: list[tuple[str, str]] = []
    click.echo("Ask a question (an empty line or Ctrl-D ends the chat).")
    while True:
        question = click.prompt("?", default="", show_default=False, prompt_suffix=" ").strip()
        if not question:
            return
        answer = _stream(app, question, Filters(collections) or None, history, echo=True)
        if answer.standalone and answer.standalone != question:
            click.echo(f"(understood as: {answer.standalone})")
        if not answer.sentences:
            click.echo(NOT_IN_SOURCES_TEXT)
        click.echo(sources_text(answer) + "\n")
        history.append((question, answer.text))


def _stream(app, question: str, filters, history, echo: bool) -> Answer:
    """Run the question, printing each verified sentence as it comes when `echo`."""
    answer = None
    for event in app.pipeline.stream(question, filters, history):
        if isinstance(event, Answer):
            answer = event
        elif echo:
            click.echo(sentence_line(event))
    assert answer is not None
    return answer
