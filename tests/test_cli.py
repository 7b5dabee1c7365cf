"""The `footnote` command's surface: help, options, settings, exit codes, documents and
collections; answering with fake models (the real ones run in test_e2e_real.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import CORPUS

from rag.fakes import HashEmbedder, ScriptedGenerator
from rag.settings import load_settings
from ui.cli import main
from ui.compose import App

ROOT = Path(__file__).resolve().parents[1]


# the fakes' hash embedder measures shared words, not meaning: word-overlap answering, as the
# other fake-embedder tests (tests/conftest.py)
WORDS = {"FOOTNOTE_ANSWER_PROFILE": "words", "FOOTNOTE_MIN_RELEVANCE": "0.44"}


def invoke(tmp_path, *args, env=None):
    environ = {"FOOTNOTE_HOME": str(tmp_path / "home"), "FOOTNOTE_CONFIG": "", **WORDS}
    environ.update(env or {})
    return CliRunner().invoke(main, list(args), env=environ)


def first_sentence(messages) -> str:
    user = messages[-1]["content"]
    return user.split("Passage 1: ", 1)[1].split("\n", 1)[0].split(". ")[0].rstrip(".") + "."


@pytest.fixture
def fakes(monkeypatch):
    """Every App the command builds uses the hash embedder and a generator that repeats the
    first passage's first sentence; `fakes.calls` records the generator's prompts."""
    generator = ScriptedGenerator(first_sentence)

    def from_overrides(cls, overrides=None, config_file=None):
        named = {"config_file": config_file} if config_file else {}
        settings = load_settings(overrides, **named)[0]
        return cls(settings, embedder=HashEmbedder(), generator=generator)

    monkeypatch.setattr(App, "from_overrides", classmethod(from_overrides))
    return generator


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


# help and options


def test_root_help_is_short_grouped_and_lists_the_global_options(tmp_path):
    result = invoke(tmp_path, "--help")
    lines = result.output.splitlines()
    assert result.exit_code == 0 and len(lines) <= 40, result.output
    for section in ("Ask:", "Sources:", "Serve:", "Settings and models:", "Evaluate:"):
        assert section in lines
    for option in ("-h, --help", "--version", "--home DIR", "-c, --config FILE", "-s, --set"):
        assert option in result.output
    assert "-v, --verbose" in result.output and "-q, --quiet" in result.output
    assert "--top-k" not in result.output  # settings are not global flags any more
    assert "3 not in the sources" in result.output  # the exit codes
    assert invoke(tmp_path, "-h").output == result.output


def test_version(tmp_path):
    result = invoke(tmp_path, "--version")
    assert result.exit_code == 0 and result.output.startswith("footnote ")


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from _commands(command.get_command(ctx, name), (*path, name))


def test_every_command_has_help_and_ends_with_examples():
    commands = list(_commands(main))[1:]
    assert len(commands) > 30
    for path, command in commands:
        assert command.help, path
        assert command.epilog and command.epilog.startswith("\b\nExamples:"), path
        shown = [line for line in command.epilog.splitlines() if line.startswith("  ")]
        assert 1 <= len(shown) <= 3 and all("footnote" in line for line in shown), path


def test_root_listing_matches_the_commands():
    for name, entry in main.lazy.items():
        command = main.get_command(click.Context(main), name)
        assert command.name == name or entry.attribute == "ui_command"


def test_help_loads_no_models_and_no_subcommand_module():
    code = (
        "import sys\nfrom ui.cli import main\n"
        "try:\n    main(['--help'], prog_name='footnote')\nexcept SystemExit:\n    pass\n"
        "heavy = ('torch', 'sentence_transformers', 'faiss', 'llama_cpp', 'ui.cli.answers', "
        "'ui.compose', 'fastapi')\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert "LOADED []" in result.stdout, result.stdout + result.stderr


def test_settings_as_command_options_and_as_set(tmp_path, fakes, corpus):
    assert invoke(tmp_path, "ingest", str(corpus)).exit_code == 0
    question = "What does the warranty on Lumen routers cover?"
    two = invoke(tmp_path, "ask", "--top-k", "2", "--json", question)
    assert two.exit_code == 0, two.output
    assert fakes.calls[-1][-1]["content"].count("Passage ") == 2
    one = invoke(tmp_path, "-s", "top_k=1", "ask", "--json", question)
    assert one.exit_code == 0 and fakes.calls[-1][-1]["content"].count("Passage ") == 1
    old = invoke(tmp_path, "--top-k", "2", "config", "get", "top_k")  # the old global flag
    assert old.output.strip() == "2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "--top-k", "many", "q"], "'many' is not a valid integer"),
        (["ask", "--top-k", "0", "q"], "top_k=0 must be positive"),
        (["ask", "--retrieval", "fuzzy", "q"], "'fuzzy' is not one of"),
        (["ask", "--since", "2025-13-45", "q"], "'2025-13-45' is not a date: month must be"),
        (["ask", "--until", "yesterday", "q"], "'yesterday' is not a date"),
        (["-s", "topk=5", "config"], "unknown setting 'topk'; did you mean top_k?"),
        (["-s", "top_k", "config"], "is not KEY=VALUE"),
        (["-s", "allow_private_networks=ture", "config"], "not a boolean"),
        (["config", "get", "min_suport"], "did you mean min_support?"),
        (["config", "set", "top_k", "3.5"], "top_k='3.5'.*whole number"),
        (["crawl", "--allow-private-networks", "true", "http://x/"], "Got unexpected extra"),
    ],
)
def test_bad_values_are_usage_errors_naming_the_option(tmp_path, args, message):
    """`ask --since 2025-13-45` used to exit 0 with 'Nothing relevant is ingested yet'."""
    import re

    result = invoke(tmp_path, *args)
    assert result.exit_code == 2, result.output
    assert re.search(message, result.output), result.output


def test_boolean_settings_are_flags_on_commands(tmp_path):
    result = invoke(tmp_path, "crawl", "-h")
    assert "--allow-private-networks / --no-allow-private-networks" in result.output


# settings


def test_config_shows_values_and_origins(tmp_path):
    result = invoke(tmp_path, "-s", "top_k=6", "config", env={"FOOTNOTE_MAX_TOKENS": "99"})
    assert result.exit_code == 0
    assert "top_k = 6  [cli]" in result.output
    assert "max_tokens = 99  [env FOOTNOTE_MAX_TOKENS]" in result.output
    assert "chunk_size = 800  [default]" in result.output
    assert "passages given to the generator" in result.output
    shown = json.loads(invoke(tmp_path, "config", "show", "top_k", "--json").output)
    assert list(shown["settings"]) == ["top_k"] and shown["settings"]["top_k"]["value"] == 3


def test_config_set_then_get_writes_the_homes_file_and_keeps_comments(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("# team settings\nchunk_size = 700  # measured\n")
    result = invoke(tmp_path, "config", "set", "top_k", "4")
    assert result.exit_code == 0 and str(home / "config.toml") in result.output
    assert invoke(tmp_path, "config", "get", "top_k").output == "4\n"
    text = (home / "config.toml").read_text()
    assert "# team settings" in text and "# measured" in text and "top_k = 4" in text
    assert invoke(tmp_path, "config", "set", "allow-private-networks", "yes").exit_code == 0
    assert invoke(tmp_path, "config", "get", "allow_private_networks").output == "true\n"
    assert invoke(tmp_path, "config", "unset", "top_k").exit_code == 0
    assert invoke(tmp_path, "config", "get", "top_k").output == "3\n"
    assert invoke(tmp_path, "config", "path").output.strip() == str(home / "config.toml")


def test_config_set_refuses_what_would_break_the_settings(tmp_path):
    result = invoke(tmp_path, "config", "set", "chunk_overlap", "900")
    assert result.exit_code == 1 and "chunk_overlap=900" in result.output
    assert "is unchanged" in result.output
    assert not (tmp_path / "home" / "config.toml").exists()


def test_home_option_reads_that_homes_config_file(tmp_path):
    """`footnote --home X config` used to read the config file of FOOTNOTE_HOME instead."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.toml").write_text("top_k = 9\n")
    result = invoke(tmp_path, "--home", str(other), "config")
    assert result.exit_code == 0, result.output
    assert f"top_k = 9  [file {other / 'config.toml'}]" in result.output


def test_config_option_names_the_file(tmp_path):
    named = tmp_path / "team.toml"
    named.write_text("top_k = 8\n")
    assert invoke(tmp_path, "-c", str(named), "config", "get", "top_k").output == "8\n"
    assert invoke(tmp_path, "-c", str(named), "config", "set", "top_k", "5").exit_code == 0
    assert named.read_text() == "top_k = 5\n"


def test_invalid_setting_in_the_environment_is_a_one_line_error(tmp_path):
    result = invoke(tmp_path, "config", env={"FOOTNOTE_TOP_K": "lots"})
    assert result.exit_code == 1
    assert "FOOTNOTE_TOP_K" in result.output and "Traceback" not in result.output
    result = invoke(tmp_path, "config", env={"FOOTNOTE_ALLOW_PRIVATE_NETWORKS": "ture"})
    assert result.exit_code == 1 and "not a boolean" in result.output


# answering and exit codes


def test_exit_codes_tell_answered_from_not_in_the_sources(tmp_path, fakes, corpus):
    """A declined answer used to exit 0, like an answered one."""
    assert invoke(tmp_path, "ingest", str(corpus)).exit_code == 0
    answered = invoke(tmp_path, "ask", "How long is the warranty on Lumen routers?")
    assert answered.exit_code == 0, answered.output
    assert "Sources:" in answered.stdout
    declined = invoke(tmp_path, "ask", "Who won the 1954 football world cup in Bern?")
    assert declined.exit_code == 3, declined.output
    assert "don't contain the answer" in declined.stdout
    as_json = invoke(tmp_path, "ask", "--json", "Who won the 1954 football world cup in Bern?")
    assert as_json.exit_code == 3 and json.loads(as_json.stdout)["status"] == "not_in_sources"
    empty = invoke(tmp_path, "ask", "   ")
    assert empty.exit_code == 1 and "error: " in empty.stderr


def test_json_answer_has_a_schema_version_the_model_and_nulls(tmp_path, fakes, corpus):
    assert invoke(tmp_path, "ingest", str(corpus)).exit_code == 0
    result = invoke(tmp_path, "ask", "--json", "How long is the warranty on Lumen routers?")
    data = json.loads(result.stdout)
    assert data["schema_version"] == 2 and data["model"] == "ScriptedGenerator"
    source = data["sources"][0]
    assert source["source"].endswith("warranty.txt")
    assert source["page"] is None and source["date"] is None and source["url"] is None


def test_since_leaves_out_undated_documents_and_says_so(tmp_path, fakes, corpus):
    """Files without a date used to vanish under any --since without a word."""
    assert invoke(tmp_path, "ingest", str(corpus)).exit_code == 0
    result = invoke(tmp_path, "ask", "--json", "--since", "2020-01-01", "How long is the warranty?")
    assert "note: 3 documents without a date left out by --since/--until" in result.stderr
    sources = {Path(s["source"]).name for s in json.loads(result.stdout)["sources"]}
    assert sources <= {"lumen-x2-errors.html"}  # the only dated document
    dated = invoke(tmp_path, "ask", "--since", "2025-03", "What does error code E17 mean?")
    assert dated.exit_code == 0 and "lumen-x2-errors.html" in dated.stdout
    later = invoke(tmp_path, "ask", "--since", "2025-04", "What does error code E17 mean?")
    assert later.exit_code == 3


def test_verbose_shows_footnotes_decisions_not_library_noise(tmp_path, fakes, corpus):
    assert invoke(tmp_path, "ingest", str(corpus)).exit_code == 0
    result = invoke(tmp_path, "-v", "ask", "How long is the warranty on Lumen routers?")
    assert result.exit_code == 0
    assert "rag.retrieval.retriever: retrieval (hybrid): 3 passages" in result.stderr
    assert "gate: answered" in result.stderr and "check: sentence 1 shown" in result.stderr
    assert "alembic" not in result.stderr
    quiet = invoke(tmp_path, "ask", "How long is the warranty on Lumen routers?")
    assert quiet.stderr == ""


# documents and collections


def test_ingest_into_another_collection_moves_the_source_and_says_so(tmp_path, fakes, corpus):
    """A file already in `default` used to stay there: 'unchanged 1'."""
    warranty = str(corpus / "warranty.txt")
    assert invoke(tmp_path, "ingest", str(corpus)).exit_code == 0
    moved = invoke(tmp_path, "ingest", "--collection", "support", warranty)
    assert moved.exit_code == 0, moved.output
    assert "unchanged 0, moved 1" in moved.stdout
    assert f"moved to collection support: {warranty} (was in default)" in moved.stdout
    listed = json.loads(invoke(tmp_path, "docs", "list", "--json").stdout)
    assert {d["source"]: d["collection"] for d in listed}[warranty] == "support"
    question = "How long is the warranty on Lumen routers?"
    scoped = invoke(tmp_path, "ask", "--json", "--collection", "support", question)
    assert json.loads(scoped.stdout)["sources"][0]["source"] == warranty
    again = invoke(tmp_path, "ingest", "--collection", "support", warranty)
    assert "unchanged 1, moved 0" in again.stdout


def test_docs_list_rm_and_collections_list(tmp_path, fakes, corpus):
    assert invoke(tmp_path, "ingest", str(corpus)).exit_code == 0
    assert (
        invoke(tmp_path, "ingest", "--collection", "staff", str(ROOT / "README.md")).exit_code == 0
    )
    listed = invoke(tmp_path, "docs", "list")
    assert listed.exit_code == 0 and "5 documents" in listed.stdout
    assert "COLLECTION  CHUNKS  PAGES  INGESTED" in listed.stdout
    rows = json.loads(invoke(tmp_path, "docs", "list", "--collection", "default", "--json").stdout)
    assert len(rows) == 4 and all(r["pages"] is None and r["chunks"] >= 1 for r in rows)
    dated = {Path(r["source"]).name: r["date"] for r in rows}
    assert dated["lumen-x2-errors.html"] == "2025-03-14" and dated["refunds.md"] is None
    collections = json.loads(invoke(tmp_path, "collections", "list", "--json").stdout)
    assert [(c["name"], c["documents"]) for c in collections] == [("default", 4), ("staff", 1)]
    os.chdir(corpus)  # a relative path names the file
    removed = invoke(tmp_path, "docs", "rm", "refunds.md", str(corpus / "nope.md"))
    assert removed.exit_code == 1
    assert f"removed {corpus / 'refunds.md'} (collection default)" in removed.stdout
    assert "no document" in removed.stderr and "nope.md" in removed.stderr
    left = json.loads(invoke(tmp_path, "docs", "list", "--json").stdout)
    assert len(left) == 4 and not any(r["source"].endswith("refunds.md") for r in left)
    question = "Within how many days can customers return a Lumen product?"
    answer = json.loads(invoke(tmp_path, "ask", "--json", question).stdout)
    assert all(not s["source"].endswith("refunds.md") for s in answer["sources"])
    everything = invoke(tmp_path, "docs", "rm", str(corpus))
    assert everything.exit_code == 0 and everything.stdout.count("removed ") == 3
    gone = invoke(tmp_path, "collections", "rm", "staff", "staf")
    assert gone.exit_code == 1 and "removed collection staff (1 document)" in gone.stdout
    assert "no collection 'staf'" in gone.stderr
    assert json.loads(invoke(tmp_path, "collections", "list", "--json").stdout) == []


def test_ingest_exits_non_zero_only_when_nothing_was_ingested(tmp_path):
    result = invoke(tmp_path, "ingest", str(tmp_path / "missing.md"))
    assert result.exit_code == 1
    assert "failed 1" in result.output and "does not exist" in result.output


def test_docs_list_counts_the_pages_of_a_pdf(tmp_path, fakes):
    from pdfs import make_pdf

    pdf = tmp_path / "manual.pdf"
    lines = ["The Lumen X2 router keeps its settings in flash memory after a power cut."] * 3
    pdf.write_bytes(make_pdf([lines, lines[:1] + ["Page two holds the reset steps."], lines]))
    assert invoke(tmp_path, "ingest", str(pdf)).exit_code == 0
    [row] = json.loads(invoke(tmp_path, "docs", "list", "--json").stdout)
    assert row["pages"] == 3 and row["source"] == str(pdf)
    assert " 3  " in invoke(tmp_path, "docs", "list").stdout


def test_index_rebuild_from_the_store(tmp_path, fakes, corpus):
    assert invoke(tmp_path, "ingest", str(corpus)).exit_code == 0
    shutil.rmtree(tmp_path / "home" / "index")
    result = invoke(tmp_path, "-q", "index", "rebuild")
    assert result.exit_code == 0 and "index rebuilt: " in result.stdout, result.output
    assert "fake-hash-embedder" in result.stdout
    answer = invoke(tmp_path, "ask", "--json", "How long is the warranty on Lumen routers?")
    assert json.loads(answer.stdout)["status"] == "answered"


def test_config_show_resolves_the_answering_rules(tmp_path):
    result = invoke(tmp_path, "-s", "answer_rules=lead_depth=5,off=parts", "config", "show")
    assert result.exit_code == 0, result.output
    assert "    lead_depth = 5  [changed]" in result.stdout
    assert "    lead_meaning = 0.45\n" in result.stdout  # the profile's, unchanged
    as_json = invoke(tmp_path, "-s", "answer_profile=words", "config", "show", "--json")
    rules = json.loads(as_json.stdout)["answer_rules"]
    assert rules["meaning_weight"] == 0.0 and "lead_meaning" in rules["off"]
