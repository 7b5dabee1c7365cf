"""`footnote ask` and `footnote chat`: verified answers in the terminal."""

from __future__ import annotations

import json
import logging

import click

from rag.serialise import answer_dict, answer_from_dict, sentence_from_dict
from rag.settings import load_settings, recorded
from rag.types import NOT_IN_SOURCES_TEXT, Answer
from ui.api.local import LocalServer, ask_server, find_server, fingerprint
from ui.cli.render import sentence_line, sources_text
from ui.cli.root import app_of, overrides_of

log = logging.getLogger(__name__)


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="print the answer as one JSON object")
@click.option("--collection", "collections", multiple=True, help="only these collections")
@click.option("--source-prefix", default="", help="only documents whose path or URL starts so")
@click.option("--since", default="", help="only documents dated on or after (YYYY-MM-DD)")
@click.option("--until", default="", help="only documents dated on or before (YYYY-MM-DD)")
@click.option(
    "--in-process",
    is_flag=True,
    help="load the models here even when `footnote serve` of this home is running",
)
@click.pass_context
def ask(
    ctx: click.Context,
    question: str,
    as_json: bool,
    collections: tuple[str, ...],
    in_process: bool,
    **options: str,
) -> None:
    """Answer a question from the ingested sources, with verified citations.

    When `footnote serve` runs on this machine for the same home and settings, the answer
    comes from it (its models are warm); otherwise the models load in this process."""
    server = None if in_process else _warm_server(ctx)
    if server is not None:
        data = _stream_from(server, question, collections, options, echo=not as_json)
        answer = answer_from_dict(data)
    else:
        from rag.retrieval import Filters  # loads retrieval: only when answering here

        filters = Filters(collections, **options)
        answer = _stream(app_of(ctx), question, filters or None, [], echo=not as_json)
        data = answer_dict(answer)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
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
    from rag.retrieval import Filters

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


def _warm_server(ctx: click.Context) -> LocalServer | None:
    settings = load_settings(overrides_of(ctx))[0]
    return find_server(settings.home_path, fingerprint(recorded(settings)))


def _stream_from(server: LocalServer, question, collections, options, echo: bool) -> dict:
    """The answer's JSON from the warm server, printing each verified sentence as it comes."""
    log.info("answering through footnote serve at %s", server.url)
    for name, data in ask_server(server, question, collections, **options):
        if name == "answer":
            return data
        if name == "sentence" and echo:
            click.echo(sentence_line(sentence_from_dict(data)))
    raise click.ClickException("the local server ended the answer early; try --in-process")


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
