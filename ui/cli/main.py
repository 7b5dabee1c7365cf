"""The `footnote` command: the root group and every subcommand. Heavy libraries (FastAPI,
Streamlit, the models) load inside the commands that need them, and each subcommand's module
only when that subcommand runs, never at start-up."""

from __future__ import annotations

from ui.cli.root import main

main.lazy = {
    "ingest": "ui.cli.sources:ingest",
    "crawl": "ui.cli.sources:crawl",
    "index": "ui.cli.sources:index",
    "ask": "ui.cli.answers:ask",
    "chat": "ui.cli.answers:chat",
    "config": "ui.cli.config:config",
    "models": "ui.cli.config:models",
    "eval": "ui.cli.evals:eval_group",
    "serve": "ui.cli.services:serve",
    "keys": "ui.cli.services:keys",
    "ui": "ui.cli.services:ui_command",
}

__all__ = ["main"]
