"""`footnote ask` and `footnote chat`: verified answers in the terminal."""

from __future__ import annotations

import contextlib
import json
import logging
import sys

import click

from rag.serialise import answer_dict, answer_from_dict, sentence_from_dict
from rag.settings import load_settings, recorded
from rag.types import ANSWERED, NOT_IN_SOURCES_TEXT, Answer
from ui.api.local import LocalServer, ask_server, find_server, fingerprint
from ui.cli.feedback import status, warm_up
from ui.cli.options import EXIT_NOT_IN_SOURCES, IsoDate, examples, setting_option
from ui.cli.render import sentence_line, sources_text
from ui.cli.root import CONTEXT, app_of, config_file_of, overrides_of, root_of

log = logging.getLogger(__name__)
UNDATED = "undated documents are left out"


@click.command(
    context_settings=CONTEXT,
    epilog=examples(
        'footnote ask "How long is the warranty?"',
        'footnote ask -k 5 --collection support "How do I reset the router?"',
        'footnote ask --json --since 2024-06 "What changed in the API?" | jq -r .answer',
    ),
)
@click.argument("question")
@click.option("--collection", "collections", multiple=True, help="only this collection (repeat)")
@click.option("--source-prefix", default="", help="only documents whose path or URL starts so")
@click.option("--since", type=IsoDate(), default="", help=f"only documents dated since; {UNDATED}")
@click.option("--until", type=IsoDate(), default="", help=f"only documents dated until; {UNDATED}")
@click.option("--json", "as_json", is_flag=True, help="print the answer as one JSON object")
@setting_option("top_k", "-k", help="passages the model reads")
@setting_option("retrieval")
@setting_option("unsupported")
@setting_option("fallback", help="when no generated sentence holds up: quote | decline")
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
    **filters: str,
) -> None:
    """Answer QUESTION from the ingested sources; each sentence is shown only once a source
    supports it, then the sources and their quotes.

    When `footnote serve` runs for the same home and settings, it answers (its models are
    warm); otherwise the models load here. Exits 0 when answered, 3 when the sources don't
    contain the answer, 1 on an error."""
    verbosity = root_of(ctx).verbosity
    server = None if in_process else _warm_server(ctx)
    with contextlib.ExitStack() as waiting:
        if server is not None:
            waiting.enter_context(status("asking footnote serve", verbosity, log))
            data = _stream_from(server, question, collections, filters, not as_json, waiting)
            answer = answer_from_dict(data)
        else:
            from rag.retrieval import Filters  # loads retrieval: only when answering here

            app = app_of(ctx)
            app.pipeline.check_question(question)  # an empty or long question: before loading
            app.check_generator()  # a missing model file, even when a quote needs no model
            line = waiting.enter_context(status("loading the models", verbosity, log))
            warm_up(app.embedder)
            line.update("searching and writing the answer")
            where = Filters(collections, **filters) or None
            answer = _stream(app, question, where, [], not as_json, waiting)
            data = answer_dict(answer, app.generator_name)
    _note_undated(ctx, collections, filters, verbosity)
    _log_decisions(data)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if not answer.sentences:
            click.echo(NOT_IN_SOURCES_TEXT)
        click.echo()
        click.echo(sources_text(answer))
    if answer.status != ANSWERED:
        sys.exit(EXIT_NOT_IN_SOURCES)


@click.command(
    context_settings=CONTEXT,
    epilog=examples("footnote chat", "footnote chat --collection support -k 5"),
)
@click.option("--collection", "collections", multiple=True, help="only this collection (repeat)")
@setting_option("top_k", "-k", help="passages the model reads")
@click.pass_context
def chat(ctx: click.Context, collections: tuple[str, ...]) -> None:
    """Ask several questions in a row; follow-ups are rewritten using the conversation. An
    empty line or Ctrl-D ends it."""
    from rag.retrieval import Filters

    verbosity = root_of(ctx).verbosity
    with status("loading the models", verbosity, log):
        app = app_of(ctx)
        app.check_generator()
        warm_up(app.embedder)
    history: list[tuple[str, str]] = []
    click.echo("Ask a question (an empty line or Ctrl-D ends the chat).")
    while True:
        question = click.prompt("?", default="", show_default=False, prompt_suffix=" ").strip()
        if not question:
            return
        with contextlib.ExitStack() as waiting:
            waiting.enter_context(status("searching and writing the answer", verbosity))
            answer = _stream(app, question, Filters(collections) or None, history, True, waiting)
        if answer.standalone and answer.standalone != question:
            click.echo(f"(understood as: {answer.standalone})")
        if not answer.sentences:
            click.echo(NOT_IN_SOURCES_TEXT)
        click.echo(sources_text(answer) + "\n")
        history.append((question, answer.text))


def _warm_server(ctx: click.Context) -> LocalServer | None:
    settings = load_settings(overrides_of(ctx), config_file=config_file_of(ctx))[0]
    return find_server(settings.home_path, fingerprint(recorded(settings)))


def _stream_from(server: LocalServer, question, collections, options, echo: bool, waiting):
    """The answer's JSON from the warm server, printing each verified sentence as it comes
    (the status line in `waiting` ends at the first)."""
    log.info("answering through footnote serve at %s", server.url)
    for name, data in ask_server(server, question, collections, **options):
        waiting.close()
        if name == "answer":
            return data
        if name == "sentence" and echo:
            click.echo(sentence_line(sentence_from_dict(data)))
    raise click.ClickException("the local server ended the answer early; try --in-process")


def _stream(app, question: str, filters, history, echo: bool, waiting) -> Answer:
    """Run the question, printing each verified sentence as it comes when `echo` (the status
    line in `waiting` ends at the first)."""
    answer = None
    for event in app.pipeline.stream(question, filters, history):
        waiting.close()
        if isinstance(event, Answer):
            answer = event
        elif echo:
            click.echo(sentence_line(event))
    assert answer is not None
    return answer


def _note_undated(ctx: click.Context, collections, filters: dict, verbosity: int) -> None:
    """Say how many documents a date filter left out for having no date."""
    if not (filters.get("since") or filters.get("until")) or verbosity < 0:
        return
    undated = app_of(ctx).store.catalog.undated(collections, filters.get("source_prefix", ""))
    if undated:
        click.echo(
            f"note: {undated} document{'s' * (undated != 1)} without a date "
            "left out by --since/--until",
            err=True,
        )


def _log_decisions(data: dict) -> None:
    """Footnote's decisions on this answer, for -v: the gate, each sentence's check and the
    rule behind it (when the answer records one), what was left out, and the timings."""
    if not log.isEnabledFor(logging.INFO):
        return
    log.info(
        "gate: %s (best passage relevance %.2f)%s",
        data["status"],
        data.get("relevance", 0.0),
        f", fallback {data['fallback']}" if data.get("fallback") else "",
    )
    for n, s in enumerate(data["sentences"], 1):
        verdict = "shown" if s["supported"] else "flagged unsupported"
        if s["quoted"]:
            verdict += ", in the source's words" + (
                " (replacing the model's)" * bool(s["replaces"])
            )
        rule = f", rule {s['rule']}" if s.get("rule") else ""
        log.info(
            "check: sentence %d %s, support %.2f, cites %s%s: %s",
            n,
            verdict,
            s["support"],
            s["citations"],
            rule,
            s["text"][:80],
        )
    for decision in data.get("decisions") or ():
        log.info("decision: %s", decision)
    counts = data.get("counts") or {}
    left_out = {k: v for k, v in counts.items() if k != "tokens" and v}
    if left_out:
        log.info(
            "left out: %s", ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in left_out.items())
        )
    if data.get("timings"):
        log.info("timings (s): %s", ", ".join(f"{k} {v:g}" for k, v in data["timings"].items()))
