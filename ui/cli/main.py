"""The `footnote` command: the root group and every subcommand. Heavy libraries (FastAPI,
Streamlit, the models) load inside the commands that need them, never at start-up."""

from __future__ import annotations

from ui.cli.answers import ask, chat
from ui.cli.config import config, models
from ui.cli.evals import eval_group
from ui.cli.root import main
from ui.cli.services import keys, serve, ui_command
from ui.cli.sources import crawl, index, ingest

for command in (ingest, crawl, index, ask, chat, config, models, eval_group, serve, keys):
    main.add_command(command)
main.add_command(ui_command, "ui")

__all__ = ["main"]
