"""The `footnote` command: the root group and every subcommand. Heavy libraries (FastAPI,
Streamlit, the models) load inside the commands that need them, and each subcommand's module
only when that subcommand runs, never at start-up."""

from __future__ import annotations

from types import ModuleType

from ui.cli.root import main


def _sources() -> ModuleType:
    from ui.cli import sources

    return sources


def _answers() -> ModuleType:
    from ui.cli import answers

    return answers


def _config() -> ModuleType:
    from ui.cli import config

    return config


def _evals() -> ModuleType:
    from ui.cli import evals

    return evals


def _services() -> ModuleType:
    from ui.cli import services

    return services


main.lazy = {
    "ingest": (_sources, "ingest"),
    "crawl": (_sources, "crawl"),
    "index": (_sources, "index"),
    "ask": (_answers, "ask"),
    "chat": (_answers, "chat"),
    "config": (_config, "config"),
    "models": (_config, "models"),
    "eval": (_evals, "eval_group"),
    "serve": (_services, "serve"),
    "keys": (_services, "keys"),
    "ui": (_services, "ui_command"),
}

__all__ = ["main"]
